"""The review queue dock: filters, order, the table of structures (sortable by any column), a
reviewed / total counter, and the highlight that follows the current structure on the map."""

from __future__ import annotations

from qgis.core import QgsGeometry
from qgis.gui import QgsHighlight, QgsMapCanvas
from qgis.PyQt.QtCore import QEvent, QModelIndex, QObject, Qt
from qgis.PyQt.QtGui import QAction, QColor, QKeyEvent
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core import values
from ...core.annotation.review import QueueFilter, ReviewQueue
from ...core.assessment import schema
from ..dock_layout import SMALL_LIST_HEIGHT, scrolling
from ..messages import warns
from ..teamwork.queue_cells import cell_filter_combo, cell_structures
from .controller import AnnotationController
from .review_queue_model import NOT_OBSERVED, SCORE, STATUS, SUGGESTION, ReviewQueueModel
from .review_tool import NEXT_KEYS, PREVIOUS_KEYS

__all__ = ["NOT_OBSERVED", "ReviewQueueDock", "StructureFocus", "dock_area"]
ANY = "Any"
ORDER_LABELS = {"id": "By id", "compound": "By compound", "score": "By change score"}
HIGHLIGHT_COLOUR = QColor(0, 255, 255)


class StructureFocus:
    """Highlights the current structure and pans / zooms to it."""

    def __init__(self, canvas: QgsMapCanvas, controller: AnnotationController):
        self.canvas = canvas
        self.controller = controller
        self.highlight: QgsHighlight | None = None

    def warn(self, text: str) -> None:
        self.controller.warn(text)

    def _geometry(self, structure_id: str) -> QgsGeometry | None:
        fid = self.controller.fids.get(structure_id)
        if fid is None:
            return None
        layer = self.controller.session.layer(schema.STRUCTURES.name)
        feature = layer.getFeature(fid)
        return QgsGeometry(feature.geometry()) if feature.isValid() else None

    @warns
    def show(self, structure_id: str | None) -> None:
        self.clear()
        if structure_id is None or self.controller.store is None:
            return
        geometry = self._geometry(structure_id)
        if geometry is None:
            return
        layer = self.controller.session.layer(schema.STRUCTURES.name)
        self.highlight = QgsHighlight(self.canvas, geometry, layer)
        self.highlight.setColor(HIGHLIGHT_COLOUR)
        self.highlight.setWidth(3)
        self.highlight.setFillColor(QColor(0, 0, 0, 0))
        self.highlight.show()

    def clear(self) -> None:
        if self.highlight is not None:
            self.canvas.scene().removeItem(self.highlight)
            self.highlight = None


REVIEW_QUEUE_NAME = "SiteWatchReviewQueue"


