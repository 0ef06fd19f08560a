"""Review keys on a PostGIS assessment against the same site in a GeoPackage, in one run.

The review site of ``bench_review.py`` (by default 20,000 structures, 5 image dates, 25
compounds) is copied into a throw-away PostgreSQL + PostGIS cluster (``tests/helpers/postgres.py``)
with ``copyassessment``; then, for the GeoPackage and for the PostGIS copy, the same desktop
parts (session, annotation controller, review queue dock, review tool on an offscreen 800×600
canvas zoomed to the current structure) record ``--repeats`` keys, each timed from the key press
to the observation committed (optimistic check included on PostGIS) and the canvas re-rendered.
Prints both medians and the PostGIS / GeoPackage ratio; the goal is a PostGIS median < 50 ms.

Run: PYTHONPATH=.build/pkgroot QT_QPA_PLATFORM=offscreen /usr/bin/python3 bench/bench_team_review.py
     [--structures 20000 --repeats 40]
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

from bench_review import wait_for_render  # noqa: E402
from qgis.core import QgsApplication, QgsProject  # noqa: E402
from review_site_data import cached_copy, image_date  # noqa: E402

KEY_GOAL_MS = 50


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--structures", type=int, default=20_000)
    parser.add_argument("--dates", type=int, default=5)
    parser.add_argument("--compounds", type=int, default=25)
    parser.add_argument("--repeats", type=int, default=40)
    return parser.parse_args()


def key_times(app: QgsApplication, location: str, dates: int, repeats: int) -> list[float]:
    """Seconds from each key press to the committed observation and the re-rendered canvas."""
    from qgis.gui import QgsMapCanvas
    from qgis.PyQt.QtCore import QEvent, QSize, Qt
    from qgis.PyQt.QtGui import QKeyEvent

    from sitewatch.core.imagery.registry import ImageRecord
    from sitewatch.ui.annotation.controller import AnnotationController
    from sitewatch.ui.annotation.navigation import ContextZoom
    from sitewatch.ui.annotation.review_queue_dock import ReviewQueueDock
    from sitewatch.ui.annotation.review_tool import ReviewTool
    from sitewatch.ui.assessment.session import AssessmentSession

    canvas = QgsMapCanvas()
    canvas.resize(QSize(800, 600))
    canvas.show()
    session = AssessmentSession(QgsProject.instance())
    controller = AnnotationController(session, canvas, confirm=lambda _question: True)
    zoom = ContextZoom(canvas, controller)
    controller.navigated.connect(zoom.zoom_to)
    dock = ReviewQueueDock(controller)
    dock.show()
    session.open(location)
    canvas.setDestinationCrs(session.store.crs())
    canvas.setLayers([session.layer("structures"), session.layer("compounds")])
    after = ImageRecord(f"IMG-{dates + 1:04d}", image_date(dates))
    session.set_pair(ImageRecord(f"IMG-{dates:04d}", image_date(dates - 1)), after)
    app.processEvents()
    tool = ReviewTool(canvas, controller)
    canvas.setMapTool(tool)
    keys = (Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5, Qt.Key.Key_1)
    times = []
    for number in range(repeats):
        tool.keyPressEvent(QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_N, Qt.KeyboardModifier.NoModifier))
        wait_for_render(canvas, app)
        began = time.perf_counter()
        tool.keyPressEvent(QKeyEvent(QEvent.Type.KeyPress, keys[number % len(keys)], Qt.KeyboardModifier.NoModifier))
        wait_for_render(canvas, app)
        times.append(time.perf_counter() - began)
    recorded = [o for o in session.store.observations([controller.current]) if o.observed_on == after.acquired]
    assert recorded, f"the keys were not recorded in {location}"
    canvas.unsetMapTool(tool)
    controller.unload()
    session.close()
    session.unload()
    canvas.setLayers([])
    dock.deleteLater()
    canvas.deleteLater()
    QgsProject.instance().clear()
    app.processEvents()
    return times


def main() -> int:
    args = arguments()
    app = QgsApplication([], True)
    app.initQgis()
    from osgeo import gdal

    gdal.PushErrorHandler("CPLQuietErrorHandler")
    from sitewatch.core.assessment.postgis_copy import copy_assessment
    from sitewatch.core.assessment.store import open_assessment
    from sitewatch.tests.helpers.postgres import start_cluster, stop_cluster

    cluster = start_cluster()
    try:
        folder = Path(tempfile.mkdtemp(prefix="sitewatch-bench-team-"))
        path = cached_copy(folder, args.structures, args.dates, args.compounds)
        location = cluster.location("bench_review")
        began = time.perf_counter()
        copy_assessment(open_assessment(path), location, progress=lambda _text: None)
        print(
            f"site: {args.structures:,} structures × {args.dates} dates, copied into PostGIS in "
            f"{time.perf_counter() - began:.1f} s",
            flush=True,
        )
        figures = {}
        for name, where in (("GeoPackage", str(path)), ("PostGIS", location)):
            figures[name] = statistics.median(key_times(app, where, args.dates, args.repeats)) * 1000
        ratio = figures["PostGIS"] / figures["GeoPackage"]
        print(f"{args.repeats} keys each, key press → committed observation → canvas re-rendered (median):")
        for name, value in figures.items():
            print(f"  {name:<10} {value:7.1f} ms")
        print(f"  PostGIS / GeoPackage: {ratio:.2f}×; goal on PostGIS < {KEY_GOAL_MS} ms")
    finally:
        stop_cluster(cluster)
        app.exitQgis()
    return 0 if figures["PostGIS"] < KEY_GOAL_MS else 2


if __name__ == "__main__":
    sys.exit(main())
