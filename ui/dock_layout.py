"""Keeping SiteWatch's docks small enough to share the right side of the QGIS window.

QMainWindow makes the window at least as tall as the minimum heights of the docks stacked in
one area; three SiteWatch docks with tall tables would push it past the screen. Each dock's
body therefore scrolls instead of insisting on its full height, lists and charts ask for
little, and the Damage dock shares a tab with the Review queue when both are in one area.
"""

from __future__ import annotations

from qgis.PyQt import sip
from qgis.PyQt.QtCore import QEvent, QObject, QSize, Qt, QTimer
from qgis.PyQt.QtGui import QResizeEvent
from qgis.PyQt.QtWidgets import (
    QAbstractScrollArea,
    QDockWidget,
    QFrame,
    QMainWindow,
    QScrollArea,
    QStyle,
    QTableView,
    QWidget,
)

PANEL_PREFIX = "SiteWatch"
"""Object names of SiteWatch's docks start with this."""
LAYOUT_MARGIN = 11
"""A layout's margin on one side (QStyle's default) around a dock's table."""
SMALL_LIST_HEIGHT = 100
"""Minimum height in pixels of the lists, tables and charts inside the docks."""


class FittingScrollArea(QScrollArea):
    """A frameless scroll area that scrolls only what does not fit: its body gets the viewport's
    size, never less than the body's minimum size.

    QScrollArea's own resizing (``widgetResizable``) makes a body whose layout holds a
    word-wrapped label as tall as the layout's *preferred* height for the width: in QGIS at
    1366×768 the Damage dock's body came out 719 px tall in a 525 px viewport, its chart below
    the fold although the body's minimum was 393 px."""

    def __init__(self, body: QWidget):
        super().__init__()
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustIgnored)
        self.setWidgetResizable(False)
        self.setWidget(body)
        self._refit = QTimer(self)  # goes with the area: never fires on a deleted one
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self.fit)
        body.installEventFilter(self)

    def fit(self) -> None:
        body = self.widget()
        if body is None:
            return
        least, room = body.minimumSizeHint().expandedTo(body.minimumSize()), self.viewport().size()
        size = QSize(max(room.width(), least.width()), max(room.height(), least.height()))
        if body.size() != size:
            body.resize(size)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:  # a scroll bar came or went
            self._refit.start()
        return bool(super().viewportEvent(event))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:  # its minimum may have changed
            self._refit.start()
        return False


def scrolling(body: QWidget) -> QScrollArea:
    """``body`` in a frameless scroll area that fills the dock, so the dock can be shorter
    (or narrower) than the body's own minimum size (:class:`FittingScrollArea`)."""
    return FittingScrollArea(body)


def stack_in_tabs(window: QMainWindow, first: QDockWidget, second: QDockWidget) -> bool:
    """Put ``second`` in a tab beside ``first`` and bring it to the front, when both are docked
    in the same area of ``window`` and not already tabbed together; True when it did."""
    if first.isFloating() or second.isFloating():
        return False
    area = window.dockWidgetArea(first)
    if area == Qt.DockWidgetArea.NoDockWidgetArea or area != window.dockWidgetArea(second):
        return False
    if second in window.tabifiedDockWidgets(first):
        return False
    window.tabifyDockWidget(first, second)
    second.raise_()
    return True


MAX_DOCK_SHARE = 0.44
"""A dock sized to its content takes at most this share of the window's width."""
STACKING_SHARE = 0.8
"""Docks stack in one column only when their contents fill at most this share of its height:
QMainWindow does not split the column by the docks' needs."""


def content_width(dock: QDockWidget) -> int:
    """The width ``dock`` needs to show its body without cutting a control: the body's size
    hint, a vertical scroll bar and the dock's frame."""
    widget = dock.widget()
    body = widget.widget() if isinstance(widget, QScrollArea) else widget
    if body is None:
        return 0
    style = dock.style()
    frame = style.pixelMetric(QStyle.PixelMetric.PM_DockWidgetFrameWidth)
    scroll_bar = style.pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
    tables = [table_width(table) + 2 * LAYOUT_MARGIN for table in body.findChildren(QTableView)]
    return max([body.sizeHint().width(), *tables]) + scroll_bar + 2 * frame + 4


