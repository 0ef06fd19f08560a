"""The Damage panel's dock: dates, summary sentence, table per compound (plus UNASSIGNED and
ALL), stacked bar chart, copy and save as CSV and PNG; kept up to date by :meth:`refresh`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from qgis.core import Qgis, QgsApplication, QgsCoordinateTransform, QgsFeatureRequest, QgsVectorLayer
from qgis.gui import QgsDockWidget
from qgis.PyQt import sip
from qgis.PyQt.QtCore import Qt, QTimer, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSplitter,
    QTableWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.assessment import schema
from ...core.assessment.observations import Observation, check_date
from ...core.assessment.store import AssessmentStore
from ...core.damage.incremental import IncrementalDamage
from ...core.damage.inputs import DamageInputs, SiteCache
from ...core.damage.table import ALL, UNASSIGNED, DamageTable, summary_sentence
from ...core.errors import SiteWatchError
from ...core.imagery.registry import list_images
from ..context import PluginContext
from ..dock_layout import SMALL_LIST_HEIGHT, scrolling
from ..messages import notify, warns
from . import grid
from .chart import DamageChart
from .columns import ColumnChooser
from .early_read import EarlyReads
from .saving import DamageSaving
from .task import DamageTask
from .trust_tabs import add_trust_tabs

CHART_MIN_HEIGHT = 190
"""Room for the chart's title, legend and bars in the narrowest dock."""


_RUNNING: set[DamageTask] = set()
"""Tasks QGIS is still running, referenced until they end: a Python task collected while its
run() is under way crashes QGIS (as when the dock is deleted on unload mid-computation)."""


