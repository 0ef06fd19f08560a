"""The review queue as a table model: one row per queued structure (id, type, compound,
status at the review date, the change score's suggestion and score).

Cells are read when the view paints them, from the controller's state (queue, status book,
change scores), so filling the model costs nothing per structure, and a recorded state
re-reads only its structure's row (:meth:`ReviewQueueModel.structures_changed`, O(1) per
structure through :attr:`ReviewQueue.rows`): a key press does not grow with the site.
"""

from __future__ import annotations

from collections.abc import Callable

from qgis.PyQt.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from qgis.PyQt.QtGui import QBrush, QColor, QFont

from ...core import values
from ...core.annotation.review import ReviewQueue
from .controller import AnnotationController

ID, TYPE, COMPOUND, STATUS, SUGGESTION, SCORE = range(6)
HEADERS = ("Id", "Type", "Compound", "Status", "Suggestion", "Score")
NOT_OBSERVED = "Not observed"
CARRIED_COLOUR = QColor(110, 110, 110)
"""A state carried from an earlier date is greyed and in italics: nobody reviewed it at this date."""
STATUS_RANK = {status.code: rank for rank, status in enumerate(values.STATUSES)}


class ReviewQueueModel(QAbstractTableModel):
    """The rows of the controller's review queue, in the queue's order."""

    def __init__(self, controller: AnnotationController, parent: QObject | None = None):
        super().__init__(parent)
        self.controller = controller
        self._queue: ReviewQueue | None = None
        self._version = -1
        self._on: str | None = None
        self._italic = QFont()
        self._italic.setItalic(True)

    @property
    def queue(self) -> ReviewQueue:
        return self.controller.queue

    def refill(self) -> bool:
        """Show the queue's rows again when it was rebuilt, re-sorted or its date changed
        (True when it did); otherwise nothing happens."""
        queue = self.queue
        if queue is self._queue and queue.version == self._version and queue.on == self._on:
            return False
        self.beginResetModel()
        self._queue, self._version, self._on = queue, queue.version, queue.on
        self.endResetModel()
        return True

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() or self._queue is None else len(self._queue.ids)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == STATUS and self.controller.blind is not None:
            return "Validation"
        if section == STATUS and self._on:
            return f"Status at {self._on}"
        return HEADERS[section]

    def structure_at(self, row: int) -> str:
        if self._queue is None:
            raise IndexError(f"The review queue is empty: there is no structure at row {row}.")
        return self._queue.ids[row]

    def row_of(self, structure_id: str) -> int | None:
        return self._queue.rows.get(structure_id) if self._queue is not None else None

    def structures_changed(self, structure_ids: list[str]) -> None:
        """Re-read the rows of ``structure_ids`` (their states changed)."""
        for structure_id in structure_ids:
            row = self.row_of(structure_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def suggestions_changed(self) -> None:
        """The pair's change scores changed: every row's suggestion and score may have."""
        if self.rowCount():
            self.dataChanged.emit(self.index(0, SUGGESTION), self.index(self.rowCount() - 1, SCORE))

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or self._queue is None or index.row() >= len(self._queue.ids):
            return None
        structure_id = self._queue.ids[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.UserRole:
            return structure_id
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell_text(structure_id, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.row_text(structure_id)
        if column == STATUS and role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole):
            if self._carried_from(structure_id) is None:
                return None
            return QBrush(CARRIED_COLOUR) if role == Qt.ItemDataRole.ForegroundRole else self._italic
        if column == SCORE and role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _carried_from(self, structure_id: str) -> str | None:
        """The earlier date whose state the structure shows at the review date, or None."""
        on = self._queue.on if self._queue is not None and self.controller.blind is None else None
        state = self.controller.book.state_at(structure_id, on) if on else None
        return state[1] if state is not None and state[1] != on else None

    def cell_text(self, structure_id: str, column: int) -> str:
        info = self.queue.structures.get(structure_id)
        if column == ID:
            return structure_id
        if column == TYPE:
            return values.label_of(values.STRUCTURE_TYPES, info.type) if info and info.type else "no type"
        if column == COMPOUND:
            return info.compound_id if info and info.compound_id else "no compound"
        if self.controller.blind is not None and column in (
            STATUS,
            SUGGESTION,
            SCORE,
        ):  # validating: the first review is hidden
            return self.controller.status_text(structure_id) if column == STATUS else ""
        if column == STATUS:
            on = self.queue.on
            state = self.controller.book.state_at(structure_id, on) if on else None
            if state is None:
                return NOT_OBSERVED
            label = values.label_of(values.STATUSES, state[0])
            return label if state[1] == on else f"{label} (carried from {state[1]})"
        stored = self.controller.change_scores.get(structure_id)
        if stored is None:
            return ""
        if column == SUGGESTION:
            return values.label_of(values.STATUSES, stored.suggested)
        return "" if stored.score is None else f"{stored.score:.2f}"

    def row_text(self, structure_id: str) -> str:
        """The whole row in one line: id · type · compound · status, and the suggestion."""
        text = " · ".join(self.cell_text(structure_id, column) for column in (ID, TYPE, COMPOUND, STATUS))
        suggestion = self.controller.suggestion_text(structure_id)
        return f"{text} · {suggestion}" if suggestion else text

    def sort_key(self, column: int) -> Callable[[str], tuple[object, ...]]:
        """The order of ``column``'s values (statuses by severity, scores by number); rows
        without a value come last in the ascending order."""
        structures, book, scores, on = (
            self.queue.structures,
            self.controller.book,
            self.controller.change_scores,
            self.queue.on,
        )

        def key(structure_id: str) -> tuple[object, ...]:
            if self.controller.blind is not None and column in (
                STATUS,
                SUGGESTION,
                SCORE,
            ):  # by what is shown, nothing hidden
                return (self.cell_text(structure_id, column), structure_id)
            info = structures.get(structure_id)
            if column == ID:
                return (structure_id,)
            if column == STATUS:
                state = book.state_at(structure_id, on) if on else None
                if state is None:
                    return (1, 0, "", structure_id)
                return (0, STATUS_RANK.get(state[0], -1), state[1] != on, structure_id)
            if column in (TYPE, COMPOUND):
                value = (info.type if column == TYPE else info.compound_id) if info else None
                return (value is None, self.cell_text(structure_id, column), structure_id)
            stored = scores.get(structure_id)
            if column == SUGGESTION:
                suggested = stored.suggested if stored is not None else None
                return (suggested is None, STATUS_RANK.get(suggested or "", -1), structure_id)
            score = stored.score if stored is not None else None
            return (score is None, score or 0.0, structure_id)

        return key

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Put the queue in ``column``'s order: N / P then step through the rows as shown."""
        key = self.sort_key(column)
        descending = order == Qt.SortOrder.DescendingOrder
        if descending:  # rows without a value stay last
            self.queue.sort_by(lambda structure_id: (not key(structure_id)[0], *key(structure_id)[1:]), True)
        else:
            self.queue.sort_by(key)
        self.refill()
