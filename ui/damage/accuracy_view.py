"""The Damage panel's Accuracy tab: agreement of the first review with the blind validation at
the panel's after date (confusion matrix, agreement, κ, weighted κ, precision and recall) and the
site totals corrected with 95 % confidence intervals, or why they are not available yet; and, when
change scores are stored for the image pair ending on that date, the analyst's agreement with the
change score's suggestions (the pre-score)."""

from __future__ import annotations

from collections.abc import Callable

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QToolButton, QVBoxLayout, QWidget

from ...core.errors import SiteWatchError
from ...core.export.report.accuracy_page import (
    PRE_SCORE_CORNER,
    PRELIMINARY,
    agreement_line,
    agreement_rows,
    compound_rows,
    estimate_rows,
    matrix_rows,
    pre_score_line,
    pre_score_pair_line,
    short,
)
from ...core.validation.accuracy import CLASSES, accuracy_report
from ...core.validation.pre_score import stored_pre_score
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
        self.pre_score_summary = QLabel()
        self.pre_score_summary.setWordWrap(True)
        self.pre_score_summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.pre_score_summary)
        self.pre_score_matrix = QTableWidget()
        self.pre_score_matrix.verticalHeader().setVisible(False)
        self.pre_score_matrix.setToolTip(
            "Rows: the change score's suggested status; columns: the analyst's first review"
        )
        layout.addWidget(self.pre_score_matrix, 1)
        self._show_pre_score(False)

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
            self._show_pre_score(False)
            return
        try:
            report = accuracy_report(store, self.date_of().strip())
            pre_score = stored_pre_score(store, report.on)
        except SiteWatchError as error:
            self.summary.setText(str(error))
            self._show_pre_score(False)
            return
        self._show_pre_score(pre_score is not None)
        if pre_score is not None:
            self.pre_score_summary.setText(f"{pre_score_pair_line(pre_score)}\n{pre_score_line(pre_score)}")
            _fill(self.pre_score_matrix, *agreement_rows(pre_score.agreement, PRE_SCORE_CORNER))
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

    def _show_pre_score(self, shown: bool) -> None:
        """The analyst against the pre-score, only when change scores are stored for the date."""
        self.pre_score_summary.setVisible(shown)
        self.pre_score_matrix.setVisible(shown)
