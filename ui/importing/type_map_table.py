"""The type map of the footprint Import dialog: source value → SiteWatch type, one row each.

It opens with OSM's ``building=*`` values and their default types, so an analyst sees what an
OSM extract becomes; a preview adds the values it found unmapped (with their counts, as
``other``) so each can be given a type before importing."""

from __future__ import annotations

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QBrush, QColor
from qgis.PyQt.QtWidgets import QComboBox, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from ...core import values
from ...core.importing.type_map import OSM_BUILDING_TYPES

VALUE, TYPE, COUNT = range(3)
UNMAPPED_COLOUR = QColor("#fff3cd")
"""Background of the rows a preview found unmapped (a pale amber: look here)."""


class TypeMapTable(QTableWidget):
    """Editable rows of (source value, SiteWatch type); the count column is filled by a preview."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 3, parent)
        self.setHorizontalHeaderLabels(["Source value", "SiteWatch type", "Unmapped features"])
        header = self.horizontalHeader()
        header.setSectionResizeMode(VALUE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(TYPE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COUNT, QHeaderView.ResizeMode.ResizeToContents)
        self.verticalHeader().setVisible(False)
        self.setToolTip(
            "How values of the type field become SiteWatch types. OSM building=* values are filled in; "
            "values not listed become 'other' (a preview lists them here with their counts)."
        )
        for value, code in OSM_BUILDING_TYPES.items():
            self.add_row(value, code)

    def add_row(self, value: str = "", code: str = "other", count: int | None = None) -> int:
        row = self.rowCount()
        self.insertRow(row)
        self.setItem(row, VALUE, QTableWidgetItem(value))
        combo = QComboBox()
        for item in values.STRUCTURE_TYPES:
            combo.addItem(item.label, item.code)
        combo.setCurrentIndex(max(0, combo.findData(code)))
        self.setCellWidget(row, TYPE, combo)
        counted = QTableWidgetItem("" if count is None else str(count))
        counted.setFlags(counted.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.setItem(row, COUNT, counted)
        if count is not None:
            for column in (VALUE, COUNT):
                self.item(row, column).setBackground(QBrush(UNMAPPED_COLOUR))
        return row

    def remove_selected(self) -> None:
        for row in sorted({index.row() for index in self.selectedIndexes()}, reverse=True):
            self.removeRow(row)

    def row_of(self, value: str) -> int | None:
        wanted = value.strip().lower()
        for row in range(self.rowCount()):
            if self.item(row, VALUE).text().strip().lower() == wanted:
                return row
        return None

    def set_type(self, value: str, code: str) -> None:
        """Map ``value`` to ``code`` (a row is added when there is none)."""
        row = self.row_of(value)
        if row is None:
            self.add_row(value, code)
        else:
            combo = self.cellWidget(row, TYPE)
            combo.setCurrentIndex(max(0, combo.findData(code)))

    def show_unmapped(self, unmapped: dict[str, int]) -> None:
        """List the values a preview found unmapped, with their counts, at the top of the table."""
        for row in range(self.rowCount()):
            self.item(row, COUNT).setText("")
        for value, count in sorted(unmapped.items(), key=lambda item: (-item[1], item[0])):
            row = self.row_of(value)
            if row is None:
                row = self.add_row(value, "other", count)
            self.item(row, COUNT).setText(str(count))
            for column in (VALUE, COUNT):
                self.item(row, column).setBackground(QBrush(UNMAPPED_COLOUR))
        for row in range(self.rowCount()):
            if self.item(row, COUNT).text():
                self.scrollToItem(self.item(row, VALUE))
                break

    def mapping(self) -> dict[str, str]:
        """The rows as the type map the import uses (values compared case-insensitively)."""
        mapping = {}
        for row in range(self.rowCount()):
            value = self.item(row, VALUE).text().strip()
            if value:
                mapping[value.lower()] = self.cellWidget(row, TYPE).currentData()
        return mapping
