"""The Damage panel in a real (offscreen) dock: live refresh, row click zoom, chart, CSV and PNG."""

from __future__ import annotations

import csv

import pytest
from qgis.core import QgsRectangle
from qgis.PyQt.QtCore import QCoreApplication, QEvent, Qt
from qgis.PyQt.QtGui import QColor, QImage
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QApplication

import sitewatch
from sitewatch.core import values
from sitewatch.core.assessment.observations import Observation
from sitewatch.core.imagery.registry import ImageRecord
from sitewatch.tests.helpers.damage_site import TWO_COMPOUNDS, X0, Y0, box, build
from sitewatch.tests.helpers.plugin import wait_until_idle
from sitewatch.ui.damage.dock import DamageDock
from sitewatch.ui.damage.part import DamagePanel


def column(dock: DamageDock, label: str) -> int:
    labels = [dock.grid.horizontalHeaderItem(i).text().replace("\n", " ") for i in range(dock.grid.columnCount())]
    return labels.index(label)


def cells(dock: DamageDock, label: str) -> dict[str, str]:
    """Text of column ``label`` by compound id."""
    number = column(dock, label)
    return {dock.grid.item(r, 0).text(): dock.grid.item(r, number).text() for r in range(dock.grid.rowCount())}


@pytest.fixture
def panel(qgis_iface, qgis_new_project, assessment):
    build(
        assessment,
        TWO_COMPOUNDS + (("C-3", box(300, 300, 50)),),
        [
            ("S-1", "warehouse", box(10, 10, 10)),
            ("S-2", "warehouse", box(30, 10, 10)),
            ("S-3", "bunker", box(110, 10, 20)),
            ("S-4", "hangar", box(600, 600, 10)),
        ],
        [
            ("S-1", "2019-09-01", "intact"),
            ("S-1", "2020-01-08", "destroyed"),
            ("S-2", "2020-01-08", "severe"),
            ("S-3", "2020-01-08", "intact"),
            ("S-4", "2020-01-08", "unknown"),
        ],
    )
    plugin = sitewatch.classFactory(qgis_iface)
    plugin.initGui()
    part = next(p for p in plugin.parts if isinstance(p, DamagePanel))
    plugin.context.session.open(str(assessment.path))
    part.dock.show()
    part.dock.resize(700, 600)
    part.dock.set_dates_from_session()
    part.dock.after_edit.setText("2020-01-08")
    part.dock.refresh()
    wait_until_idle(part.dock)
    yield part, plugin, assessment
    plugin.unload()


def test_panel_shows_compounds_unassigned_and_all_with_the_summary(panel):
    part, _, _ = panel
    dock = part.dock
    assert [dock.grid.item(r, 0).text() for r in range(dock.grid.rowCount())] == [
        "C-1",
        "C-2",
        "C-3",
        "UNASSIGNED",
        "ALL",
    ]
    assert cells(dock, "Destroyed") == {"C-1": "1", "C-2": "0", "C-3": "0", "UNASSIGNED": "0", "ALL": "1"}
    # C-3 has no structure: its percentages are NULL, shown as a dash, never 0.
    assert cells(dock, "% destroyed")["C-3"] == "—"
    assert cells(dock, "% destroyed")["C-1"] == "50.0"
    assert "1 of 4 structures in 2 compounds (+1 outside) destroyed (33 % of 3 assessed)" in dock.summary.text()
    assert "2020-01-08" in dock.summary.text()


def test_panel_refreshes_by_itself_when_an_observation_is_recorded(panel):
    part, plugin, store = panel
    dock = part.dock
    tables = []
    dock.refreshed.connect(tables.append)
    store.record_observation(Observation("S-3", "2020-01-08", "destroyed"))
    plugin.context.session.layer("observations").dataProvider().reloadData()  # as the review tool does
    wait_until_idle(dock)
    assert tables and tables[-1].row("C-2").n_destroy == 1
    assert cells(dock, "Destroyed")["ALL"] == "2"
    # Any part can also ask for a refresh.
    store.record_observation(Observation("S-2", "2020-01-08", "destroyed"))
    part.refresh()
    wait_until_idle(dock)
    assert cells(dock, "Destroyed")["ALL"] == "3"


def test_before_date_adds_change_columns_and_follows_the_image_pair(panel):
    part, plugin, _ = panel
    dock = part.dock
    plugin.context.session.set_pair(ImageRecord("IMG-1", "2019-09-01"), ImageRecord("IMG-2", "2020-01-08"))
    wait_until_idle(dock)
    assert (dock.after_edit.text(), dock.before_edit.text()) == ("2020-01-08", "2019-09-01")
    # S-1 intact → destroyed, S-2 unobserved → severe: two newly damaged; S-2, S-3 new.
    assert cells(dock, "Newly damaged")["ALL"] == "2"
    assert cells(dock, "New")["ALL"] == "3"
    assert "since 2019-09-01" in dock.summary.text()


