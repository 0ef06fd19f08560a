"""The team's work cells on the desktop: the Cells dock (SiteWatch ▸ Work cells), the Damage
panel's "Certified cells only" switch with how much is certified, and the review queue's cell
filters kept current as cells move (here or by other analysts)."""

from __future__ import annotations

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QAction
from qgis.PyQt.QtWidgets import QCheckBox, QDockWidget, QHBoxLayout, QLabel, QWidget

from ...core.assessment import schema
from ...core.teamwork.coverage import Coverage
from ..annotation.review_queue_dock import REVIEW_QUEUE_NAME, ReviewQueueDock
from ..context import InterfacePart, PluginContext
from ..damage.dock import DamageDock
from ..icons import icon
from .cells_dock import CellsDock
from .cells_layer import CellsLayer

TABLES = {schema.WORK_CELLS.name, schema.CELL_TRANSITIONS.name}


class CertifiedOnly(QWidget):
    """A row under the Damage panel's summary: count only structures of certified cells."""

    def __init__(self, damage: DamageDock):
        super().__init__()
        self.damage = damage
        self.coverage: Coverage | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.check = QCheckBox("Certified cells only")
        self.check.setToolTip("Count only the structures of certified work cells (the team's reviewed work)")
        self.label = QLabel()
        self.label.setWordWrap(True)
        row.addWidget(self.check)
        row.addWidget(self.label, 1)
        self.check.toggled.connect(self.apply)
        self.hide()

    def show_coverage(self, coverage: Coverage | None) -> None:
        changed = coverage != self.coverage
        self.coverage = coverage
        self.setVisible(coverage is not None and coverage.cells > 0)
        self.label.setText(coverage.sentence() if coverage is not None else "")
        if changed and self.check.isChecked():
            self.apply()

    def apply(self, *_args: object) -> None:
        only = self.coverage.certified_structures if self.check.isChecked() and self.coverage is not None else None
        if only != self.damage.only_structures:
            self.damage.only_structures = only
            self.damage.refresh()


class CellsPart(InterfacePart):
    """Adds the Cells dock and its menu entry, and ties cells to the Damage panel and the queue."""

    def __init__(self, context: PluginContext):
        super().__init__(context)
        window = context.iface.mainWindow()
        self.dock = CellsDock(context)
        context.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.action = QAction(icon("sitewatch"), "Work cells", window)
        self.action.setCheckable(True)
        self.action.setToolTip("Work cells: split the site for the team, assign, submit, certify or reject cells")
        self.dock.setToggleVisibilityAction(self.action)
        context.menu.addAction(self.action)
        self.certified_only: CertifiedOnly | None = None
        damage = window.findChild(QDockWidget, "SiteWatchDamageDock")
        if isinstance(damage, DamageDock):
            self.certified_only = CertifiedOnly(damage)
            summary_layout = damage.summary.parentWidget().layout()
            summary_layout.insertWidget(summary_layout.indexOf(damage.summary) + 1, self.certified_only)
            self.dock.changed.connect(self.certified_only.show_coverage)
        self.dock.changed.connect(self._refilter_queue)
        self.map_layer = CellsLayer(context)
        self.dock.changed.connect(self.map_layer.follow)
        session = context.session
        session.opened.connect(self.dock.attach)
        session.closed.connect(self._closed)
        session.remote_changed.connect(self._remote)
        if session.store is not None:
            self.dock.attach(session.store)

    def _closed(self) -> None:
        self.dock.detach()
        self.map_layer.remove()
        if self.certified_only is not None:
            self.certified_only.check.setChecked(False)
            self.certified_only.show_coverage(None)

    def _remote(self, changes: list[object]) -> None:
        if any(getattr(change, "table", None) in TABLES or getattr(change, "key", None) == "*" for change in changes):
            self.dock.reload()

    def _refilter_queue(self, _coverage: Coverage | None) -> None:
        queue = self.context.iface.mainWindow().findChild(QDockWidget, REVIEW_QUEUE_NAME)
        if isinstance(queue, ReviewQueueDock) and queue.cells.currentData() is not None:
            queue.apply_filters()

    def unload(self) -> None:
        session = self.context.session
        session.opened.disconnect(self.dock.attach)
        session.closed.disconnect(self._closed)
        session.remote_changed.disconnect(self._remote)
        self.map_layer.remove()
        if self.certified_only is not None:
            self.certified_only.damage.only_structures = None
            self.certified_only.setParent(None)
            self.certified_only.deleteLater()
        self.context.menu.removeAction(self.action)
        self.context.iface.removeDockWidget(self.dock)
        self.dock.deleteLater()
        self.action.deleteLater()
