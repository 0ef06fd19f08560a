"""The Damage panel's table widget: its columns, how a value is shown, filling it with a whole
:class:`DamageTable` and re-filling only the rows one key changed."""

from __future__ import annotations

from collections.abc import Iterable

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QTableWidget, QTableWidgetItem

from ...core.damage.table import DamageTable

COLUMNS: tuple[tuple[str, str], ...] = (  # the key columns (see .columns) first
    ("compound", "Compound"),
    ("name", "Name"),
    ("n_struct", "Structures"),
    ("n_destroy", "Destroyed"),
    ("pct_destr", "% destroyed"),
    ("pct_damag", "% damaged"),
    ("n_assessed", "Assessed"),
    ("n_unknown", "Unknown"),
    ("n_intact", "Intact"),
    ("n_possible", "Possible"),
    ("n_moderate", "Moderate"),
    ("n_severe", "Severe"),
    ("n_constr", "Construction"),
    ("pct_sev_de", "% severe+destroyed"),
    ("pct_area_d", "% area destroyed"),
    ("dmg_index", "Damage index"),
)
CHANGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("n_newdmg", "Newly damaged"),
    ("n_rebuilt", "Rebuilt"),
    ("n_new", "New"),
)
DECIMALS = {"dmg_index": 2}
"""Decimals shown per field; other numbers with a fraction (the percentages) get one."""


_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_FLAGS = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
"""Alignment and flags of the cells, made once (15,000 cells for 1,000 compounds)."""


def cell(field: str, value: object) -> QTableWidgetItem:
    """The item showing ``value`` of ``field`` (NULL as a dash, numbers right-aligned)."""
    if value is None:
        item = QTableWidgetItem("—")
        item.setToolTip("NULL: no assessed structure")
    elif isinstance(value, float):
        item = QTableWidgetItem(f"{value:.{DECIMALS.get(field, 1)}f}")
    else:
        item = QTableWidgetItem(str(value))
    if isinstance(value, (int, float)):
        item.setTextAlignment(_RIGHT)
    item.setFlags(_FLAGS)
    return item


def columns_of(table: DamageTable) -> tuple[tuple[str, str], ...]:
    """The columns shown for ``table`` (the change columns only with a before date)."""
    return COLUMNS + (CHANGE_COLUMNS if table.before else ())


def shown_rows(table: DamageTable) -> list[int]:
    """Positions in ``table.rows`` of the rows shown, in the grid's order (no per-type rows)."""
    return [number for number, row in enumerate(table.rows) if row.type is None]


def fill(grid: QTableWidget, table: DamageTable) -> None:
    """Show every row of ``table`` in ``grid``, headers included."""
    columns = columns_of(table)
    rows = shown_rows(table)
    grid.clear()
    grid.setColumnCount(len(columns))
    grid.setHorizontalHeaderLabels([label for _, label in columns])
    for number, (field, _) in enumerate(columns):
        grid.horizontalHeaderItem(number).setToolTip(field)
    grid.setRowCount(len(rows))
    refill(grid, table, rows)


def refill(grid: QTableWidget, table: DamageTable, positions: Iterable[int]) -> None:
    """Show again the rows of ``table`` at ``positions`` (the others are left as they are)."""
    columns = columns_of(table)
    grid_row = {position: number for number, position in enumerate(shown_rows(table))}
    for position in positions:
        if position not in grid_row:
            continue
        row = table.rows[position]
        for column, (field, _) in enumerate(columns):
            grid.setItem(grid_row[position], column, cell(field, getattr(row, field)))
