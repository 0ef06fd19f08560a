"""Making work cells: one per compound, a grid of columns × rows over an extent, or one per
polygon the lead gives. Ids run ``W-0001``, ``W-0002``, … from ``first``."""

from __future__ import annotations

from collections.abc import Iterable

from qgis.core import QgsGeometry, QgsRectangle

from ..errors import SiteWatchError
from .cells import CELL_ID_PREFIX, WorkCell

MAX_GRID_CELLS = 10_000
"""More cells than a team can review; a grid larger than this is refused as a likely typo."""


def cell_id(number: int) -> str:
    return f"{CELL_ID_PREFIX}{number:04d}"


def _multi(geometry: QgsGeometry) -> QgsGeometry:
    geometry = QgsGeometry(geometry)
    if not geometry.isGeosValid():
        geometry = geometry.makeValid()
    if not geometry.isMultipart():
        geometry.convertToMultiType()
    return geometry


def column_name(column: int) -> str:
    """Spreadsheet-style column letters: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def grid_cells(extent: QgsRectangle, columns: int, rows: int, first: int = 1) -> list[WorkCell]:
    """``columns`` × ``rows`` equal cells covering ``extent``, named A1 (top left) to e.g. C4,
    numbered row by row from the top."""
    if columns < 1 or rows < 1:
        raise SiteWatchError(f"A grid needs at least 1 column and 1 row (got {columns} × {rows}).")
    if columns * rows > MAX_GRID_CELLS:
        raise SiteWatchError(
            f"A grid of {columns} × {rows} = {columns * rows} cells is more than a team can review "
            f"(at most {MAX_GRID_CELLS}); use fewer columns or rows."
        )
    if extent.isNull() or extent.width() <= 0 or extent.height() <= 0:
        raise SiteWatchError("The area to split is empty: add structures or compounds first, or give an extent.")
    width, height = extent.width() / columns, extent.height() / rows
    cells: list[WorkCell] = []
    for row in range(rows):
        top = extent.yMaximum() - row * height
        for column in range(columns):
            left = extent.xMinimum() + column * width
            square = QgsGeometry.fromRect(QgsRectangle(left, top - height, left + width, top))
            name = f"{column_name(column)}{row + 1}"
            cells.append(WorkCell(cell_id(first + len(cells)), _multi(square), name=name))
    return cells


def polygon_cells(polygons: Iterable[tuple[str | None, QgsGeometry]], first: int = 1) -> list[WorkCell]:
    """One cell per (name, polygon); empty geometries are skipped."""
    cells: list[WorkCell] = []
    for name, geometry in polygons:
        if geometry is None or geometry.isEmpty():
            continue
        cells.append(WorkCell(cell_id(first + len(cells)), _multi(geometry), name=name or None))
    if not cells:
        raise SiteWatchError("There are no polygons to make work cells from.")
    return cells
