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
from sitewatch.core.assessment.validation_records import ValidationAnswer
from sitewatch.core.validation.accuracy import accuracy_report
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
