"""The before/after comparison on the main canvas: mode, divider, flicker, opacity, side by side.

The panel and the compare map tool both drive one :class:`Comparison`; it owns the
:class:`ComparisonItem` painted over the canvas, the blink timer and the side-by-side dock.
"""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import QgsExpressionContextScope, QgsMapLayer
from qgis.gui import QgsMapCanvas
from qgis.PyQt.QtCore import QObject, QTimer, pyqtSignal

from .canvas_overlay import CompareMode, ComparisonItem, layers_showing
from .side_by_side import SideBySideDock
from .side_states import BEFORE, SideStates

KEYS_HELP = (
    "Keys while the SiteWatch compare tool is active: "
    "B before · A after · S swipe · F flicker on/off · V vertical/horizontal divider · "
    "[ previous pair of dates · ] next pair · drag to move the divider"
)


class Comparison(QObject):
    changed = pyqtSignal()
    """Mode, divider orientation, side by side or the pair changed (the panel follows)."""
    step_requested = pyqtSignal(int)
    """-1 / +1: the analyst asked for the previous / next pair of dates."""
    side_by_side_opened = pyqtSignal(object)
    """The side-by-side before map (a SideBySideDock) was added to the window."""

    def __init__(self, canvas: QgsMapCanvas, add_dock: Callable[[SideBySideDock], None] | None = None):
        super().__init__(canvas)
        self.canvas = canvas
        self.add_dock = add_dock
        self.item: ComparisonItem | None = None
        self.side_by_side: SideBySideDock | None = None
        self.layers: tuple[QgsMapLayer | None, QgsMapLayer | None] = (None, None)
        self.labels = ("", "")
        self.mode = CompareMode.SWIPE
        self.vertical = True
        self.after_opacity = 1.0
        self.blink = QTimer(self)
        self.blink.timeout.connect(self.toggle_flicker)
        self.blink_ms = 0
        self.side_states: SideStates | None = None
        canvas.layersChanged.connect(self._update_side_by_side)

    def set_side_states(self, states: SideStates | None) -> None:
        """Draw each side's structures at its own date from ``states`` (set by the plugin)."""
        if self.side_states is not None:
            self.side_states.changed.disconnect(self._states_changed)
            self.side_states.updated.disconnect(self._states_updated)
        self.side_states = states
        if states is not None:
            states.changed.connect(self._states_changed)
            states.updated.connect(self._states_updated)
            self._states_changed()

    def _scope_for(self, side: int) -> QgsExpressionContextScope | None:
        return self.side_states.scope(side) if self.side_states is not None else None

    def _states_changed(self) -> None:
        """New dates or another assessment: render both sides and the before map again."""
        if self.item is not None:
            self.item.render()
        if self.side_by_side is not None:
            self.side_by_side.set_scope(self._scope_for(BEFORE))
            self.side_by_side.canvas.refresh()

    def _states_updated(self) -> None:
        """A few states changed: the before map takes the new scope before its coming repaint."""
        if self.side_by_side is not None:
            self.side_by_side.set_scope(self._scope_for(BEFORE))

    @property
    def active(self) -> bool:
        return self.item is not None

    def set_pair(self, before: QgsMapLayer | None, after: QgsMapLayer | None, labels: tuple[str, str]) -> None:
        self.layers, self.labels = (before, after), labels
        if self.item is not None:
            self.item.set_layers(before, after, labels)
        self._update_side_by_side()
        self.changed.emit()

    def start(self, mode: CompareMode | None = None) -> None:
        """Show the comparison over the canvas (in ``mode``, or the last one)."""
        if self.item is None:
            self.item = ComparisonItem(self.canvas)
            self.item.scope_for = self._scope_for
            self.item.set_vertical(self.vertical)
            self.item.set_after_opacity(self.after_opacity)
            self.item.set_layers(*self.layers, self.labels)
        self.set_mode(mode or self.mode)

    def stop(self) -> None:
        """Take the comparison off the canvas (the map shows the layers as they are)."""
        self.blink.stop()
        if self.item is not None:
            self.item.unload()
            self.item = None
        self.show_side_by_side(False)
        self.changed.emit()

    def set_mode(self, mode: CompareMode) -> None:
        self.mode = mode
        if self.item is None:
            self.start(mode)
            return
        self.item.set_mode(mode)
        if mode == CompareMode.FLICKER:
            self.item.set_flicker_shows_after(True)
            self._restart_blink()
        else:
            self.blink.stop()
        self.changed.emit()

    def toggle_flicker(self) -> None:
        """Show the other image of the pair (flicker mode)."""
        if self.item is None or self.mode != CompareMode.FLICKER:
            self.set_mode(CompareMode.FLICKER)
            return
        self.item.set_flicker_shows_after(not self.item.flicker_shows_after)

    def set_blink_interval(self, milliseconds: int) -> None:
        """Blink every ``milliseconds`` in flicker mode; 0 flickers only on the F key."""
        self.blink_ms = max(0, milliseconds)
        self._restart_blink()

    def _restart_blink(self) -> None:
        self.blink.stop()
        if self.blink_ms and self.item is not None and self.mode == CompareMode.FLICKER:
            self.blink.start(self.blink_ms)

    def set_divider(self, fraction: float) -> None:
        if self.item is not None:
            self.item.set_divider(fraction)

    def set_vertical(self, vertical: bool) -> None:
        self.vertical = vertical
        if self.item is not None:
            self.item.set_vertical(vertical)
        self.changed.emit()

    def set_after_opacity(self, opacity: float) -> None:
        self.after_opacity = opacity
        if self.item is not None:
            self.item.set_after_opacity(opacity)

    def show_side_by_side(self, shown: bool) -> None:
        """A second canvas with the before image; the main canvas then shows the after image."""
        if shown and self.side_by_side is None:
            self.side_by_side = SideBySideDock(self.canvas)
            dock = self.side_by_side
            dock.closed.connect(lambda: self._side_by_side_closed(dock))
            if self.add_dock is not None:
                self.add_dock(self.side_by_side)
            self.side_by_side_opened.emit(dock)
            self.side_by_side.show()
            self._update_side_by_side()
            self.set_mode(CompareMode.AFTER)
        elif not shown and self.side_by_side is not None:
            dock, self.side_by_side = self.side_by_side, None
            dock.unload()
        self.changed.emit()

    def _side_by_side_closed(self, dock: SideBySideDock) -> None:
        """The analyst closed the before map with its close button: side by side ends."""
        if dock is self.side_by_side:
            self.show_side_by_side(False)

    def _update_side_by_side(self) -> None:
        before = self.layers[0]
        if self.side_by_side is not None and before is not None:
            self.side_by_side.set_scope(self._scope_for(BEFORE))
            self.side_by_side.show_layers(layers_showing(self.canvas.layers(), before), self.labels[0])

    def unload(self) -> None:
        self.set_side_states(None)
        self.stop()
        self.canvas.layersChanged.disconnect(self._update_side_by_side)
