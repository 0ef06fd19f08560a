"""The Damage panel's History tab: the site's counts by status at every date (whole site or one
compound), the stacked chart over time in the standard status colours, and the events as
sentences; computed in a background task when the tab is shown or the assessment changes."""

from __future__ import annotations

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QPixmap, QResizeEvent
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.damage.table import ALL
from ...core.export.report.history_chart import history_image
from ...core.export.report.history_page import COUNT_COLUMNS
from ...core.history.series import SiteHistory, rows_of
from ..context import PluginContext
from .history_task import HistoryTask


class HistoryChart(QLabel):
    """The stacked chart, drawn again at the label's size."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list = []
        self.setMinimumHeight(140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def set_rows(self, rows: list) -> None:
        self.rows = rows
        self._draw()

    def _draw(self) -> None:
        if not self.rows:
            self.clear()
            return
        self.setPixmap(QPixmap.fromImage(history_image(self.rows, self.width(), self.height(), dpi=125)))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._draw()


class HistoryView(QWidget):
    """Counts per date, chart and events of the open assessment."""

    def __init__(self, context: PluginContext):
        super().__init__()
        self.context = context
        self.history: SiteHistory | None = None
        self.events: list[str] = []
        self._task: HistoryTask | None = None
        self._stale = True
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Compound"))
        self.compound = QComboBox()
        self.compound.setToolTip("Counts of the whole site or of one compound")
        self.compound.currentIndexChanged.connect(self._show)
        bar.addWidget(self.compound, 1)
        update = QToolButton()
        update.setText("Update")
        update.setToolTip("Compute the history again from the assessment")
        update.clicked.connect(self.update_history)
        bar.addWidget(update)
        layout.addLayout(bar)
        self.status = QLabel("Open an assessment to see its history.")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.grid = QTableWidget()
        self.grid.verticalHeader().setVisible(False)
        self.chart = HistoryChart()
        self.event_text = QPlainTextEdit()
        self.event_text.setReadOnly(True)
        self.event_text.setPlaceholderText("Events between consecutive dates")
        splitter = QSplitter(Qt.Orientation.Vertical)
        for widget in (self.chart, self.grid, self.event_text):
            splitter.addWidget(widget)
        layout.addWidget(splitter, 1)

    def mark_stale(self, *_args: object) -> None:
        """The assessment changed: compute again when the tab is next shown."""
        self._stale = True
        if self.isVisible():
            self.update_history()

    def showEvent(self, event: object) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self._stale:
            self.update_history()

    def update_history(self) -> None:
        store = self.context.session.store
        if store is None:
            self.clear()
            return
        if self._task is not None:
            self._stale = True
            return
        self._stale = False
        self.status.setText("Computing the site history…")
        task = HistoryTask(store)
        task.taskCompleted.connect(lambda: self._finished(task))
        task.taskTerminated.connect(lambda: self._finished(task))
        self._task = task
        QgsApplication.taskManager().addTask(task)

    def busy(self) -> bool:
        return self._task is not None

    def _finished(self, task: HistoryTask) -> None:
        if task is not self._task:
            return
        self._task = None
        if task.history is None:
            self.status.setText(task.error or "The history was not computed (cancelled).")
        else:
            self.history, self.events = task.history, task.events
            self._fill_compounds()
            self._show()
        if self._stale and self.isVisible():
            self.update_history()

    def clear(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self.history, self.events = None, []
        self.compound.clear()
        self.grid.setRowCount(0)
        self.chart.set_rows([])
        self.event_text.clear()
        self.status.setText("Open an assessment to see its history.")
        self._stale = True

    def _fill_compounds(self) -> None:
        if self.history is None:
            return
        current = self.compound.currentData()
        self.compound.blockSignals(True)
        self.compound.clear()
        self.compound.addItem("Whole site", ALL)
        first = self.history.dates[0] if self.history.dates else None
        for row in self.history.rows:
            if row.observed_on == first and row.compound != ALL:
                self.compound.addItem(f"{row.name} ({row.compound})" if row.name else row.compound, row.compound)
        index = self.compound.findData(current)
        self.compound.setCurrentIndex(max(index, 0))
        self.compound.blockSignals(False)

    def _show(self) -> None:
        if self.history is None:
            return
        compound = self.compound.currentData() or ALL
        rows = list(rows_of(self.history, compound))
        self.chart.set_rows(rows)
        headers = ["Date", *(header for header, _key in COUNT_COLUMNS)]
        self.grid.clear()
        self.grid.setColumnCount(len(headers))
        self.grid.setHorizontalHeaderLabels(headers)
        self.grid.setRowCount(len(rows))
        for number, row in enumerate(rows):
            values = [row.observed_on, *(getattr(row, key) for _header, key in COUNT_COLUMNS)]
            for column, value in enumerate(values):
                item = QTableWidgetItem("–" if value is None else str(value))
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.grid.setItem(number, column, item)
        self.grid.resizeColumnsToContents()
        self.event_text.setPlainText("\n".join(self.events))
        dates = self.history.dates
        self.status.setText(
            f"{len(dates)} dates from {dates[0]} to {dates[-1]}; {len(self.events)} events."
            if dates
            else "No date: register images or record observations first."
        )
