"""Benchmark: how long the Damage panel takes to show a new table after one observation.

    PYTHONPATH=.build/pkgroot /usr/bin/python3 bench/bench_damage_panel.py [--structures 5000] [--repeats 20]

A site of --structures structures (5 observations each, one compound per 100 structures) is
opened in the real plugin (offscreen; a QMainWindow with a map canvas and message bar stands
in for the QGIS window). Each repeat records one observation through the store, reloads the observations
project layer (what a part does after writing) and times until the dock emits ``refreshed``,
i.e. the table, chart and summary show the new numbers. Goal: under 100 ms. The process CPU
time is printed too: on a busy machine the wall time includes waiting for a core.

Baseline in the same run: the plain QGIS route on the same file (joinattributesbylocation
with largest overlap + joinattributestable + statisticsbycategories), as in
bench_compound_damage.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.append("/usr/share/qgis/python/plugins")

from qgis.core import QgsApplication, QgsProject  # noqa: E402

APP = QgsApplication([], False)
APP.initQgis()

import site_data  # noqa: E402
from bench_compound_damage import qgis_route  # noqa: E402
from processing.core.Processing import Processing  # noqa: E402
from qgis.gui import QgsMapCanvas, QgsMessageBar  # noqa: E402
from qgis.PyQt.QtCore import QEventLoop, QTimer  # noqa: E402
from qgis.PyQt.QtWidgets import QMainWindow  # noqa: E402

import sitewatch  # noqa: E402
from sitewatch.core.assessment.observations import Observation  # noqa: E402
from sitewatch.ui.damage.part import DamagePanel  # noqa: E402

STATUSES = ("intact", "possible", "moderate", "severe", "destroyed")


class Window:
    """The few QgisInterface calls the plugin makes, on a real QMainWindow, canvas and message bar."""

    def __init__(self):
        self.window = QMainWindow()
        self.canvas = QgsMapCanvas(self.window)
        self.bar = QgsMessageBar(self.window)

    def mainWindow(self):
        return self.window

    def mapCanvas(self):
        return self.canvas

    def messageBar(self):
        return self.bar

    def addToolBar(self, name):
        return self.window.addToolBar(name)

    def addDockWidget(self, area, dock):
        self.window.addDockWidget(area, dock)

    def removeDockWidget(self, dock):
        self.window.removeDockWidget(dock)


def wait_for_refresh(dock, seen: list, count: int, limit: float = 30.0) -> None:
    """Run a Qt event loop (as QGIS does, idle in C++) until the dock has refreshed ``count`` times."""
    if len(seen) >= count:
        return
    loop = QEventLoop()
    dock.refreshed.connect(loop.quit)
    QTimer.singleShot(int(limit * 1000), loop.quit)
    while len(seen) < count:
        loop.exec()
    dock.refreshed.disconnect(loop.quit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--structures", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=20)
    arguments = parser.parse_args()
    Processing.initialize()

    iface = Window()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "site.gpkg"
        store = site_data.generate(
            path, arguments.structures, arguments.structures * 5, max(1, arguments.structures // 100)
        )
        plugin = sitewatch.classFactory(iface)
        plugin.initGui()
        part = next(p for p in plugin.parts if isinstance(p, DamagePanel))
        dock = part.dock
        seen: list = []
        dock.refreshed.connect(seen.append)
        plugin.context.session.open(str(path))
        dock.show()
        dock.after_edit.setText(site_data.DATES[-1])
        dock.before_edit.setText(site_data.DATES[2])
        dock.refresh()
        wait_for_refresh(dock, seen, 1)
        observations = plugin.context.session.layer("observations")
        times, cpu = [], []
        for repeat in range(arguments.repeats):
            wanted = len(seen) + 1
            start, start_cpu = time.perf_counter(), time.process_time()
            store.record_observation(Observation("S-000001", site_data.DATES[-1], STATUSES[repeat % len(STATUSES)]))
            observations.reload()
            wait_for_refresh(dock, seen, wanted)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        ours = statistics.median(times)
        print(
            f"site: {arguments.structures:,} structures, {arguments.structures * 5:,} observations, "
            f"{max(1, arguments.structures // 100)} compounds"
        )
        print(
            f"Damage panel refresh after one observation (write + reload + table, chart, summary shown): "
            f"median {ours * 1000:.0f} ms, min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
            f"over {len(times)} repeats "
            f"(goal < 100 ms); CPU time of all threads: median {statistics.median(cpu) * 1000:.0f} ms"
        )
        print(f"summary: {dock.summary.text()}")
        plugin.unload()
        QgsProject.instance().clear()
        route, _ = qgis_route(path)
        print(f"QGIS route on the same file: {route * 1000:.0f} ms; ratio {route / ours:.1f}x")


if __name__ == "__main__":
    main()
