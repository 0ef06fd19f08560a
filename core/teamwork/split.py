"""Splitting an assessment into work cells: a grid over the site, one cell per compound, or
one per polygon the lead gives; the cells are added to the store (replacing unstarted ones when
asked)."""

from __future__ import annotations

from collections.abc import Iterable

from qgis.core import QgsGeometry, QgsRectangle

from ..assessment import schema
from ..assessment.store import AssessmentStore
from ..errors import SiteWatchError
from ..imagery.registry import site_extent
from .cells import CELL_ID_PREFIX, WorkCell
from .making import grid_cells, polygon_cells


def _first_number(store: AssessmentStore, replace: bool) -> int:
    if replace:
        return 1
    numbers = [c.cell_id[len(CELL_ID_PREFIX) :] for c in store.work_cells()]
    return max((int(n) for n in numbers if n.isdigit()), default=0) + 1


def split_by_grid(
    store: AssessmentStore, columns: int, rows: int, extent: QgsRectangle | None = None, replace: bool = False
) -> list[WorkCell]:
    """``columns`` × ``rows`` cells over ``extent`` (default: the site's structures and compounds)."""
    area = extent if extent is not None and not extent.isNull() else site_extent(store)
    if area is None:
        raise SiteWatchError(
            f"{store.location} has no structures or compounds yet to lay a grid over; import or draw them "
            "first, or give the extent."
        )
    cells = grid_cells(area, columns, rows, _first_number(store, replace))
    store.add_work_cells(cells, replace=replace)
    return cells


def split_by_compounds(store: AssessmentStore, replace: bool = False) -> list[WorkCell]:
    """One cell per compound, named after it (its name, else its id)."""
    compounds = [
        (f["name"] or f["compound_id"], f.geometry()) for f in store.layer(schema.COMPOUNDS.name).getFeatures()
    ]
    if not compounds:
        raise SiteWatchError(f"{store.location} has no compounds; draw or import them, or split by a grid.")
    cells = polygon_cells(sorted(compounds, key=lambda c: str(c[0])), _first_number(store, replace))
    store.add_work_cells(cells, replace=replace)
    return cells


def split_by_polygons(
    store: AssessmentStore, polygons: Iterable[tuple[str | None, QgsGeometry]], replace: bool = False
) -> list[WorkCell]:
    """One cell per (name, polygon), the polygons in the assessment's CRS."""
    cells = polygon_cells(polygons, _first_number(store, replace))
    store.add_work_cells(cells, replace=replace)
    return cells
