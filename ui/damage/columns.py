"""Which columns of the Damage table are shown: the key ones by default, the rest on demand.

Nineteen columns do not fit a dock; the analyst reads the compound, how many structures stand,
how many are destroyed, the two percentages and what changed since the before date. Every
other column is one click away (the *Columns* button or a right click on the header) and the
choice is kept in QGIS's settings.
"""

from __future__ import annotations

from collections.abc import Sequence

from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QPoint, Qt
from qgis.PyQt.QtGui import QAction
from qgis.PyQt.QtWidgets import QMenu, QTableWidget, QToolButton

from .. import settings

KEY_FIELDS = ("compound", "name", "n_struct", "n_destroy", "pct_destr", "pct_damag", "n_newdmg")
"""The columns shown until the analyst chooses otherwise."""
SETTING = settings.PREFIX + "damage_columns"
MAX_COLUMN_WIDTH = 110
"""Pixels; a longer compound name is elided (its full text in the cell's tooltip)."""


def header_text(label: str) -> str:
    """``label`` on two lines at its first space ("% destroyed" → "%\ndestroyed")."""
    return label.replace(" ", "\n", 1)


def shown_fields() -> set[str]:
    """The fields whose columns are shown (the analyst's last choice, else :data:`KEY_FIELDS`)."""
    stored = QgsSettings().value(SETTING, "", type=str)
    return set(stored.split(",")) if stored else set(KEY_FIELDS)


class ColumnChooser:
    """Hides and shows the columns of ``grid``; ``columns`` are its (field, label) pairs."""

    def __init__(self, grid: QTableWidget):
        self.grid = grid
        self.columns: Sequence[tuple[str, str]] = ()
        self.button = QToolButton()
        self.button.setText("Columns")
        self.button.setToolTip("Show or hide columns of the table (also: right click on its header)")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.button)
        self.menu.aboutToShow.connect(self._fill_menu)
        self.button.setMenu(self.menu)
        header = grid.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)

    def apply(self, columns: Sequence[tuple[str, str]]) -> None:
        """Show the chosen columns of a table just filled with ``columns`` (compound always)."""
        self.columns = tuple(columns)
        shown = shown_fields() | {"compound"}
        for number, (field, label) in enumerate(self.columns):
            self.grid.setColumnHidden(number, field not in shown)
            header = self.grid.horizontalHeaderItem(number)
            if header is not None:  # two lines: the figures are narrow, the labels make the width
                header.setText(header_text(label))
        self.grid.resizeColumnsToContents()
        for number in range(len(self.columns)):  # long compound names are elided, not widened for
            if self.grid.columnWidth(number) > MAX_COLUMN_WIDTH:
                self.grid.setColumnWidth(number, MAX_COLUMN_WIDTH)
                for row in range(self.grid.rowCount()):
                    item = self.grid.item(row, number)
                    if item is not None and not item.toolTip():
                        item.setToolTip(item.text())

    def set_shown(self, field: str, shown: bool) -> None:
        fields = shown_fields() | {field} if shown else shown_fields() - {field}
        QgsSettings().setValue(SETTING, ",".join(sorted(fields)))
        self.apply(self.columns)

    def show_key_columns(self) -> None:
        QgsSettings().remove(SETTING)
        self.apply(self.columns)

    def show_all(self) -> None:
        QgsSettings().setValue(SETTING, ",".join(field for field, _ in self.columns))
        self.apply(self.columns)

    def _fill_menu(self) -> None:
        self.menu.clear()
        shown = shown_fields()
        for field, label in self.columns:
            if field == "compound":
                continue
            action = QAction(label, self.menu)
            action.setCheckable(True)
            action.setChecked(field in shown)
            action.toggled.connect(lambda on, field=field: self.set_shown(field, on))
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.menu.addAction("Key columns only").triggered.connect(self.show_key_columns)
        self.menu.addAction("All columns").triggered.connect(self.show_all)

    def _header_menu(self, position: QPoint) -> None:
        self._fill_menu()
        self.menu.popup(self.grid.horizontalHeader().mapToGlobal(position))
