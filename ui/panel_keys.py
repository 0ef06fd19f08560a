"""SiteWatch's keys wherever the analyst's focus is: on the map or in a SiteWatch panel.

After a click on a panel button (*Swipe*, *Next (N) ▶*) or a double click on a list row the
keyboard focus used to stay in the dock, where ``2`` or ``F`` did nothing and no message said
why. This filter, installed on the widgets of SiteWatch's panels and on the map:

- hands the keys of the active SiteWatch map tool (and the compare keys) typed in a SiteWatch
  panel to that tool, as if typed on the map; text fields keep every key, and lists, sliders
  and combo boxes keep the keys they move with (arrows, Enter, Page Up/Down, Home, End);
- says in the message bar why a SiteWatch key does nothing (no SiteWatch tool chosen, no
  image pair to compare) instead of dropping it, also on the map while a SiteWatch tool that
  does not take the key (the compare tool) is active;
- gives the focus back to the map after a panel button was clicked or a row double-clicked;
- makes the click that gives the map the keyboard focus a focus click only: while a
  SiteWatch tool is active it neither moves the swipe divider, selects a structure nor draws.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection

from qgis.core import Qgis
from qgis.gui import QgsMapCanvas, QgsMapTool
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QEvent, QObject, Qt, QTimer
from qgis.PyQt.QtGui import QFocusEvent, QKeyEvent
from qgis.PyQt.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QDockWidget,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from .annotation.draw_tools import SiteWatchTool
from .compare.tool import KEYS as COMPARE_KEYS
from .compare.tool import CompareMapTool

PANEL_PREFIX = "SiteWatch"
"""Object names of SiteWatch's docks start with this."""
MOVING_KEYS = frozenset(
    {
        Qt.Key.Key_Left,
        Qt.Key.Key_Right,
        Qt.Key.Key_Up,
        Qt.Key.Key_Down,
        Qt.Key.Key_Return,
        Qt.Key.Key_Enter,
        Qt.Key.Key_Space,
        Qt.Key.Key_PageUp,
        Qt.Key.Key_PageDown,
        Qt.Key.Key_Home,
        Qt.Key.Key_End,
        Qt.Key.Key_Delete,
    }
)
"""Keys lists, sliders and combo boxes move or act with: they keep them."""
TEXT_WIDGETS = (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)
MOVING_WIDGETS = (QAbstractItemView, QAbstractSlider, QComboBox)
MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
    | Qt.KeyboardModifier.ShiftModifier
)
MOUSE_EVENTS = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.MouseButtonRelease)


def sitewatch_panel(widget: QWidget | None) -> QDockWidget | None:
    """The SiteWatch dock holding ``widget`` (or being it), if any."""
    while widget is not None:
        if isinstance(widget, QDockWidget) and widget.objectName().startswith(PANEL_PREFIX):
            return widget
        widget = widget.parentWidget()
    return None


def key_name(event: QKeyEvent) -> str:
    return event.text().upper().strip() or f"key {event.key()}"


