"""The Damage panel's History and Accuracy tabs in a real (offscreen) dock."""

from __future__ import annotations

import time

import numpy as np
import pytest
from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QCoreApplication

import sitewatch
from sitewatch.core import values
from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.records import ChangeScoreRow
from sitewatch.core.assessment.validation_records import ValidationAnswer
from sitewatch.core.validation.accuracy import accuracy_report
from sitewatch.core.validation.pre_score import pre_score_agreement
from sitewatch.tests.helpers.damage_site import TWO_COMPOUNDS, box, build
from sitewatch.tests.helpers.plugin import wait_until_idle
from sitewatch.ui.damage.part import DamagePanel

AFTER = "2020-01-08"


def _idle(view) -> None:
    deadline = time.monotonic() + 20
    QCoreApplication.processEvents()
    while view.busy() or QgsApplication.taskManager().countActiveTasks():
        assert time.monotonic() < deadline, "the history did not finish"
        QCoreApplication.processEvents()
        time.sleep(0.005)
    QCoreApplication.processEvents()


def _column(grid, label: str) -> dict[str, str]:
    labels = [grid.horizontalHeaderItem(i).text() for i in range(grid.columnCount())]
    number = labels.index(label)
    return {grid.item(r, 0).text(): grid.item(r, number).text() for r in range(grid.rowCount())}


@pytest.fixture
def panel(qgis_iface, qgis_new_project, assessment):
    build(
        assessment,
        TWO_COMPOUNDS,
        [(f"S-{n}", "warehouse", box(10 + 20 * n, 10, 10)) for n in range(1, 7)],
        [(f"S-{n}", "2019-09-01", "intact") for n in range(1, 6)]
        + [("S-1", AFTER, "destroyed"), ("S-2", AFTER, "destroyed"), ("S-3", AFTER, "severe")]
        + [("S-6", AFTER, "construction")],
    )
    plugin = sitewatch.classFactory(qgis_iface)
    plugin.initGui()
    part = next(p for p in plugin.parts if isinstance(p, DamagePanel))
    plugin.context.session.open(str(assessment.path))
    part.dock.show()
    part.dock.resize(700, 700)
    part.dock.after_edit.setText(AFTER)
    part.dock.refresh()
    wait_until_idle(part.dock)
    yield part.dock, plugin, assessment
    plugin.unload()


def test_history_tab_counts_every_date_and_follows_new_observations(panel):
    dock, plugin, store = panel
    dock.tabs.setCurrentWidget(dock.history_view)
    _idle(dock.history_view)
    view = dock.history_view
    assert _column(view.grid, "Destroyed") == {"2019-09-01": "0", AFTER: "2"}
    assert _column(view.grid, "Intact")["2019-09-01"] == "5"
    assert _column(view.grid, "New")[AFTER] == "1"
    events = view.event_text.toPlainText()
    assert f"between 2019-09-01 and {AFTER} (no image registered on the later date): 2 warehouses destroyed" in events
    image = view.chart.pixmap().toImage()
    pixels = np.array(
        [[image.pixelColor(x, y).name() for x in range(0, image.width(), 2)] for y in range(image.height())]
    )
    assert values.STATUS_BY_CODE["destroyed"].colour in pixels and values.STATUS_BY_CODE["intact"].colour in pixels
    store.record_observation(Observation("S-4", AFTER, "destroyed"))
    plugin.context.session.layer("observations").dataProvider().reloadData()
    wait_until_idle(dock)
    _idle(view)
    assert _column(view.grid, "Destroyed")[AFTER] == "3"