class DamageDock(DamageSaving, QgsDockWidget):
    """The panel's widget: dates, summary, table, chart, copy and save buttons."""

    refreshed = pyqtSignal(object)
    """Emitted with the new :class:`DamageTable` once the table and chart show it."""

    def __init__(self, context: PluginContext):
        super().__init__("SiteWatch damage")
        self.setObjectName("SiteWatchDamageDock")
        self.context = context
        self.table: DamageTable | None = None
        self.damage: IncrementalDamage | None = None
        """The shown table as sums moved one structure at a time (None until computed)."""
        self._replay: set[str] = set()
        """Structures changed while a full computation ran: moved again when it finishes."""
        self._reload_followed = False
        """The observations were re-read for changes already moved: that reload needs no recompute."""
        self.only_structures: frozenset[str] | None = None
        """Count only these structures (those of certified work cells, ``ui/teamwork``); None: all."""
        self._task: DamageTask | None = None
        self._pending = False
        self._closed = False
        self._cache = SiteCache()
        self._early = EarlyReads(context.session)
        self._inputs: tuple[DamageInputs, frozenset[str] | None] | None = None
        """The layers as the shown table read them (and the structures it was limited to), while
        nothing but the dates changed since: a date change then reads nothing again."""
        self._stale = True
        """The assessment may have changed since the last read (a refresh was asked for)."""
        self._watched: list[tuple[QgsVectorLayer, str, Callable[..., object]]] = []
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(0)
        self._debounce.timeout.connect(self._start)
        context.session.observations_changed.connect(self.move)
        context.session.blind_changed.connect(self.show_blind)

        body = QWidget()
        layout = QVBoxLayout(body)
        self.summary = QLabel("Open an assessment to see the damage per compound.")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        self.blind_note = QLabel(
            "Status counts per compound: hidden while validating blind (Stop validating to see them)."
        )
        self.blind_note.setWordWrap(True)
        self.blind_note.setVisible(False)
        layout.addWidget(self.blind_note)
        dates = QHBoxLayout()
        self.after_edit = QLineEdit()
        self.after_edit.setPlaceholderText("YYYY-MM-DD")
        self.after_edit.setToolTip("After date: statuses are those of the latest observation on or before it")
        self.before_edit = QLineEdit()
        self.before_edit.setPlaceholderText("optional")
        self.before_edit.setToolTip("Before date: adds newly damaged, rebuilt and new structures since then")
        for label, edit in (("After", self.after_edit), ("Before", self.before_edit)):
            dates.addWidget(QLabel(label))
            dates.addWidget(edit)
            edit.editingFinished.connect(self.redate)
        layout.addLayout(dates)
        self.grid = QTableWidget()
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.setToolTip("Click a compound to zoom to it")
        self.grid.verticalHeader().setVisible(False)
        self.grid.setMinimumHeight(SMALL_LIST_HEIGHT)
        self.grid.cellClicked.connect(lambda row, _column: self.zoom_to_row(row))
        self.column_chooser = ColumnChooser(self.grid)
        self.chart = DamageChart()
        self.chart.setMinimumHeight(CHART_MIN_HEIGHT)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.grid)
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.tabs = add_trust_tabs(self, splitter)
        layout.addWidget(self.tabs, 1)
        buttons = QHBoxLayout()
        for text, items in (
            (
                "Copy",
                (("Table as CSV", self.copy_csv), ("Chart as image", self.copy_png)),
            ),
            (
                "Save",
                (("Table as CSV…", self._ask_save_csv), ("Chart as PNG…", self._ask_save_png)),
            ),
        ):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(f"{text} the table (CSV) or the chart (image)")
            button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            menu = QMenu(button)
            for item, slot in items:
                menu.addAction(item).triggered.connect(slot)
            button.setMenu(menu)
            buttons.addWidget(button)
        buttons.addWidget(self.column_chooser.button)
        refresh = QToolButton()
        refresh.setText("Refresh")
        refresh.setToolTip("Compute the table again from the assessment")
        refresh.clicked.connect(self.refresh)
        buttons.addWidget(refresh)
        buttons.setContentsMargins(0, 0, 0, 0)
        corner = QWidget()  # beside the tabs, not a row of its own: the table and chart keep the height
        corner.setLayout(buttons)
        self.tabs.setCornerWidget(corner, Qt.Corner.TopRightCorner)
        self.setWidget(scrolling(body))

    def show_blind(self, blind: bool) -> None:
        """While a sample is validated blind, the first review's counts (summary, table, chart,
        history, accuracy) give way to one line saying so; they come back when it ends."""
        self.summary.setVisible(not blind)
        self.tabs.setVisible(not blind)
        self.blind_note.setVisible(blind)

    # -- following the session -----------------------------------------------------------

    def attach(self, store: AssessmentStore) -> None:
        """Watch the assessment's project layers and show its table."""
        self.detach()
        session = self.context.session
        observations = session.layer(schema.OBSERVATIONS.name)
        self._watch(observations, "dataChanged", self._observations_reloaded)
        self._watch(observations, "afterCommitChanges", self.refresh)
        for name in (schema.STRUCTURES.name, schema.COMPOUNDS.name):
            layer = session.layer(name)
            self._watch(layer, "afterCommitChanges", self.refresh)
            # Reloaded after a write through the store; edits in progress are not in the file yet.
            self._watch(layer, "dataChanged", lambda layer=layer: None if layer.isEditable() else self.refresh())
        self.set_dates_from_session(store)
        if self._debounce.isActive():  # started now: it overlaps the rest of the open (queue, pair, map)
            self._debounce.stop()
            self._start()

    def _watch(self, layer: QgsVectorLayer, signal_name: str, slot: Callable[..., object]) -> None:
        getattr(layer, signal_name).connect(slot)
        self._watched.append((layer, signal_name, slot))

    def detach(self) -> None:
        """Stop watching layers (the assessment was closed) and clear the panel."""
        for layer, signal_name, slot in self._watched:
            # When the project was cleared the layers are already deleted: touching their
            # signals then would crash QGIS.
            if not sip.isdeleted(layer):
                getattr(layer, signal_name).disconnect(slot)
        self._watched = []
        self.damage, self._replay, self._reload_followed = None, set(), False
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._pending, self._cache = False, SiteCache()
        self._inputs, self._stale, self.table = None, True, None
        self.grid.clear()
        self.grid.setRowCount(0)
        self.chart.set_table(None)
        self.history_view.clear()
        self.summary.setText("Open an assessment to see the damage per compound.")

    def set_dates_from_session(self, store: AssessmentStore | None = None) -> None:
        """After/before dates from the session's image pair (else the latest image, else today).
        The table is computed again only when they changed (or none is shown or under way): at
        country scale a computation takes seconds, and opening chooses the same pair twice."""
        session = self.context.session
        store = store or session.store
        shown = (self.after_edit.text(), self.before_edit.text())
        after = session.after.acquired if session.after is not None else None
        if after is None and store is not None:
            dated = [image.acquired for image in list_images(store) if image.acquired]
            after = dated[-1] if dated else None
        self.after_edit.setText(after or dt.date.today().isoformat())
        before = session.before.acquired if session.before is not None else None
        self.before_edit.setText(before if before and before < self.after_edit.text() else "")
        if shown == (self.after_edit.text(), self.before_edit.text()) and (self.table is not None or self.busy()):
            return
        self.redate()

    # -- computing -----------------------------------------------------------------------

    def refresh(self, *_args: object) -> None:
        """Compute the table again (soon, once, however many changes arrive together)."""
        self.context.session.forget_observations_read()  # the layers may hold others now
        self._early.forget()
        self._stale = True
        self._debounce.start()

    def redate(self, *_args: object) -> None:
        """The dates changed: the table again from what the last computation read (the layers
        are read again only when something else changed too, or nothing was read yet)."""
        self._debounce.start()

    @warns
    def move(self, structure_ids: list[str] | None) -> None:
        """Observations of ``structure_ids`` were committed (None: of any structure): move only
        their rows of the table, or queue them behind a computation under way."""
        if structure_ids is None or self.context.session.store is None:
            self._reload_followed = False
            self.refresh()
            return
        if self.busy():
            self._replay.update(structure_ids)  # the running computation may have read them before
        elif self.damage is None:
            self.refresh()
            return
        else:
            self._move(structure_ids)
        self._reload_followed = True

    def _move(self, structure_ids: list[str] | set[str]) -> None:
        store = self.context.session.store
        if self.damage is None or store is None or not structure_ids:
            return
        self._inputs = None  # the table now holds observations the inputs do not
        ids = sorted(structure_ids)
        mine: dict[str, list[Observation]] = {structure_id: [] for structure_id in ids}
        for observation in store.observations(ids):
            mine.setdefault(observation.structure_id, []).append(observation)
        changed: set[int] = set()
        for structure_id in ids:
            changed.update(self.damage.update(structure_id, mine[structure_id]))
        self.show_table(self.damage.table(), changed)

    def _observations_reloaded(self) -> None:
        """The observations layer was re-read: recompute, unless only moved structures changed."""
        if self._reload_followed:
            self._reload_followed = False
        else:
            self.refresh()

    def busy(self) -> bool:
        return self._task is not None or self._debounce.isActive()

    def close_down(self) -> None:
        """Stop for good (the plugin unloads): no new computation, late results are dropped."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()  # it stays referenced in _RUNNING until QGIS says it ended
        self._debounce.stop()
        self._early.unload()
        self.context.session.observations_changed.disconnect(self.move)
        self.context.session.blind_changed.disconnect(self.show_blind)
        self.detach()

    def _start(self) -> None:
        store = self.context.session.store
        if store is None or self._closed:
            return
        after, before = self.after_edit.text().strip(), self.before_edit.text().strip() or None
        try:
            check_date(after, "after date")
            if before:
                check_date(before, "before date")
        except SiteWatchError as error:
            if self._task is not None:
                self._pending = True  # shown once the running computation is done
            else:
                self.summary.setText(str(error))
            return
        if self._task is not None:
            # Only the dates changed (as at open, when the pair is chosen): the running
            # computation makes the table of the new ones from its read, if it is still reading.
            same = not self._stale and self._task.only == self.only_structures
            if not (same and self._task.retarget(after, before)):
                self._pending = True
            return
        inputs = None
        if not self._stale and self._inputs is not None and self._inputs[1] == self.only_structures:
            inputs = self._inputs[0]
        self._stale = False
        if inputs is None:
            self._inputs = None  # until this read is done
        shared = self.context.session.take_observations_read(store)  # at open: the review's read
        self._cache, early = self._early.take(store, self._cache, whole=inputs is None and self.only_structures is None)
        task = DamageTask(store, after, before, self._cache, self.only_structures, inputs, shared, early)
        task.taskCompleted.connect(lambda: self._finished(task))
        task.taskTerminated.connect(lambda: self._finished(task))
        self._task = task
        _RUNNING.add(task)
        QgsApplication.taskManager().addTask(task)

    def _finished(self, task: DamageTask) -> None:
        _RUNNING.discard(task)
        if self._closed or task is not self._task:
            return
        self._task = None
        if task.damage is not None:
            self.damage, replay, self._replay = task.damage, self._replay, set()
            self._inputs = (task.damage.inputs, task.only)
            self.show_table(self.damage.table())
            self._move(replay)
        elif task.error:
            self.summary.setText(task.error)
            notify(self.context.iface, task.error, Qgis.MessageLevel.Warning)
        if self._pending:
            self._pending = False
            self._debounce.start()  # reads again only when a refresh was asked for meanwhile

    def show_table(self, table: DamageTable, rows: set[int] | None = None) -> None:
        """Fill the summary, the table (compounds, UNASSIGNED, ALL) and the chart; with ``rows``
        (positions in ``table.rows``) only those rows of the table are filled again."""
        self.table = table
        self.history_view.mark_stale()
        sentence = summary_sentence(table)
        dates = f"{table.after}" + (f" (since {table.before})" if table.before else "")
        self.summary.setText(f"<b>{dates}</b>: {sentence}")
        self.grid.setUpdatesEnabled(False)
        if rows is None:
            grid.fill(self.grid, table)
            self.column_chooser.apply(grid.columns_of(table))
        else:
            grid.refill(self.grid, table, sorted(rows))
        self.grid.setUpdatesEnabled(True)
        self.chart.set_table(table, sentence)
        self.refreshed.emit(table)

    # -- zooming -------------------------------------------------------------------------

    def warn(self, text: str) -> None:
        notify(self.context.iface, text, Qgis.MessageLevel.Warning)

    @warns
    def zoom_to_row(self, row: int) -> None:
        """Zoom the map to the compound of table row ``row`` (ALL: to every structure)."""
        item = self.grid.item(row, 0)
        if item is None or item.text() == UNASSIGNED or self.context.session.store is None:
            return
        session = self.context.session
        if item.text() == ALL:
            layer = session.layer(schema.STRUCTURES.name)
            extent = layer.extent()
        else:
            layer = session.layer(schema.COMPOUNDS.name)
            quoted = item.text().replace("'", "''")
            request = QgsFeatureRequest().setFilterExpression(f"\"compound_id\" = '{quoted}'")
            feature = next(layer.getFeatures(request), None)
            if feature is None or feature.geometry().isNull():
                return
            extent = feature.geometry().boundingBox()
        canvas = self.context.iface.mapCanvas()
        transform = QgsCoordinateTransform(layer.crs(), canvas.mapSettings().destinationCrs(), session.project)
        extent = transform.transformBoundingBox(extent)
        extent.scale(1.2)
        canvas.setExtent(extent)
        canvas.refresh()
