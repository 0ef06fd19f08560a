"""The Damage panel: the damage table per compound, a stacked bar chart and the summary sentence,
kept up to date as observations are recorded.

The table is computed by :func:`core.damage.compound_damage` in a :class:`QgsTask` that opens
its own layers from the assessment's files (never the project layers), so the panel stays
responsive on large sites. After a review key, an undo or a redo (the session's
``observations_changed``) only the changed structures are moved (:class:`IncrementalDamage`)
and only their rows shown again. It recomputes the site when the observations project layer
reports other changes (``dataChanged``, ``afterCommitChanges``), when structures or compounds
are committed or reloaded, when the dates or image pair change, and whenever another part
calls :meth:`refresh`.
"""

from __future__ import annotations

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QAction
from qgis.PyQt.QtWidgets import QDockWidget

from ...core.imagery.registry import ImageRecord
from ..annotation.review_queue_dock import REVIEW_QUEUE_NAME
from ..context import InterfacePart, PluginContext
from ..dock_layout import fit_to_content, size_to_content_when_shown, stack_in_tabs
from ..icons import icon
from .dock import DamageDock


class DamagePanel(InterfacePart):
    """Adds the Damage panel and the toolbar button that shows and hides it."""

    def __init__(self, context: PluginContext):
        super().__init__(context)
        self.dock = DamageDock(context)
        context.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        size_to_content_when_shown(context.iface.mainWindow(), self.dock)
        # A before date adds change columns: widen to them.
        self.dock.refreshed.connect(lambda _table: fit_to_content(context.iface.mainWindow(), self.dock))
        self.action = QAction(icon("compound_damage"), "Damage per compound", context.iface.mainWindow())
        self.action.setCheckable(True)
        self.action.setToolTip("Damage per compound: show the live table, chart and summary of the open assessment")
        self.dock.setToggleVisibilityAction(self.action)
        self.action.toggled.connect(self._shown)
        context.toolbar.addAction(self.action)
        context.menu.addAction(self.action)
        session = context.session
        session.opened.connect(self.dock.attach)
        session.closed.connect(self.dock.detach)
        session.pair_changed.connect(self._pair_changed)
        if session.store is not None:
            self.dock.attach(session.store)

    def _shown(self, shown: bool) -> None:
        """Share a tab with the Review queue rather than stack under it (the window would
        otherwise have to be taller than the screen)."""
        window = self.context.iface.mainWindow()
        review_queue = window.findChild(QDockWidget, REVIEW_QUEUE_NAME)
        if shown and review_queue is not None:
            stack_in_tabs(window, review_queue, self.dock)

    def _pair_changed(self, _before: ImageRecord | None, _after: ImageRecord | None) -> None:
        if self.context.session.store is not None:
            self.dock.set_dates_from_session()

    def refresh(self) -> None:
        """Compute the table again (for other parts after they record observations)."""
        self.dock.refresh()

    def unload(self) -> None:
        session = self.context.session
        session.opened.disconnect(self.dock.attach)
        session.closed.disconnect(self.dock.detach)
        session.pair_changed.disconnect(self._pair_changed)
        self.action.toggled.disconnect(self._shown)
        self.dock.close_down()
        self.context.toolbar.removeAction(self.action)
        self.context.menu.removeAction(self.action)
        self.context.iface.removeDockWidget(self.dock)
        self.dock.deleteLater()
        self.action.deleteLater()