def test_accuracy_tab_is_preliminary_without_answers_then_shows_kappa(panel):
    dock, _plugin, store = panel
    dock.tabs.setCurrentWidget(dock.accuracy_view)
    view = dock.accuracy_view
    assert "PRELIMINARY — NOT FIELD VALIDATED" in view.summary.text()
    answers = [
        ValidationAnswer("S-1", AFTER, "destroyed", "VS-1"),
        ValidationAnswer("S-2", AFTER, "severe", "VS-1"),
        ValidationAnswer("S-3", AFTER, "severe", "VS-1"),
        ValidationAnswer("S-4", AFTER, "intact", "VS-1"),
        ValidationAnswer("S-5", AFTER, "intact", "VS-1"),
        ValidationAnswer("S-6", AFTER, "unknown", "VS-1"),
    ]
    store.record_validations(answers)
    view.update_accuracy()
    text = view.summary.text()
    assert "Structures compared: 5" in text and "overall agreement 80.0 %" in text
    assert "'unknown' (left out): 1" in text
    labels = [view.matrix.item(r, 0).text() for r in range(view.matrix.rowCount())]
    destroyed = labels.index("Destroyed")
    severe_column = [view.matrix.horizontalHeaderItem(i).text() for i in range(view.matrix.columnCount())].index(
        "Severe damage"
    )
    assert view.matrix.item(destroyed, severe_column).text() == "1"
    # per compound: its structures and each status's corrected total with its interval
    rows = {view.compounds.item(r, 0).text(): r for r in range(view.compounds.rowCount())}
    report = accuracy_report(store, AFTER)
    assert set(rows) == set(report.compounds)
    headers = [view.compounds.horizontalHeaderItem(i).text() for i in range(view.compounds.columnCount())]
    for compound, estimate in report.compounds.items():
        one = estimate.of("destroyed")
        cell = view.compounds.item(rows[compound], headers.index("Destroyed")).text()
        assert cell == f"{one.estimate:.0f} ({one.interval_text() or '–'})"


def test_accuracy_tab_shows_the_analyst_against_the_pre_score_of_the_pair_ending_on_the_date(panel):
    dock, _plugin, store = panel
    dock.tabs.setCurrentWidget(dock.accuracy_view)
    view = dock.accuracy_view
    assert not view.pre_score_matrix.isVisibleTo(view), "no change scores stored yet: nothing to show"
    square = "POLYGON((0 0, 200 0, 200 50, 0 50, 0 0))"
    store.add_features(
        "imagery",
        [
            {"image_id": "IMG-A", "acquired": "2019-09-01", "uri": "a.tif", "geometry": square},
            {"image_id": "IMG-B", "acquired": AFTER, "uri": "b.tif", "geometry": square},
        ],
    )
    # the analyst: S-1, S-2 destroyed, S-3 severe, S-4, S-5 intact, S-6 construction; the change
    # score calls S-2 severe and cannot grade S-6
    suggested = {"S-1": "destroyed", "S-2": "severe", "S-3": "severe", "S-4": "intact", "S-5": "intact"}
    rows = [ChangeScoreRow(s, 0.5, 0.3, n, status) for n, (s, status) in enumerate(suggested.items(), start=1)]
    store.save_change_scores("IMG-A", "IMG-B", [*rows, ChangeScoreRow("S-6", None, None, None, "unknown")])
    view.update_accuracy()
    assert view.pre_score_matrix.isVisibleTo(view)
    text = view.pre_score_summary.text()
    assert "image pair IMG-A → IMG-B" in text
    assert "structures compared 5 · overall agreement 80.0 %" in text
    assert "suggestions 'unknown' (left out): 1" in text
    pre = pre_score_agreement(store, AFTER)
    assert f"Cohen's κ {pre.agreement.kappa:.2f}" in text
    assert f"linearly weighted κ {pre.agreement.weighted_kappa:.2f}" in text
    headers = [view.pre_score_matrix.horizontalHeaderItem(i).text() for i in range(view.pre_score_matrix.columnCount())]
    assert headers[0] == "Pre-score \\ analyst"
    labels = [view.pre_score_matrix.item(r, 0).text() for r in range(view.pre_score_matrix.rowCount())]
    # suggested severe, recorded destroyed by the analyst: S-2
    assert view.pre_score_matrix.item(labels.index("Severe damage"), headers.index("Destroyed")).text() == "1"
    assert view.pre_score_matrix.item(labels.index("Destroyed"), headers.index("Destroyed")).text() == "1"