class PanelKeys(QObject):
    """The application's event filter routing SiteWatch keys (see the module docstring).

    ``tool_keys(tool)`` gives the single keys a map tool acts on, or None when it is not a
    SiteWatch tool; ``compare_key(event)`` handles the compare keys ``compare_keys``;
    ``review_keys`` are the keys that need a SiteWatch tool; ``notify(text, level)`` speaks."""

    def __init__(
        self,
        canvas: QgsMapCanvas,
        tool_keys: Callable[[QgsMapTool | None], Collection[int] | None],
        compare_keys: Collection[int],
        compare_key: Callable[[QKeyEvent], None],
        review_keys: Collection[int],
        notify: Callable[[str, Qgis.MessageLevel], None],
    ):
        super().__init__(canvas)
        self.canvas = canvas
        self.tool_keys = tool_keys
        self.compare_keys = frozenset(compare_keys)
        self.compare_key = compare_key
        self.review_keys = frozenset(review_keys)
        self.notify = notify
        self._focus_click = False
        self._swallowing = False
        self._watched: list[QWidget] = []
        self._panels: list[tuple[QDockWidget, Callable[[bool], None]]] = []
        canvas.installEventFilter(self)
        canvas.viewport().installEventFilter(self)

    def watch(self, panel: QDockWidget) -> None:
        """Route the keys typed in ``panel`` (a SiteWatch dock). The filter sits on the panel's
        widgets, not on the application: PyQt wraps every object an application-wide filter
        sees, and wrapping one being destroyed crashes QGIS. Widgets added later are watched
        when the panel is shown again."""
        if all(watched is not panel for watched, _ in self._panels):
            slot = functools.partial(self._shown, panel)
            panel.visibilityChanged.connect(slot)
            self._panels.append((panel, slot))
        self._watch_widgets(panel)

    def _shown(self, panel: QDockWidget, visible: bool) -> None:
        if visible:
            self._watch_widgets(panel)

    def _watch_widgets(self, panel: QDockWidget) -> None:
        self._watched = [widget for widget in self._watched if not sip.isdeleted(widget)]  # closed before maps
        self._panels = [(watched, slot) for watched, slot in self._panels if not sip.isdeleted(watched)]
        for widget in (panel, *panel.findChildren(QWidget)):
            if widget not in self._watched:
                widget.installEventFilter(self)
                self._watched.append(widget)

    def unload(self) -> None:
        """Remove every filter (before the panels are deleted)."""
        for widget in self._watched:
            if not sip.isdeleted(widget):
                widget.removeEventFilter(self)
        self._watched = []
        for panel, slot in self._panels:
            if not sip.isdeleted(panel):
                panel.visibilityChanged.disconnect(slot)
        self._panels = []
        self.canvas.removeEventFilter(self)
        self.canvas.viewport().removeEventFilter(self)

    def give_focus_to_map(self) -> None:
        """Keyboard focus to the map, so the next key reaches the map tool."""
        self.canvas.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- the filter ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            return isinstance(watched, QWidget) and self._panel_key(watched, event)  # type: ignore[arg-type]
        if watched is self.canvas and kind == QEvent.Type.FocusIn:
            self._focus_click = isinstance(event, QFocusEvent) and event.reason() == Qt.FocusReason.MouseFocusReason
            return False
        if watched is self.canvas.viewport() and kind in MOUSE_EVENTS:
            return self._focus_click_only(kind)
        if kind in (QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick) and isinstance(watched, QWidget):
            self._after_panel_click(watched, kind)
        return False

    def _panel_key(self, widget: QWidget, event: QKeyEvent) -> bool:
        if event.modifiers() & MODIFIERS or isinstance(widget, TEXT_WIDGETS):
            return False
        if isinstance(widget, QComboBox) and widget.isEditable():
            return False
        if widget is self.canvas:
            self._map_key(event)
            return False
        if sitewatch_panel(widget) is None:
            return False
        key = event.key()
        if key in MOVING_KEYS and isinstance(widget, MOVING_WIDGETS):
            return False
        tool = self.canvas.mapTool()
        keys = self.tool_keys(tool)
        if keys is not None and key in keys:
            if event.type() == QEvent.Type.KeyPress:
                tool.keyPressEvent(event)  # type: ignore[union-attr]
            event.accept()
            return True
        if key in self.compare_keys:
            if event.type() == QEvent.Type.KeyPress:
                self.compare_key(event)
            event.accept()
            return True
        if key in self.review_keys:
            if event.type() == QEvent.Type.KeyPress:
                self.notify(self._why_not(event, tool), Qgis.MessageLevel.Warning)
            event.accept()
            return True
        return False

    def _map_key(self, event: QKeyEvent) -> None:
        """A review key typed on the map while a SiteWatch tool that does not take it is active
        (e.g. the compare tool): say why nothing happens. With other tools the map is QGIS's."""
        tool = self.canvas.mapTool()
        keys = self.tool_keys(tool)
        key = event.key()
        if (
            event.type() == QEvent.Type.KeyPress
            and keys is not None
            and key not in keys
            and key in self.review_keys
            and key not in self.compare_keys
        ):
            self.notify(self._why_not(event, tool), Qgis.MessageLevel.Warning)

    def _why_not(self, event: QKeyEvent, tool: QgsMapTool | None) -> str:
        current = tool.action().text() if tool is not None and tool.action() is not None else "none"
        return (
            f"{key_name(event)}: SiteWatch's review keys act while the Review states tool is chosen "
            f"(SiteWatch toolbar); the map's current tool is {current!r}."
        )

    def _focus_click_only(self, kind: QEvent.Type) -> bool:
        """Swallow the press, drag and release of the click that gave the map its focus while a
        SiteWatch tool is active."""
        if kind == QEvent.Type.MouseButtonPress:
            self._swallowing = self._focus_click and self.tool_keys(self.canvas.mapTool()) is not None
            self._focus_click = False
            return self._swallowing
        if self._swallowing:
            if kind == QEvent.Type.MouseButtonRelease:
                self._swallowing = False
            return True
        return False

    def _after_panel_click(self, widget: QWidget, kind: QEvent.Type) -> None:
        if sitewatch_panel(widget) is None:
            return
        clicked_button = kind == QEvent.Type.MouseButtonRelease and isinstance(widget, QAbstractButton)
        view = widget.parentWidget()
        double_clicked_row = (
            kind == QEvent.Type.MouseButtonDblClick
            and isinstance(view, QAbstractItemView)
            and not view.editTriggers() & QAbstractItemView.EditTrigger.DoubleClicked  # editing keeps the focus
        )
        if clicked_button or double_clicked_row:
            QTimer.singleShot(0, self.give_focus_to_map)


def sitewatch_tool_keys(tool: QgsMapTool | None) -> Collection[int] | None:
    """The single keys a SiteWatch map tool acts on; None for any other tool."""
    if isinstance(tool, SiteWatchTool):
        return tool.claimed_keys()
    if isinstance(tool, CompareMapTool):
        return COMPARE_KEYS
    return None


class CompareKeys:
    """The compare keys (B A S F V [ ]) from any SiteWatch tool or panel: handed to the compare
    tool, or a message when there is no image pair to compare."""

    def __init__(self, tool: CompareMapTool, notify: Callable[[str, Qgis.MessageLevel], None]):
        self.tool = tool
        self.notify = notify

    def __call__(self, event: QKeyEvent) -> None:
        if event.key() in COMPARE_KEYS and not event.modifiers() & MODIFIERS and None in self.tool.comparison.layers:
            self.notify(
                f"{key_name(event)}: nothing to compare yet; choose a before and an after image in the "
                "SiteWatch imagery panel.",
                Qgis.MessageLevel.Warning,
            )
            event.ignore()
            return
        self.tool.keyPressEvent(event)