def test_another_image_pair_of_the_same_dates_starts_no_computation(panel):
    """At country scale each computation takes seconds: images of the same dates (another
    sensor, another tile) show the same table; other dates compute it again."""
    from qgis.core import QgsApplication

    from sitewatch.ui.damage.task import DamageTask

    part, plugin, _ = panel
    dock = part.dock
    session = plugin.context.session
    session.set_pair(ImageRecord("IMG-1", "2019-09-01"), ImageRecord("IMG-2", "2020-01-08"))
    wait_until_idle(dock)
    manager = QgsApplication.taskManager()
    started: list[int] = []
    count = lambda task_id: started.append(task_id) if isinstance(manager.task(task_id), DamageTask) else None  # noqa: E731
    manager.taskAdded.connect(count)
    try:
        session.set_pair(ImageRecord("IMG-3", "2019-09-01"), ImageRecord("IMG-4", "2020-01-08"))
        wait_until_idle(dock)
        assert started == []
        dock.set_dates_from_session()  # as the panel does on every pair change
        assert started == [] and not dock.busy()
        session.set_pair(None, ImageRecord("IMG-2", "2020-01-08"))  # no before date any more
        wait_until_idle(dock)
        assert len(started) == 1 and dock.before_edit.text() == ""
        assert "since" not in dock.summary.text()
    finally:
        manager.taskAdded.disconnect(count)


def test_clicking_a_row_zooms_the_map_to_the_compound(panel, qgis_canvas):
    part, plugin, _ = panel
    dock = part.dock
    qgis_canvas.setDestinationCrs(plugin.context.session.layer("compounds").crs())
    qgis_canvas.setExtent(QgsRectangle(X0 + 5000, Y0 + 5000, X0 + 6000, Y0 + 6000))
    item = dock.grid.item(1, 0)
    assert item.text() == "C-2"
    QTest.mouseClick(
        dock.grid.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        dock.grid.visualItemRect(item).center(),
    )
    extent = qgis_canvas.extent()
    assert extent.contains(QgsRectangle(X0 + 100, Y0, X0 + 200, Y0 + 100))
    assert extent.height() < 150 and extent.center().x() == pytest.approx(X0 + 150, abs=1)


def test_chart_uses_the_standard_status_colours(panel):
    dock = panel[0].dock
    image = dock.chart.image()
    found = {image.pixelColor(x, y).name() for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)}
    for status in ("destroyed", "severe", "intact", "unknown"):
        assert QColor(values.STATUS_BY_CODE[status].colour).name() in found, status


def test_copy_and_save_as_csv_and_png(panel, tmp_path):
    dock = panel[0].dock
    dock.copy_csv()
    assert QApplication.clipboard().text().startswith("compound,name,type,n_struct")
    dock.copy_png()
    assert not QApplication.clipboard().image().isNull()
    dock.save_csv(str(tmp_path / "damage.csv"))
    with open(tmp_path / "damage.csv", newline="", encoding="utf-8") as handle:
        rows = {row["compound"]: row for row in csv.DictReader(handle)}
    assert rows["ALL"]["n_destroy"] == "1" and rows["C-3"]["pct_destr"] == ""
    dock.save_png(str(tmp_path / "damage.png"))
    image = QImage(str(tmp_path / "damage.png"))
    assert not image.isNull() and image.width() >= 640
    assert not list(tmp_path.glob(".*tmp*"))


def test_unload_removes_the_action_and_the_dock(qgis_iface, qgis_new_project):
    plugin = sitewatch.classFactory(qgis_iface)
    plugin.initGui()
    part = next(p for p in plugin.parts if isinstance(p, DamagePanel))
    assert part.action in plugin.context.toolbar.actions()
    assert part.action.toolTip()
    dock = part.dock
    plugin.unload()
    deferred = QEvent.Type.DeferredDelete
    QCoreApplication.sendPostedEvents(None, getattr(deferred, "value", deferred))
    assert dock not in qgis_iface.mainWindow().findChildren(DamageDock)


def test_panel_sees_a_structure_added_through_the_store(panel):
    part, plugin, store = panel
    store.add_features("structures", [{"structure_id": "S-5", "type": "bunker", "geometry": box(150, 50, 10)}])
    store.record_observation(Observation("S-5", "2020-01-08", "destroyed"))
    # What the review tool does after writing through the store: reload the providers.
    plugin.context.session.layer("structures").dataProvider().reloadData()
    wait_until_idle(part.dock)
    assert cells(part.dock, "Destroyed")["C-2"] == "1"
    assert cells(part.dock, "Structures")["ALL"] == "5"
