"""The SiteWatch compare map tool: keys switch the comparison, dragging moves the divider."""

from __future__ import annotations

from qgis.gui import QgsMapCanvas, QgsMapMouseEvent, QgsMapTool
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QKeyEvent

from ..key_claim import KeyClaim
from .canvas_overlay import CompareMode
from .comparison import KEYS_HELP, Comparison

MODE_KEYS = {
    Qt.Key.Key_B: CompareMode.BEFORE,
    Qt.Key.Key_A: CompareMode.AFTER,
    Qt.Key.Key_S: CompareMode.SWIPE,
}
STEP_KEYS = {Qt.Key.Key_BracketLeft: -1, Qt.Key.Key_BracketRight: +1}
KEYS = frozenset({*MODE_KEYS, Qt.Key.Key_F, Qt.Key.Key_V, *STEP_KEYS})
"""Every single key the compare tool acts on."""


class CompareMapTool(QgsMapTool):
    def __init__(self, canvas: QgsMapCanvas, comparison: Comparison):
        super().__init__(canvas)
        self.comparison = comparison
        self.setCursor(Qt.CursorShape.SplitHCursor)
        self._dragging = False
        self.key_claim = KeyClaim(lambda: KEYS, self)

    def activate(self) -> None:
        super().activate()
        self.canvas().installEventFilter(self.key_claim)
        if not self.comparison.active:
            self.comparison.start()

    def deactivate(self) -> None:
        self.canvas().removeEventFilter(self.key_claim)
        super().deactivate()

    @staticmethod
    def tooltip() -> str:
        return "SiteWatch compare: swipe, flicker or switch between the before and after images.\n" + KEYS_HELP

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        if event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier & ~Qt.KeyboardModifier.KeypadModifier:
            event.ignore()  # leave Ctrl+… shortcuts to QGIS
            return
        if key in MODE_KEYS:
            self.comparison.set_mode(MODE_KEYS[key])
        elif key == Qt.Key.Key_F:
            self.comparison.toggle_flicker()
        elif key == Qt.Key.Key_V:
            self.comparison.set_vertical(not self.comparison.vertical)
            self._update_cursor()
        elif key in STEP_KEYS:
            self.comparison.step_requested.emit(STEP_KEYS[key])
        else:
            event.ignore()
            return
        event.accept()

    def _update_cursor(self) -> None:
        self.setCursor(Qt.CursorShape.SplitHCursor if self.comparison.vertical else Qt.CursorShape.SplitVCursor)

    def canvasPressEvent(self, event: QgsMapMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if self.comparison.mode != CompareMode.SWIPE:
            self.comparison.set_mode(CompareMode.SWIPE)
        self._dragging = True
        self._move_divider(event)

    def canvasMoveEvent(self, event: QgsMapMouseEvent) -> None:
        if self._dragging:
            self._move_divider(event)

    def canvasReleaseEvent(self, event: QgsMapMouseEvent) -> None:
        if self._dragging:
            self._move_divider(event)
            self._dragging = False

    def _move_divider(self, event: QgsMapMouseEvent) -> None:
        item = self.comparison.item
        if item is not None:
            self.comparison.set_divider(item.divider_at(event.originalPixelPoint()))
