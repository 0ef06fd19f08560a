"""The work-cell part of the GeoPackage store (mixed into ``GeoPackageStore``):
:mod:`.geopackage_cells`, and the image pairs of :mod:`.geopackage_scores`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..teamwork.cells import CellTransition, WorkCell
from . import geopackage_cells, geopackage_scores


class _File(Protocol):
    @property
    def location(self) -> str: ...


class GeoPackageCells:
    def work_cells(self: _File) -> list[WorkCell]:
        return geopackage_cells.read_cells(self.location)

    def add_work_cells(self: _File, cells: Sequence[WorkCell], replace: bool = False) -> int:
        return geopackage_cells.add_cells(self.location, cells, replace)

    def change_cell(
        self: _File,
        cell_id: str,
        action: str,
        analyst: str,
        assignee: str | None = None,
        comment: str | None = None,
    ) -> WorkCell:
        return geopackage_cells.change_cell(self.location, cell_id, action, analyst, assignee, comment)

    def cell_transitions(self: _File, cell_id: str | None = None) -> list[CellTransition]:
        return geopackage_cells.read_transitions(self.location, cell_id)

    def change_score_pairs(self: _File) -> list[tuple[str, str]]:
        return geopackage_scores.pairs(self.location)
