"""Which cell each structure is in, and how much of the assessment is certified.

A structure belongs to the cell holding the largest part of its footprint (ties: the lowest
cell id), the rule of compounds; a structure outside every cell belongs to none and is never
certified. "N of M cells certified (x % of structures)" counts structures, not area.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qgis.core import QgsGeometry

from ..annotation.compounds import CompoundIndex
from ..assessment import schema
from ..assessment.store import AssessmentStore
from .cells import CERTIFIED, WorkCell


def structure_cells(cells: Sequence[WorkCell], structures: Iterable[tuple[str, QgsGeometry]]) -> dict[str, str | None]:
    """``{structure_id: cell_id or None}``."""
    index = CompoundIndex((cell.cell_id, cell.geometry) for cell in cells)
    return {structure_id: index.assign(geometry) for structure_id, geometry in structures}


@dataclass(frozen=True)
class Coverage:
    """How much of the assessment is certified."""

    certified_cells: int
    cells: int
    certified_structures: frozenset[str]
    structures: int

    @property
    def structure_share(self) -> float:
        """Share of all structures that are in certified cells (0 to 1)."""
        return len(self.certified_structures) / self.structures if self.structures else 0.0

    def sentence(self) -> str:
        """E.g. ``3 of 12 cells certified (27.5 % of structures)``."""
        if not self.cells:
            return "No work cells yet."
        return (
            f"{self.certified_cells} of {self.cells} cells certified ({100 * self.structure_share:.1f} % of structures)"
        )


def store_coverage(store: AssessmentStore) -> Coverage:
    """The coverage of the store's work cells over its structures."""
    layer = store.layer(schema.STRUCTURES.name)
    return coverage(store.work_cells(), ((f["structure_id"], f.geometry()) for f in layer.getFeatures()))


def coverage(cells: Sequence[WorkCell], structures: Iterable[tuple[str, QgsGeometry]]) -> Coverage:
    """The coverage of ``cells`` over ``structures`` ((id, footprint) pairs)."""
    owners = structure_cells(cells, structures)
    certified = {cell.cell_id for cell in cells if cell.state == CERTIFIED}
    return Coverage(
        certified_cells=len(certified),
        cells=len(cells),
        certified_structures=frozenset(s for s, c in owners.items() if c in certified),
        structures=len(owners),
    )
