"""Review speed on a large site: 20,000 structures and 100,000 observations.

Measures, on a real (offscreen) map canvas with the review queue dock open:
- key press on the review tool → observation committed to the GeoPackage → canvas re-rendered;
- next in queue (N) → structure highlighted, map panned and zoomed (and, separately, re-rendered);
and the baseline of a plain ``QgsVectorLayer.changeAttributeValue`` + ``commitChanges`` on the
same GeoPackage's observations table, measured in the same run.

Run: PYTHONPATH=.build/pkgroot QT_QPA_PLATFORM=offscreen /usr/bin/python3 bench/bench_review.py
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication, QgsCoordinateReferenceSystem, QgsProject  # noqa: E402

STRUCTURES = 20_000
OBSERVATION_DATES = 5  # 5 dates × 20,000 structures = 100,000 observations
REPEATS = 40


def build_site(path: Path):
    from sitewatch.core.assessment.geopackage import GeoPackageStore
    from sitewatch.core.assessment.observations import Observation

    store = GeoPackageStore.create(path, QgsCoordinateReferenceSystem("EPSG:32637"), site_name="Bench site")
    side = int(STRUCTURES**0.5) + 1
    x0, y0, step, size = 500000.0, 3000000.0, 15.0, 10.0

    def square(x: float, y: float, width: float) -> str:
        return f"POLYGON(({x} {y},{x + width} {y},{x + width} {y + width},{x} {y + width},{x} {y}))"

    compounds_per_side = 5
    compound_width = side * step / compounds_per_side
    store.add_features(
        "compounds",
        [
            {
                "compound_id": f"C-{i * compounds_per_side + j + 1:04d}",
                "geometry": square(x0 + i * compound_width, y0 + j * compound_width, compound_width),
            }
            for i in range(compounds_per_side)
            for j in range(compounds_per_side)
        ],
    )
    types = ("warehouse", "bunker", "hangar", "revetment")
    store.add_features(
        "structures",
        [
            {
                "structure_id": f"S-{n + 1:05d}",
                "type": types[n % len(types)],
                "geometry": square(x0 + (n % side) * step, y0 + (n // side) * step, size),
            }
            for n in range(STRUCTURES)
        ],
    )
    store.refresh_compound_ids()
    statuses = ("intact", "intact", "possible", "moderate", "severe", "destroyed")
    start = datetime.date(2019, 1, 1)
    store.record_observations(
        Observation(
            f"S-{n + 1:05d}",
            (start + datetime.timedelta(days=60 * d)).isoformat(),
            statuses[(n + d) % len(statuses)],
            f"IMG-{d + 1:04d}",
            "high",
            "bench",
        )
        for d in range(OBSERVATION_DATES)
        for n in range(STRUCTURES)
    )
    return store


def wait_for_render(canvas, app) -> None:
    """Spin the event loop until the canvas has finished the render it was asked for."""
    done = []
    canvas.mapCanvasRefreshed.connect(lambda: done.append(True))
    deadline = time.perf_counter() + 10
    while not done and time.perf_counter() < deadline:
        app.processEvents()
    canvas.mapCanvasRefreshed.disconnect()


def render_whole_site_ms(layer) -> float:
    """One sequential render of the whole layer at 800×600 px."""
    from qgis.core import QgsMapRendererSequentialJob, QgsMapSettings
    from qgis.PyQt.QtCore import QSize

    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setOutputSize(QSize(800, 600))
    settings.setExtent(layer.extent())
    began = time.perf_counter()
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    return (time.perf_counter() - began) * 1000


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def p95_ms(samples: list[float]) -> float:
    return sorted(samples)[int(len(samples) * 0.95) - 1] * 1000


def main() -> int:
    app = QgsApplication([], True)
    app.initQgis()
    from osgeo import gdal

    gdal.PushErrorHandler("CPLQuietErrorHandler")  # GDAL warns about the store's DATETIME text format
    profile = os.environ.get("BENCH_PROFILE")
    from qgis.gui import QgsMapCanvas
    from qgis.PyQt.QtCore import QEvent, QSize, Qt
    from qgis.PyQt.QtGui import QKeyEvent

    from sitewatch.core.imagery.registry import ImageRecord
    from sitewatch.ui.annotation.controller import AnnotationController
    from sitewatch.ui.annotation.navigation import ContextZoom
    from sitewatch.ui.annotation.review_queue_dock import ReviewQueueDock, StructureFocus
    from sitewatch.ui.annotation.review_tool import ReviewTool
    from sitewatch.ui.assessment.session import AssessmentSession

    folder = Path(tempfile.mkdtemp(prefix="sitewatch-bench-"))
    began = time.perf_counter()
    store = build_site(folder / "bench.gpkg")
    print(
        f"site: {STRUCTURES:,} structures, {len(store.observations()):,} observations "
        f"(built in {time.perf_counter() - began:.1f} s)"
    )

    canvas = QgsMapCanvas()
    canvas.resize(QSize(800, 600))
    canvas.show()
    canvas.setDestinationCrs(store.crs())
    session = AssessmentSession(QgsProject.instance())
    controller = AnnotationController(session, canvas, confirm=lambda _question: True)
    focus = StructureFocus(canvas, controller)
    controller.current_changed.connect(focus.show)
    zoom = ContextZoom(canvas, controller)
    controller.navigated.connect(zoom.zoom_to)
    dock = ReviewQueueDock(controller)
    dock.show()
    session.open(str(store.path))
    canvas.setLayers([session.layer("structures"), session.layer("compounds")])
    session.set_pair(ImageRecord("IMG-0005", "2019-09-28"), ImageRecord("IMG-0006", "2020-01-08"))
    tool = ReviewTool(canvas, controller)
    canvas.setMapTool(tool)

    # next in queue: highlight + pan / zoom, then (separately) the render it triggers
    step_times, step_render_times = [], []
    for _ in range(REPEATS):
        began = time.perf_counter()
        tool.keyPressEvent(QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_N, Qt.KeyboardModifier.NoModifier))
        step_times.append(time.perf_counter() - began)
        wait_for_render(canvas, app)
        step_render_times.append(time.perf_counter() - began)

    # key press → committed observation → restyled canvas rendered
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    key_times, commit_times = [], []
    keys = (Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5, Qt.Key.Key_1)
    for number in range(REPEATS):
        began = time.perf_counter()
        tool.keyPressEvent(QKeyEvent(QEvent.Type.KeyPress, keys[number % len(keys)], Qt.KeyboardModifier.NoModifier))
        commit_times.append(time.perf_counter() - began)
        wait_for_render(canvas, app)
        key_times.append(time.perf_counter() - began)
    if profile:
        profiler.disable()
        profiler.dump_stats(profile)
    recorded = [o for o in store.observations([controller.current]) if o.observed_on == "2020-01-08"]
    assert recorded and recorded[0].status == "intact", "the key presses were not recorded"

    # baseline: plain layer edit of one attribute, committed, same GeoPackage
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(f"{store.path}|layername=observations", "observations", "ogr")
    field = layer.fields().indexOf("status")
    fids = [f.id() for f in layer.getFeatures()][:REPEATS]
    baseline_times = []
    for number, fid in enumerate(fids):
        began = time.perf_counter()
        layer.startEditing()
        layer.changeAttributeValue(fid, field, ("severe", "moderate")[number % 2])
        if not layer.commitChanges():
            print("baseline commit failed:", layer.commitErrors())
            return 1
        baseline_times.append(time.perf_counter() - began)

    # for scale: the whole site rendered once by status, and once by type (no Python function)
    full_status_ms = render_whole_site_ms(session.layer("structures"))
    from sitewatch.core.assessment.styles import structures_by_type_renderer

    by_type = session.layer("structures").clone()
    by_type.setRenderer(structures_by_type_renderer())
    full_type_ms = render_whole_site_ms(by_type)

    baseline = median_ms(baseline_times)
    key_ms, commit_ms = median_ms(key_times), median_ms(commit_times)
    step_ms, step_render_ms = median_ms(step_times), median_ms(step_render_times)
    print(f"{REPEATS} runs each, canvas 800×600 px zoomed to the current structure:   median     p95")
    print(f"  key press → committed row (+ queue dock, style)   {commit_ms:7.1f} ms {p95_ms(commit_times):7.1f} ms")
    print(
        f"  key press → committed row and canvas re-rendered  {key_ms:7.1f} ms {p95_ms(key_times):7.1f} ms"
        f"   goal < 50 ms; {key_ms / baseline:.2f}× baseline"
    )
    print(
        f"  next in queue → highlighted, panned and zoomed    {step_ms:7.1f} ms {p95_ms(step_times):7.1f} ms"
        f"   goal < 50 ms; {step_ms / baseline:.2f}× baseline"
    )
    print(
        f"  next in queue → ... and canvas re-rendered        {step_render_ms:7.1f} ms "
        f"{p95_ms(step_render_times):7.1f} ms   {step_render_ms / baseline:.2f}× baseline"
    )
    print(f"  baseline changeAttributeValue + commitChanges     {baseline:7.1f} ms {p95_ms(baseline_times):7.1f} ms")
    print(
        f"  (for scale) whole site, 20,000 structures, one render: by status {full_status_ms:.0f} ms, "
        f"by type {full_type_ms:.0f} ms"
    )
    controller.unload()
    session.close()
    return 0 if key_ms < 50 and step_ms < 50 else 2


if __name__ == "__main__":
    sys.exit(main())
