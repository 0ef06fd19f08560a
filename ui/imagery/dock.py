"""The Imagery panel: the site's images by date, the before/after pair and the comparison.

A widget only: every action is a signal the :class:`~.imagery_part.ImageryPart` handles.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import Qt, pyqtBoundSignal, pyqtSignal
from qgis.PyQt.QtGui import QDragEnterEvent, QDropEvent
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.imagery.layers import describe
from ...core.imagery.registry import ImageRecord
from ..compare.canvas_overlay import CompareMode
from ..compare.comparison import KEYS_HELP
from ..dock_layout import SMALL_LIST_HEIGHT, scrolling

COLUMNS = ("Date", "Source", "Sensor", "File")
EDITABLE = {0: "acquired", 1: "source", 2: "sensor"}
ID_ROLE = Qt.ItemDataRole.UserRole


class ImageryPanel(QgsDockWidget):
    add_files_requested = pyqtSignal()
    add_layers_requested = pyqtSignal()
    files_dropped = pyqtSignal(list)
    relink_requested = pyqtSignal(str)
    remove_requested = pyqtSignal(str)
    overviews_requested = pyqtSignal(str)
    edited = pyqtSignal(str, str, str)
    """(image_id, field, new text) after the analyst edits a date, source or sensor."""
    pair_chosen = pyqtSignal(str, str)
    """(before image_id, after image_id)."""
    mode_chosen = pyqtSignal(object)
    """A :class:`CompareMode`, or None to stop comparing."""
    side_by_side_toggled = pyqtSignal(bool)
    vertical_toggled = pyqtSignal(bool)
    opacity_changed = pyqtSignal(float)
    blink_changed = pyqtSignal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("SiteWatch imagery", parent)
        self.setObjectName("SiteWatchImageryPanel")
        self.setToolTip("The site's images by date. Drop image files here to add them.\n" + KEYS_HELP)
        self.setAcceptDrops(True)
        self.records: list[ImageRecord] = []
        self.missing: set[str] = set()
        self._filling = False
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self._build_table())
        layout.addLayout(self._build_list_buttons())
        layout.addLayout(self._build_pair())
        layout.addLayout(self._build_compare())
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        help_label = QLabel(KEYS_HELP)
        help_label.setWordWrap(True)
        help_label.setEnabled(False)
        layout.addWidget(help_label)
        self.setWidget(scrolling(body))
        self.show_records([], set())

    # -- building ---------------------------------------------------------------------------

    def _build_table(self) -> QTableWidget:
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(SMALL_LIST_HEIGHT)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setToolTip("Double-click a date (YYYY-MM-DD), source or sensor to correct it")
        self.table.itemChanged.connect(self._item_changed)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        return self.table

    def _button(self, text: str, tip: str, slot: Callable[..., object]) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def _build_list_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.add_button = self._button(
            "Add…",
            "Add image files (GeoTIFF, COG, VRT, JPEG2000, …); or drop files on this panel",
            self.add_files_requested.emit,
        )
        self.layers_button = self._button(
            "From layers…", "Add raster layers already in the project", self.add_layers_requested.emit
        )
        self.relink_button = self._button(
            "Relink…", "Point the selected image at its moved file", lambda: self._with_selected(self.relink_requested)
        )
        self.overviews_button = self._button(
            "Overviews",
            "Build overviews so the selected big image draws fast",
            lambda: self._with_selected(self.overviews_requested),
        )
        self.remove_button = self._button(
            "Remove",
            "Unregister the selected image (the file is kept)",
            lambda: self._with_selected(self.remove_requested),
        )
        for button in (
            self.add_button,
            self.layers_button,
            self.relink_button,
            self.overviews_button,
            self.remove_button,
        ):
            row.addWidget(button)
        return row

    def _build_pair(self) -> QFormLayout:
        form = QFormLayout()
        self.before_combo = QComboBox()
        self.before_combo.setToolTip("The earlier image of the comparison")
        self.after_combo = QComboBox()
        self.after_combo.setToolTip("The later image of the comparison")
        for combo in (self.before_combo, self.after_combo):
            combo.activated.connect(self._pair_picked)
        form.addRow("Before", self.before_combo)
        form.addRow("After", self.after_combo)
        return form

    def _build_compare(self) -> QVBoxLayout:
        column = QVBoxLayout()
        modes = QHBoxLayout()
        self.mode_buttons: dict[CompareMode, QPushButton] = {}
        for mode, text, key in (
            (CompareMode.SWIPE, "Swipe", "S"),
            (CompareMode.FLICKER, "Flicker", "F"),
            (CompareMode.BEFORE, "Before", "B"),
            (CompareMode.AFTER, "After", "A"),
        ):
            button = self._button(
                text, f"{text} ({key} with the compare tool)", lambda _=False, mode=mode: self.mode_chosen.emit(mode)
            )
            button.setCheckable(True)
            self.mode_buttons[mode] = button
            modes.addWidget(button)
        self.stop_button = self._button("Stop", "Take the comparison off the map", lambda: self.mode_chosen.emit(None))
        modes.addWidget(self.stop_button)
        column.addLayout(modes)
        options = QFormLayout()
        self.side_by_side_box = QCheckBox("Side by side (before in a second map)")
        self.side_by_side_box.toggled.connect(self.side_by_side_toggled.emit)
        self.horizontal_box = QCheckBox("Horizontal divider (V)")
        self.horizontal_box.toggled.connect(lambda on: self.vertical_toggled.emit(not on))
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal)
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setValue(100)
        self.opacity_slider.setToolTip("Opacity of the after image over the before image")
        self.opacity_slider.valueChanged.connect(lambda value: self.opacity_changed.emit(value / 100))
        self.blink_spin = QSpinBox()
        self.blink_spin.setRange(0, 5000)
        self.blink_spin.setSingleStep(100)
        self.blink_spin.setSuffix(" ms")
        self.blink_spin.setSpecialValueText("on the F key")
        self.blink_spin.setToolTip("Flicker: blink every so many milliseconds (0: only when F is pressed)")
        self.blink_spin.valueChanged.connect(self.blink_changed.emit)
        options.addRow(self.side_by_side_box)
        options.addRow(self.horizontal_box)
        options.addRow("After opacity", self.opacity_slider)
        options.addRow("Flicker", self.blink_spin)
        column.addLayout(options)
        return column

    # -- showing ----------------------------------------------------------------------------

    def show_records(self, records: list[ImageRecord], missing: set[str]) -> None:
        """List ``records`` (oldest first); ``missing`` are ids whose file is not found."""
        self._filling = True
        self.records, self.missing = list(records), set(missing)
        self.table.setRowCount(len(records))
        for row, record in enumerate(records):
            texts = (
                record.acquired or "",
                record.source or "",
                record.sensor or "",
                "missing — relink" if record.image_id in missing else Path(record.uri or "").name,
            )
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, record.image_id)
                if column not in EDITABLE:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                item.setToolTip(f"{record.image_id}: {record.uri} {describe(record)}")
                self.table.setItem(row, column, item)
            if not record.acquired:
                self.table.item(row, 0).setToolTip("No date yet: double-click and type it as YYYY-MM-DD")
        for combo in (self.before_combo, self.after_combo):
            current = combo.currentData()
            combo.clear()
            for record in records:
                combo.addItem(record.label(), record.image_id)
            combo.setCurrentIndex(max(0, combo.findData(current)))
        self._filling = False
        self._update_buttons()

    def show_pair(self, before: ImageRecord | None, after: ImageRecord | None) -> None:
        for combo, record in ((self.before_combo, before), (self.after_combo, after)):
            combo.setCurrentIndex(combo.findData(record.image_id) if record else -1)

    def show_mode(self, mode: CompareMode | None, side_by_side: bool, vertical: bool) -> None:
        for button_mode, button in self.mode_buttons.items():
            button.setChecked(button_mode == mode)
        for box, value in ((self.side_by_side_box, side_by_side), (self.horizontal_box, not vertical)):
            box.blockSignals(True)
            box.setChecked(value)
            box.blockSignals(False)

    def selected_id(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(ID_ROLE) if items else None

    def select(self, image_id: str) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(ID_ROLE) == image_id:
                self.table.selectRow(row)

    # -- reacting ---------------------------------------------------------------------------

    def _with_selected(self, signal: pyqtBoundSignal) -> None:
        image_id = self.selected_id()
        if image_id:
            signal.emit(image_id)

    def _update_buttons(self) -> None:
        selected = self.selected_id()
        for button in (self.remove_button, self.overviews_button):
            button.setEnabled(selected is not None)
        self.relink_button.setEnabled(selected is not None)
        font = self.relink_button.font()
        font.setBold(selected in self.missing)  # the way out for a missing file stands out
        self.relink_button.setFont(font)
        pair = len(self.records) >= 2
        for button in (*self.mode_buttons.values(), self.stop_button):
            button.setEnabled(pair)
        self.status.setText(
            f"{len(self.missing)} image file(s) missing: select and Relink."
            if self.missing
            else ""
            if pair
            else "Add at least two images of the site to compare them."
        )

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if not self._filling and item.column() in EDITABLE:
            self.edited.emit(item.data(ID_ROLE), EDITABLE[item.column()], item.text().strip())

    def _pair_picked(self) -> None:
        before, after = self.before_combo.currentData(), self.after_combo.currentData()
        if before and after:
            self.pair_chosen.emit(before, after)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)