class ReviewQueueDock(QDockWidget):
    """Lists the structures to review at the review date; N / P or arrows step through them."""

    def __init__(self, controller: AnnotationController, parent: QWidget | None = None):
        super().__init__("SiteWatch review queue", parent)
        self.setObjectName(REVIEW_QUEUE_NAME)
        self.controller = controller
        body = QWidget(self)
        layout = QVBoxLayout(body)
        self.body_layout = layout
        form = QFormLayout()
        self.unreviewed = QCheckBox("Unreviewed at the review date only")
        self.compound = QComboBox()
        self.type = QComboBox()
        self.status = QComboBox()
        self.order = QComboBox()
        self.cells = cell_filter_combo()
        self.type.addItem(ANY, None)
        for value in values.STRUCTURE_TYPES:
            self.type.addItem(value.label, value.code)
        self.status.addItem(ANY, None)
        self.status.addItem(NOT_OBSERVED, "")
        for status in values.STATUSES:
            self.status.addItem(status.label, status.code)
        for code, label in ORDER_LABELS.items():
            self.order.addItem(label, code)
        form.addRow(self.unreviewed)
        form.addRow("Compound", self.compound)
        form.addRow("Type", self.type)
        form.addRow("Status", self.status)
        form.addRow("Cells", self.cells)
        form.addRow("Order", self.order)
        self.form = form
        self.change_score_button = QToolButton()
        self.change_score_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.change_score_button.hide()  # until the plugin hands over its Score changes action
        layout.addLayout(form)
        self.counter = QLabel()
        self.counter.setWordWrap(True)  # the dock may be narrower than the whole sentence
        layout.addWidget(self.counter)
        self.current_label = QLabel()
        self.current_label.setToolTip(
            "The structure under review, its state at the review date, the "
            "confidence the status keys record and the change score's suggestion. "
            "Enter confirms the state shown; Y records the suggestion"
        )
        self.current_label.setWordWrap(True)
        layout.addWidget(self.current_label)
        self.model = ReviewQueueModel(controller, self)
        self.list = QTableView()
        self.list.setModel(self.model)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setWordWrap(False)
        self.list.setAlternatingRowColors(True)
        rows = self.list.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row measure on 250,000 rows
        rows.setDefaultSectionSize(self.list.fontMetrics().height() + 6)
        header = self.list.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        for column, widest in ((0, "S-000000"), (1, "Warehouse"), (2, "C-00000"), (4, "Suggestion"), (5, "Score ▼")):
            header.resizeSection(column, self.list.fontMetrics().horizontalAdvance(widest) + 24)
        header.setSectionResizeMode(STATUS, QHeaderView.ResizeMode.Stretch)  # the rest: what the analyst reads
        header.sectionClicked.connect(self._sort_by_column)
        self.list.setMinimumHeight(SMALL_LIST_HEIGHT)
        self.list.setToolTip(
            "Structures to review; N/P or arrow keys go to the next/previous one; "
            "click a column's title to review in its order"
        )
        layout.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        self.previous_button = QPushButton("◀ Previous (P)")
        self.next_button = QPushButton("Next (N) ▶")
        buttons.addWidget(self.previous_button)
        buttons.addWidget(self.next_button)
        layout.addLayout(buttons)
        self.setWidget(scrolling(body))
        self.previous_button.clicked.connect(lambda: controller.step(-1))
        self.next_button.clicked.connect(lambda: controller.step(1))
        for combo in (self.compound, self.type, self.status, self.order, self.cells):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.unreviewed.toggled.connect(self.apply_filters)
        self.list.activated.connect(self._activated)
        self.list.installEventFilter(self)
        self._filled_for: ReviewQueue | None = None
        controller.queue_changed.connect(self.refresh)
        controller.current_changed.connect(self.show_current)
        controller.states_changed.connect(self.model.structures_changed)
        controller.suggestions_changed.connect(self._relabel_rows)
        controller.confidence_changed.connect(lambda _code: self.show_current(controller.current))
        self.refresh()

    def set_change_score_action(self, action: QAction) -> None:
        """Show ``action`` (the toolbar's *Score changes*) as a button on a *Scores* row
        below the order (call once): the same action, so the same icon, tooltip, enabled
        state and run."""
        self.change_score_button.setDefaultAction(action)
        self.form.addRow("Scores", self.change_score_button)
        self.change_score_button.show()

    def add_section(self, widget: QWidget) -> None:
        """Put ``widget`` (e.g. the validate mode's controls) between the filters and the counter."""
        self.body_layout.insertWidget(1, widget)

    def queue_filter(self) -> QueueFilter:
        return QueueFilter(
            unreviewed_only=self.unreviewed.isChecked(),
            compound_id=self.compound.currentData(),
            type=self.type.currentData(),
            status=self.status.currentData(),
            structure_ids=cell_structures(self.controller, self.cells.currentData()),
        )

    def apply_filters(self, *_args: object) -> None:
        self.list.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the Order's now
        self.controller.rebuild_queue(self.queue_filter(), self.order.currentData())

    def _sort_by_column(self, column: int) -> None:
        """A column title was clicked: the queue takes that column's order (the header shows which)."""
        header = self.list.horizontalHeader()
        self.model.sort(column, header.sortIndicatorOrder())
        self.refresh()

    def refresh(self) -> None:
        """Show the queue's structures and the counter."""
        queue = self.controller.queue
        if queue is not self._filled_for:  # a new queue: structures were drawn, moved or deleted
            self._filled_for = queue
            self._fill_compounds(sorted({i.compound_id for i in queue.structures.values() if i.compound_id}))
        self.model.refill()  # only when the queue was rebuilt or re-sorted: a key press re-reads its row
        reviewed, total = queue.counts()
        on = queue.on or "no review date (choose an after image)"
        self.counter.setText(f"Reviewed {reviewed} / {total} at {on} · {len(queue.ids)} in the queue")
        blind = self.controller.blind is not None
        if blind:
            self.counter.setText(self.controller.blind.counter_text())
        for column in (SUGGESTION, SCORE):  # validating: the change score is hidden
            self.list.setColumnHidden(column, blind)
        self.show_current(self.controller.current)

    def row_text(self, structure_id: str) -> str:
        """A queue row in one line: id · type · compound · status at the review date, and the
        suggested status and score when the current image pair was scored."""
        return self.model.row_text(structure_id)

    def _relabel_rows(self) -> None:
        """The pair's change scores changed: every row's suggestion may have."""
        self.model.suggestions_changed()
        self.show_current(self.controller.current)

    def _fill_compounds(self, compound_ids: list[str]) -> None:
        present = [self.compound.itemData(i) for i in range(1, self.compound.count())]
        names = self.controller.compound_names()
        labels = [f"{cid} · {names[cid]}" if names.get(cid) else cid for cid in compound_ids]
        if present == compound_ids and labels == [self.compound.itemText(i) for i in range(1, self.compound.count())]:
            return
        chosen = self.compound.currentData()
        self.compound.blockSignals(True)
        self.compound.clear()
        self.compound.addItem(ANY, None)
        for compound_id, label in zip(compound_ids, labels):
            self.compound.addItem(label, compound_id)
        self.compound.setCurrentIndex(max(0, self.compound.findData(chosen)) if chosen else 0)
        self.compound.blockSignals(False)

    def show_current(self, structure_id: str | None) -> None:
        queue = self.controller.queue
        info = queue.structures.get(structure_id) if structure_id is not None else None
        if info is None:
            self.current_label.setText("No structure selected")
            return
        where = info.compound_id or "no compound"
        type_label = values.label_of(values.STRUCTURE_TYPES, info.type or "")
        confidence = values.label_of(values.CONFIDENCES, self.controller.confidence)
        suggestion = self.controller.suggestion_text(structure_id)
        self.current_label.setText(
            f"{structure_id} · {type_label} · {where}: "
            f"{self.controller.status_text(structure_id)} · keys record {confidence} confidence"
            + (f" · {suggestion}" if suggestion else "")
        )
        row = self.model.row_of(structure_id) if queue.current() == structure_id else None
        if row is not None:
            self.list.selectRow(row)
            self.list.scrollTo(self.model.index(row, 0))

    def _activated(self, index: QModelIndex) -> None:
        structure_id = self.model.structure_at(index.row())
        self.controller.select(structure_id)
        self.controller.navigated.emit(structure_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """N / P and the arrow keys in the list step through the queue (and move the map)."""
        if watched is self.list and event.type() == QEvent.Type.KeyPress and self._step_key(event):
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._step_key(event):
            super().keyPressEvent(event)

    def _step_key(self, event: QKeyEvent) -> bool:
        if event.key() in NEXT_KEYS:
            self.controller.step(1)
        elif event.key() in PREVIOUS_KEYS:
            self.controller.step(-1)
        else:
            return False
        event.accept()
        return True


def dock_area() -> Qt.DockWidgetArea:
    return Qt.DockWidgetArea.RightDockWidgetArea
