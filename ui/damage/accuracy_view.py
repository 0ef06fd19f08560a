"""The Damage panel's Accuracy tab: agreement of the first review with the blind validation at
the panel's after date (confusion matrix, agreement, κ, weighted κ, precision and recall) and the
site totals corrected with 95 % confidence intervals, or why they are not available yet."""

from __future__ import annotations

from collections.abc import Callable

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QToolButton, QVBoxLayout, QWidget

from ...core.errors import SiteWatchError
from ...core.export.report.accuracy_page import (
    PRELIMINARY,
    agreement_line,
    compound_rows,
    estimate_rows,
    matrix_rows,
    short,
)
from ...core.validation.accuracy import CLASSES, accuracy_report
from ..context import PluginContext


def _fill(grid: QTableWidget, headers: list[str], rows: list[list[str]]) -> None:
    grid.clear()
    grid.setColumnCount(len(headers))
    grid.setHorizontalHeaderLabels(headers)
    grid.setRowCount(len(rows))
    for number, row in enumerate(rows):
        for column, text in enumerate(row):
            item = QTableWidgetItem(text)
            if column:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.setItem(number, column, item)
    grid.resizeColumnsToContents()


class AccuracyView(QWidget):
    """Reads the validation answers and the first review at ``date_of()`` when shown or asked."""

    def __init__(self, context: PluginContext, date_of: Callable[[], str]):
        super().__init__()
        self.context = context
        self.date_of = date_of
        layout = QVBoxLayout(self)
        compute = QToolButton()
        compute.setText("Update")
        compute.setToolTip("Compare the first review with the validation answers at the after date")
        compute.clicked.connect(self.update_accuracy)
        layout.addWidget(compute, 0, Qt.AlignmentFlag.AlignLeft)
        self.summary = QLabel("Open an assessment to compare its review with a validation.")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        self.matrix = QTableWidget()
        self.matrix.verticalHeader().setVisible(False)
        self.matrix.setToolTip("Rows: the first review; columns: the blind validation")
        layout.addWidget(self.matrix, 1)
        self.totals = QTableWidget()
        self.totals.verticalHeader().setVisible(False)
        self.totals.setToolTip("Site totals corrected by the confusion matrix (Olofsson et al. 2014)")
        layout.addWidget(self.totals, 1)
        self.compounds = QTableWidget()
        self.compounds.verticalHeader().setVisible(False)
        self.compounds.setToolTip(
            "Corrected totals per compound with 95 % intervals: the site's error rates applied to the compound's counts"
        )
        layout.addWidget(self.compounds, 1)

    def showEvent(self, event: object) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self.update_accuracy()

    def update_accuracy(self) -> None:
        store = self.context.session.store
        if store is None:
            self.summary.setText("Open an assessment to compare its review with a validation.")
            self.matrix.setRowCount(0)
            self.totals.setRowCount(0)
            self.compounds.setRowCount(0)
            return
        try:
            report = accuracy_report(store, self.date_of().strip())
        except SiteWatchError as error:
            self.summary.setText(str(error))
            return
        headers, rows = matrix_rows(report)
        _fill(self.matrix, headers, rows)
        estimates = estimate_rows(report)
        _fill(
            self.totals, ["Status", "First review", "Corrected", "95 % CI", "User's acc.", "Producer's acc."], estimates
        )
        _fill(self.compounds, ["Compound", "Structures", *(short(c) for c in CLASSES)], compound_rows(report))
        if report.agreement.pairs == 0 or report.site is None:
            reason = report.not_estimated or "no validation answer at this date (draw a sample, then validate it)"
            self.summary.setText(f"{PRELIMINARY} on {report.on}: {reason.rstrip('.')}.\n{agreement_line(report)}")
        else:
            self.summary.setText(f"On {report.on}: {agreement_line(report)}\n" + "; ".join(report.sentences()))