def table_width(table: QTableView) -> int:
    """The width showing every shown column of ``table`` (its size hint follows only the
    first columns unless it adjusts to contents, which would also make it ask for every row's
    height and push the controls under it out of the dock)."""
    columns = sum(table.columnWidth(c) for c in range(table.model().columnCount()) if not table.isColumnHidden(c))
    header = table.verticalHeader().width() if table.verticalHeader().isVisible() else 0
    scroll_bar = table.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
    return columns + header + scroll_bar + 2 * table.frameWidth()


def fit_to_content(window: QMainWindow, dock: QDockWidget) -> None:
    """Widen ``dock`` (docked and shown) to :func:`content_width`, within
    :data:`MAX_DOCK_SHARE` of the window; never narrows a dock the analyst widened."""
    if dock.isFloating() or not dock.isVisible() or window.dockWidgetArea(dock) == Qt.DockWidgetArea.NoDockWidgetArea:
        return
    width = min(content_width(dock), int(window.width() * MAX_DOCK_SHARE))
    if dock.width() < width:
        window.resizeDocks([dock], [width], Qt.Orientation.Horizontal)


def content_height(dock: QDockWidget) -> int:
    """The height ``dock``'s body needs, with its title bar."""
    widget = dock.widget()
    body = widget.widget() if isinstance(widget, QScrollArea) else widget
    title = dock.style().pixelMetric(QStyle.PixelMetric.PM_TitleBarHeight)
    return 0 if body is None else body.minimumSizeHint().height() + title


def _stacked_with(window: QMainWindow, dock: QDockWidget) -> list[QDockWidget]:
    """The other SiteWatch docks shown in ``dock``'s area, not in a tab with it."""
    area, tabbed = window.dockWidgetArea(dock), window.tabifiedDockWidgets(dock)
    return [
        other
        for other in window.findChildren(QDockWidget)
        if other is not dock
        and other.objectName().startswith(PANEL_PREFIX)
        and other.isVisible()
        and not other.isFloating()
        and window.dockWidgetArea(other) == area
        and other not in tabbed
    ]


def share_a_tab_when_short(window: QMainWindow, dock: QDockWidget) -> bool:
    """Put ``dock`` in a tab with the other SiteWatch docks shown in its area when stacking it
    under them would leave one of them shorter than its controls (1366×768: the Imagery
    panel's opacity and flicker controls fell below the fold); True when it did."""
    if dock.isFloating() or window.dockWidgetArea(dock) == Qt.DockWidgetArea.NoDockWidgetArea:
        return False
    others = _stacked_with(window, dock)
    if not others:
        return False
    central = window.centralWidget()
    available = central.height() if central is not None else window.height()
    title = dock.style().pixelMetric(QStyle.PixelMetric.PM_TitleBarHeight)
    needed = content_height(dock) + max(content_height(o) for o in others) + 2 * title  # + a tab bar each
    if needed <= available * STACKING_SHARE:
        return False
    window.tabifyDockWidget(others[0], dock)
    dock.raise_()
    return True


def size_to_content_when_shown(window: QMainWindow, dock: QDockWidget) -> None:
    """Each time ``dock`` is shown, give it room: a tab beside the other SiteWatch docks when
    the column is too short to stack it, and the width of its content (QGIS opens docks 244 px
    wide, cutting buttons and table columns)."""

    def arrange() -> None:
        if not sip.isdeleted(dock):
            share_a_tab_when_short(window, dock)
            fit_to_content(window, dock)

    def shown(visible: bool) -> None:
        if visible:
            QTimer.singleShot(0, arrange)

    dock.visibilityChanged.connect(shown)


def fit_shown_docks(window: QMainWindow) -> None:
    """Fit every shown SiteWatch dock to its content."""
    for dock in window.findChildren(QDockWidget):
        if dock.objectName().startswith(PANEL_PREFIX):
            fit_to_content(window, dock)


class FitOnGrowth(QObject):
    """Fits the shown SiteWatch docks each time the main window grows: QGIS loads plugins in
    a small window and restores its own layout after, so widths given at load are lost."""

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        window.installEventFilter(self)

    def unload(self) -> None:
        self.window.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Resize:
            QTimer.singleShot(0, self._fit)
        return False

    def _fit(self) -> None:
        if not sip.isdeleted(self.window):
            fit_shown_docks(self.window)
