"""The review queue as a table: its columns, states carried from an earlier date shown apart,
sorting by a column, and a recorded state re-reading only its own row."""

from __future__ import annotations

from qgis.PyQt.QtCore import Qt

from sitewatch.core.assessment.records import StoredChangeScore
from sitewatch.tests.helpers.review_site import BEFORE, key_of, press
from sitewatch.ui.annotation.review_queue_model import COMPOUND, ID, SCORE, STATUS, SUGGESTION, TYPE


def cells(dock, row: int) -> list[str]:
    return [dock.model.index(row, column).data() for column in range(dock.model.columnCount())]


def test_table_columns_and_a_carried_state_shown_apart(part):
    dock = part.dock
    headers = [dock.model.headerData(c, Qt.Orientation.Horizontal) for c in range(dock.model.columnCount())]
    assert headers == ["Id", "Type", "Compound", "Status at 2020-01-08", "Suggestion", "Score"]
    assert cells(dock, 0) == [
        "S-0001",
        "Warehouse",
        "C-0001",
        f"No visible damage (carried from {BEFORE.acquired})",
        "",
        "",
    ]
    assert cells(dock, 3) == ["S-0004", "Bunker", "no compound", "Not observed", "", ""]
    carried = dock.model.index(0, STATUS)
    assert carried.data(Qt.ItemDataRole.FontRole).italic()
    assert carried.data(Qt.ItemDataRole.ForegroundRole) is not None
    tool = part.activate("review")
    part.controller.select("S-0001")
    press(tool, key_of("severe"))
    reviewed = dock.model.index(0, STATUS)
    assert reviewed.data() == "Severe damage"
    assert reviewed.data(Qt.ItemDataRole.FontRole) is None  # reviewed at this date: no longer apart


def test_a_recorded_state_re_reads_its_row_only(part):
    dock = part.dock
    changed: list[tuple[int, int, int, int]] = []
    dock.model.dataChanged.connect(
        lambda first, last, *_roles: changed.append((first.row(), first.column(), last.row(), last.column()))
    )
    resets: list[bool] = []
    dock.model.modelReset.connect(lambda: resets.append(True))
    tool = part.activate("review")
    part.controller.select("S-0003")
    press(tool, key_of("destroyed"))
    assert changed == [(2, ID, 2, SCORE)]
    assert resets == []
    assert dock.counter.text().startswith("Reviewed 1 / 5")


def test_clicking_a_column_title_orders_the_queue_and_n_follows_it(part):
    dock, controller = part.dock, part.controller
    header = dock.list.horizontalHeader()
    header.setSortIndicator(TYPE, Qt.SortOrder.AscendingOrder)
    dock._sort_by_column(TYPE)
    assert controller.queue.ids == ["S-0004", "S-0005", "S-0001", "S-0002", "S-0003"]  # Bunker before Warehouse
    header.setSortIndicator(STATUS, Qt.SortOrder.DescendingOrder)
    dock._sort_by_column(STATUS)
    assert sorted(controller.queue.ids[-3:]) == ["S-0003", "S-0004", "S-0005"]  # not observed last
    first = controller.queue.ids[0]
    assert controller.step(1) == first
    assert dock.list.currentIndex().data(Qt.ItemDataRole.UserRole) == first
    header.setSortIndicator(COMPOUND, Qt.SortOrder.AscendingOrder)
    dock._sort_by_column(COMPOUND)
    assert controller.queue.ids == ["S-0001", "S-0002", "S-0003", "S-0004", "S-0005"]
    dock.order.setCurrentIndex(dock.order.findData("compound"))  # the Order box takes over again
    assert header.sortIndicatorSection() in (-1, header.count())


def test_suggestion_and_score_columns_sort_by_number(part):
    part.controller.change_scores = {
        "S-0002": StoredChangeScore(0.91, 1, "destroyed"),
        "S-0005": StoredChangeScore(0.15, 2, "intact"),
    }
    part.controller.suggestions_changed.emit()
    dock = part.dock
    assert cells(dock, 1)[SUGGESTION:] == ["Destroyed", "0.91"]
    dock.list.horizontalHeader().setSortIndicator(SCORE, Qt.SortOrder.DescendingOrder)
    dock._sort_by_column(SCORE)
    assert part.controller.queue.ids[:2] == ["S-0002", "S-0005"]  # unscored rows last
