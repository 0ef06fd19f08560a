"""The Cells dock: the open assessment's work cells, how much is certified, and the moves of the
review (take, submit, certify, reject with a comment, assign, unassign, reopen) for the selected
cells, done as the analyst named in SiteWatch's settings. The rules are those of the store
(:mod:`core.teamwork.cells`; on PostGIS checked again by the database)."""

from __future__ import annotations

from qgis.core import Qgis, QgsCoordinateTransform
from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import QItemSelectionModel, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.assessment.store import AssessmentStore
from ...core.errors import SiteWatchError
from ...core.teamwork.batch import change_cells
from ...core.teamwork.cells import WorkCell
from ...core.teamwork.coverage import Coverage, store_coverage
from .. import settings
from ..context import PluginContext
from ..dock_layout import SMALL_LIST_HEIGHT, scrolling
from ..messages import notify, warns

CELLS_DOCK_NAME = "SiteWatchCellsDock"
COLUMNS = ("Cell", "Name", "State", "Analyst", "Changed by", "Comment")
MOVES = (
    ("take", "Take", "Assign the selected cells to yourself"),
    ("submit", "Submit", "Send your selected cells for review"),
    ("certify", "Certify", "Certify the selected cells (someone else's work)"),
    ("reject", "Reject…", "Send the selected cells back to their analyst, saying why"),
    ("assign", "Assign…", "Assign the selected cells to an analyst"),
    ("unassign", "Unassign", "Take the selected cells back from their analyst"),
    ("reopen", "Reopen…", "Reopen certified cells, saying why"),
)


class CellsDock(QgsDockWidget):
    """Lists the work cells; its buttons move the selected ones."""

    changed = pyqtSignal(object)
    """Emitted with the new :class:`Coverage` whenever the cells were (re-)read."""

    def __init__(self, context: PluginContext):
        super().__init__("SiteWatch work cells")
        self.setObjectName(CELLS_DOCK_NAME)
        self.context = context
        self.store: AssessmentStore | None = None
        self.cells: list[WorkCell] = []
        self.coverage: Coverage | None = None
        body = QWidget()
        layout = QVBoxLayout(body)
        self.summary = QLabel("Open an assessment to see its work cells.")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(SMALL_LIST_HEIGHT)
        self.table.setToolTip("Work cells; double-click one to zoom to it")
        self.table.cellDoubleClicked.connect(lambda row, _column: self.zoom_to(row))
        layout.addWidget(self.table, 1)
        buttons = QGridLayout()
        self.buttons: dict[str, QPushButton] = {}
        for number, (move, text, tip) in enumerate(MOVES):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(lambda _checked=False, move=move: self.ask(move))
            buttons.addWidget(button, number // 4, number % 4)
            self.buttons[move] = button
        self.make_button = QPushButton("Make cells…")
        self.make_button.setToolTip("Split the assessment into work cells (grid, compounds or polygons)")
        self.make_button.clicked.connect(self.make_cells)
        buttons.addWidget(self.make_button, 1, 3)
        layout.addLayout(buttons)
        self.setWidget(scrolling(body))
        self._enable()

    def warn(self, text: str) -> None:
        notify(self.context.iface, text, Qgis.MessageLevel.Warning)

    # -- following the session -----------------------------------------------------------

    def attach(self, store: AssessmentStore) -> None:
        self.store = store
        self.reload()

    def detach(self) -> None:
        self.store, self.cells, self.coverage = None, [], None
        self.table.setRowCount(0)
        self.summary.setText("Open an assessment to see its work cells.")
        self._enable()

    @warns
    def reload(self, *_args: object) -> None:
        """Read the cells again (after a move here or another analyst's)."""
        if self.store is None:
            return
        chosen = set(self.selected_ids())
        self.cells = self.store.work_cells()
        self.coverage = store_coverage(self.store)
        self.summary.setText(
            self.coverage.sentence()
            if self.cells
            else "No work cells yet: Make cells… splits the site for the team (sitewatch:workcells)."
        )
        self.table.setRowCount(len(self.cells))
        for row, cell in enumerate(self.cells):
            texts = (cell.cell_id, cell.name, cell.state_label, cell.assignee, cell.changed_by, cell.comment)
            for column, text in enumerate(texts):
                self.table.setItem(row, column, QTableWidgetItem(text or ""))
            if cell.cell_id in chosen:
                self.table.selectRow(row)
        self.table.resizeColumnsToContents()
        self._enable()
        self.changed.emit(self.coverage)

    def _enable(self) -> None:
        writable = self.store is not None and self.store.read_only_reason() is None
        for button in (*self.buttons.values(), self.make_button):
            button.setEnabled(writable and (bool(self.cells) or button is self.make_button))

    # -- moving cells --------------------------------------------------------------------

    def selected_ids(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.cells[row].cell_id for row in rows if row < len(self.cells)]

    def select(self, cell_ids: list[str]) -> None:
        self.table.clearSelection()
        for row, cell in enumerate(self.cells):
            if cell.cell_id in cell_ids:
                flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
                self.table.selectionModel().select(self.table.model().index(row, 0), flags)

    def ask(self, move: str) -> None:
        """A button was pressed: ask what the move needs (an analyst, a comment), then do it."""
        assignee = comment = None
        if move == "assign":
            assignee, ok = QInputDialog.getText(self, "Assign cells", "Analyst to assign the selected cells to:")
            if not ok:
                return
        elif move in ("reject", "reopen"):
            comment, ok = QInputDialog.getText(self, f"{move.capitalize()} cells", "Why (the analyst reads it):")
            if not ok:
                return
        self.move(move, assignee, comment)

    @warns
    def move(self, move: str, assignee: str | None = None, comment: str | None = None) -> None:
        """Do ``move`` (an action, or ``take``: assign to myself) on the selected cells."""
        if self.store is None:
            raise SiteWatchError("No assessment is open.")
        cell_ids = self.selected_ids()
        if not cell_ids:
            raise SiteWatchError("Select one or more work cells in the list first.")
        me = settings.analyst_name()
        action, assignee = ("assign", me) if move == "take" else (move, assignee)
        try:
            change_cells(self.store, cell_ids, action, me, assignee, comment)
        finally:
            self.reload()
        notify(self.context.iface, f"{action.capitalize()}: {', '.join(cell_ids)}.", Qgis.MessageLevel.Success, 3)

    def make_cells(self) -> None:
        """Show *Make work cells* for the open assessment; the list follows once it has run."""
        import processing  # QGIS's own module; only available inside QGIS

        if self.store is None:
            return
        dialog = processing.createAlgorithmDialog("sitewatch:workcells", {"ASSESSMENT": self.store.location})
        if dialog is not None:
            dialog.algorithmFinished.connect(lambda *_args: self.reload())
            self.make_dialog = dialog
            dialog.show()

    @warns
    def zoom_to(self, row: int) -> None:
        if self.store is None or not 0 <= row < len(self.cells):
            return
        canvas = self.context.iface.mapCanvas()
        transform = QgsCoordinateTransform(
            self.store.crs(), canvas.mapSettings().destinationCrs(), self.context.session.project
        )
        extent = transform.transformBoundingBox(self.cells[row].geometry.boundingBox())
        extent.scale(1.1)
        canvas.setExtent(extent)
        canvas.refresh()
