"""Work cells moved by another analyst on the shared PostGIS assessment appear in the Cells dock
and on the map within 2 s, without reopening anything."""

from __future__ import annotations

import time

from qgis.core import QgsRectangle
from qgis.PyQt.QtCore import QCoreApplication

from sitewatch.core.teamwork.making import grid_cells
from sitewatch.tests.helpers.plugin import part_of
from sitewatch.ui.teamwork.part import CellsPart


def wait_for(condition, seconds: float) -> float:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > seconds:
            raise AssertionError(f"not seen within {seconds} s")
        QCoreApplication.processEvents()
        time.sleep(0.005)
    return time.perf_counter() - started


def test_another_analysts_cell_move_appears_within_two_seconds(team_plugin, bea):
    dock = part_of(team_plugin, CellsPart).dock
    bea.add_work_cells(grid_cells(QgsRectangle(500000, 3000000, 500400, 3000100), 2, 1))
    wait_for(lambda: len(dock.cells) == 2, 2.0)
    layer_id = part_of(team_plugin, CellsPart).map_layer.layer_id
    assert layer_id is not None
    started = time.perf_counter()
    bea.change_cell("W-0002", "assign", "Lead", assignee="Bea")
    wait_for(lambda: [c.state for c in dock.cells] == ["unassigned", "in_progress"], 2.0)
    assert time.perf_counter() - started < 2.0
    assert dock.table.item(1, 3).text() == "Bea"
    layer = team_plugin.context.session.project.mapLayer(layer_id)
    assert sorted(f["state"] for f in layer.getFeatures()) == ["in_progress", "unassigned"]
