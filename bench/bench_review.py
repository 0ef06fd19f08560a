"""Review speed on a large site (by default 20,000 structures, 5 image dates, 25 compounds).

Measures, on a real (offscreen) map canvas with the review queue dock open:
- opening the assessment (layers, status style, queue filled) and choosing the image pair;
- key press on the review tool → observation committed to the GeoPackage → canvas re-rendered;
- next in queue (N) → structure highlighted, map panned and zoomed (and, separately, re-rendered);
- the whole site rendered by status and by type (three times each, in turns);
- key press → Damage dock up to date (its rows, summary and chart moved incrementally), against
  the dock's full recompute of the site in the same run, and that no key starts a recompute;
and the baseline of a plain ``QgsVectorLayer.changeAttributeValue`` + ``commitChanges`` on the
same GeoPackage's observations table, measured in the same run. The site is built once and
cached under ``.build/bench`` (``review_site_data.py``). ``--json FILE`` writes the figures for
``bench_country_scale.py``. The run tears down in order and exits cleanly.

Run: PYTHONPATH=.build/pkgroot QT_QPA_PLATFORM=offscreen /usr/bin/python3 bench/bench_review.py
     [--structures 250000 --dates 14 --compounds 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from qgis.core import QgsApplication, QgsProject  # noqa: E402
from review_site_data import cached_copy, image_date  # noqa: E402

KEY_GOAL_MS = 50
STEP_GOAL_MS = 50
DAMAGE_GOAL_MS = 100
WHOLE_SITE_RENDERS = 3
"""Whole-site renders by status and by type, taken in turns; the medians are compared."""


class Interface:
    """The few QgisInterface calls the Damage dock makes (messages, the map canvas)."""

    def __init__(self, canvas):
        from qgis.gui import QgsMessageBar

        self.canvas = canvas
        self.bar = QgsMessageBar()

    def mapCanvas(self):
        return self.canvas

    def messageBar(self):
        return self.bar


def wait_for_damage(dock, app) -> None:
    """Spin the event loop until the Damage dock's background computation has been shown."""
    deadline = time.perf_counter() + 120
    while dock.busy() and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.001)


def wait_for_render(canvas, app) -> None:
    """Spin the event loop until the canvas has finished the render it was asked for."""
    done = []
    canvas.mapCanvasRefreshed.connect(lambda: done.append(True))
    deadline = time.perf_counter() + 10
    while not done and time.perf_counter() < deadline:
        app.processEvents()
    canvas.mapCanvasRefreshed.disconnect()


def render_whole_site_ms(layer, canvas) -> tuple[float, float]:
    """One sequential render of the whole layer at 800×600 px, with the canvas's expression
    scope (where the status style keeps the states) as the canvas renders it: (wall, CPU) ms,
    the CPU time of the process's threads being what the machine's load does not stretch."""
    from qgis.core import QgsExpressionContext, QgsExpressionContextScope, QgsMapRendererSequentialJob, QgsMapSettings
    from qgis.PyQt.QtCore import QSize

    settings = QgsMapSettings()
    context = QgsExpressionContext()
    context.appendScope(QgsExpressionContextScope(canvas.expressionContextScope()))
    settings.setExpressionContext(context)
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setOutputSize(QSize(800, 600))
    settings.setExtent(layer.extent())
    began, cpu_began = time.perf_counter(), time.process_time()
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    return (time.perf_counter() - began) * 1000, (time.process_time() - cpu_began) * 1000


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def p95_ms(samples: list[float]) -> float:
    return sorted(samples)[int(len(samples) * 0.95) - 1] * 1000


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--structures", type=int, default=20_000)
    parser.add_argument("--dates", type=int, default=5, help="image dates every structure is observed on")
    parser.add_argument("--compounds", type=int, default=25)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args()


def rss_mb() -> float:
    """Peak resident memory of this process so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    args = arguments()
    app = QgsApplication([], True)
    app.initQgis()
    try:
        figures = measure(app, args)
    finally:
        app.exitQgis()  # last: every canvas, dock and layer was released in measure()
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    met = (
        figures["key_ms"] < KEY_GOAL_MS
        and figures["step_ms"] < STEP_GOAL_MS
        and figures["damage_key_ms"] < DAMAGE_GOAL_MS
        and figures["damage_key_launches"] == 0
    )
    return 0 if met else 2


def measure(app: QgsApplication, args: argparse.Namespace) -> dict[str, float]:
    from osgeo import gdal

    gdal.PushErrorHandler("CPLQuietErrorHandler")  # GDAL warns about the store's DATETIME text format
    profile = os.environ.get("BENCH_PROFILE")
    from qgis.core import QgsApplication, QgsVectorLayer
    from qgis.gui import QgsMapCanvas
    from qgis.PyQt.QtCore import QEvent, QSize, Qt
    from qgis.PyQt.QtGui import QKeyEvent
    from qgis.PyQt.QtWidgets import QMenu, QToolBar

    from sitewatch.core.assessment.styles import structures_by_type_renderer
    from sitewatch.core.imagery.registry import ImageRecord
    from sitewatch.ui.annotation.controller import AnnotationController
    from sitewatch.ui.annotation.navigation import ContextZoom
    from sitewatch.ui.annotation.review_queue_dock import ReviewQueueDock, StructureFocus
    from sitewatch.ui.annotation.review_tool import ReviewTool
    from sitewatch.ui.assessment.session import AssessmentSession
    from sitewatch.ui.context import PluginContext
    from sitewatch.ui.damage.dock import DamageDock
    from sitewatch.ui.damage.task import DamageTask

    folder = Path(tempfile.mkdtemp(prefix="sitewatch-bench-"))
    began = time.perf_counter()
    path = cached_copy(folder, args.structures, args.dates, args.compounds)
    observations = args.structures * args.dates
    print(
        f"site: {args.structures:,} structures, {observations:,} observations over {args.dates} dates, "
        f"{args.compounds:,} compounds (ready in {time.perf_counter() - began:.1f} s)",
        flush=True,
    )
    memory_before_open = rss_mb()
    canvas = QgsMapCanvas()
    canvas.resize(QSize(800, 600))
    canvas.show()
    session = AssessmentSession(QgsProject.instance())
    controller = AnnotationController(session, canvas, confirm=lambda _question: True)
    focus = StructureFocus(canvas, controller)
    controller.current_changed.connect(focus.show)
    zoom = ContextZoom(canvas, controller)
    controller.navigated.connect(zoom.zoom_to)
    dock = ReviewQueueDock(controller)
    dock.show()
    signalled: list[float] = []  # connected before the Damage dock: when the keys' ids are sent
    session.observations_changed.connect(lambda _ids: signalled.append(time.perf_counter()))
    damage = DamageDock(PluginContext(Interface(canvas), session, QToolBar(), QMenu()))
    damage_shown: list[float] = []
    damage.refreshed.connect(lambda _table: damage_shown.append(time.perf_counter()))
    damage.show()
    session.opened.connect(damage.attach)
    launches: list[int] = []
    QgsApplication.taskManager().taskAdded.connect(
        lambda task_id: (
            launches.append(task_id) if isinstance(QgsApplication.taskManager().task(task_id), DamageTask) else None
        )
    )
    began, cpu_began = time.perf_counter(), time.process_time()
    session.open(str(path))
    canvas.setDestinationCrs(session.store.crs())
    canvas.setLayers([session.layer("structures"), session.layer("compounds")])
    after = ImageRecord(f"IMG-{args.dates + 1:04d}", image_date(args.dates))
    session.set_pair(ImageRecord(f"IMG-{args.dates:04d}", image_date(args.dates - 1)), after)
    app.processEvents()
    open_ms = (time.perf_counter() - began) * 1000
    open_cpu_ms = (time.process_time() - cpu_began) * 1000  # every thread's: what a shared machine's load hides
    damage.set_dates_from_session()  # as the Damage panel does when the pair changes
    wait_for_damage(damage, app)
    open_damage_ms = (time.perf_counter() - began) * 1000
    open_damage_cpu_ms = (time.process_time() - cpu_began) * 1000
    open_damage_launches = len(launches)  # the dock's computations until it was filled
    # the dock's full recompute of the site (what each key cost before): the baseline of the key figure
    damage_full_times = []
    for _ in range(3):
        began = time.perf_counter()
        damage.refresh()
        wait_for_damage(damage, app)
        damage_full_times.append(time.perf_counter() - began)
    assert controller.queue.counts() == (0, args.structures), controller.queue.counts()
    tool = ReviewTool(canvas, controller)
    canvas.setMapTool(tool)

    # next in queue: highlight + pan / zoom, then (separately) the render it triggers
    step_times, step_render_times = [], []
    for _ in range(args.repeats):
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
    key_times, commit_times, damage_key_times, damage_own_times = [], [], [], []
    keys = (Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5, Qt.Key.Key_1)
    launches.clear()
    for number in range(args.repeats):
        del signalled[:], damage_shown[:]
        began = time.perf_counter()
        tool.keyPressEvent(QKeyEvent(QEvent.Type.KeyPress, keys[number % len(keys)], Qt.KeyboardModifier.NoModifier))
        commit_times.append(time.perf_counter() - began)
        if damage_shown:
            damage_key_times.append(damage_shown[-1] - began)
            damage_own_times.append(damage_shown[-1] - signalled[0])
        wait_for_render(canvas, app)
        key_times.append(time.perf_counter() - began)
    if profile:
        profiler.disable()
        profiler.dump_stats(profile)
    settle = time.perf_counter() + 1.2  # the observation tables are re-read 0.8 s after the last key
    while time.perf_counter() < settle:
        app.processEvents()
        time.sleep(0.005)
    wait_for_damage(damage, app)
    assert len(damage_key_times) == args.repeats, "the Damage dock did not follow every key"
    last = keys[(args.repeats - 1) % len(keys)]
    expected = {Qt.Key.Key_3: "moderate", Qt.Key.Key_4: "severe", Qt.Key.Key_5: "destroyed", Qt.Key.Key_1: "intact"}
    recorded = [o for o in session.store.observations([controller.current]) if o.observed_on == after.acquired]
    assert recorded and recorded[0].status == expected[last], "the key presses were not recorded"
    assert controller.queue.counts() == (1, args.structures), controller.queue.counts()

    # baseline: plain layer edit of one attribute, committed, same GeoPackage
    layer = QgsVectorLayer(f"{path}|layername=observations", "observations", "ogr")
    field = layer.fields().indexOf("status")
    fids = [f.id() for f in layer.getFeatures(f"observed_on = '{image_date(0)}'")][: args.repeats]
    baseline_times = []
    for number, fid in enumerate(fids):
        began = time.perf_counter()
        layer.startEditing()
        layer.changeAttributeValue(fid, field, ("severe", "moderate")[number % 2])
        if not layer.commitChanges():
            raise RuntimeError(f"baseline commit failed: {layer.commitErrors()}")
        baseline_times.append(time.perf_counter() - began)

    # the whole site rendered by status and by type, in turns (the machine's load changes)
    by_type = session.layer("structures").clone()
    by_type.setRenderer(structures_by_type_renderer())
    status_renders, type_renders = [], []
    for _ in range(WHOLE_SITE_RENDERS):
        status_renders.append(render_whole_site_ms(session.layer("structures"), canvas))
        type_renders.append(render_whole_site_ms(by_type, canvas))
    full_status_ms, full_type_ms = (statistics.median(wall for wall, _ in r) for r in (status_renders, type_renders))
    status_cpu_ms, type_cpu_ms = (statistics.median(cpu for _, cpu in r) for r in (status_renders, type_renders))
    memory_open = rss_mb()

    figures = {
        "structures": args.structures,
        "observations": observations,
        "open_ms": open_ms,
        "open_cpu_ms": open_cpu_ms,
        "key_ms": median_ms(key_times),
        "key_p95_ms": p95_ms(key_times),
        "commit_ms": median_ms(commit_times),
        "step_ms": median_ms(step_times),
        "step_p95_ms": p95_ms(step_times),
        "step_render_ms": median_ms(step_render_times),
        "baseline_ms": median_ms(baseline_times),
        "render_status_ms": full_status_ms,
        "open_damage_ms": open_damage_ms,
        "damage_key_ms": median_ms(damage_key_times),
        "damage_key_p95_ms": p95_ms(damage_key_times),
        "damage_own_ms": median_ms(damage_own_times),
        "damage_full_ms": median_ms(damage_full_times),
        "damage_key_launches": len(launches),
        "damage_open_launches": open_damage_launches,
        "open_damage_cpu_ms": open_damage_cpu_ms,
        "render_type_ms": full_type_ms,
        "render_status_cpu_ms": status_cpu_ms,
        "render_type_cpu_ms": type_cpu_ms,
        "memory_before_open_mb": memory_before_open,
        "memory_peak_mb": memory_open,
    }
    report(figures, args.repeats)

    # teardown, in order: map tool and highlight off the canvas, the controller's signals and
    # expression function, the assessment's layers, then the widgets (before QGIS exits)
    canvas.unsetMapTool(tool)
    focus.clear()
    damage.close_down()
    session.opened.disconnect(damage.attach)
    controller.unload()
    session.close()
    canvas.setLayers([])
    del by_type, layer, tool
    dock.deleteLater()
    damage.deleteLater()
    canvas.deleteLater()
    QgsProject.instance().clear()
    app.processEvents()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    shutil.rmtree(folder, ignore_errors=True)  # the site's copy: 380 MB at 250,000 structures
    return figures


def report(figures: dict[str, float], repeats: int) -> None:
    baseline = figures["baseline_ms"]
    print(
        f"opened (layers, style, queue, pair) in {figures['open_ms']:.0f} ms "
        f"({figures['open_cpu_ms']:.0f} ms of CPU over its threads)"
    )
    print(f"{repeats} runs each, canvas 800×600 px zoomed to the current structure:   median     p95")
    print(f"  key press → committed row (+ queue dock, style)   {figures['commit_ms']:7.1f} ms")
    print(
        f"  key press → committed row and canvas re-rendered  {figures['key_ms']:7.1f} ms "
        f"{figures['key_p95_ms']:7.1f} ms   goal < {KEY_GOAL_MS} ms; {figures['key_ms'] / baseline:.2f}× baseline"
    )
    print(
        f"  next in queue → highlighted, panned and zoomed    {figures['step_ms']:7.1f} ms "
        f"{figures['step_p95_ms']:7.1f} ms   goal < {STEP_GOAL_MS} ms; {figures['step_ms'] / baseline:.2f}× baseline"
    )
    print(f"  next in queue → ... and canvas re-rendered        {figures['step_render_ms']:7.1f} ms")
    print(f"  baseline changeAttributeValue + commitChanges     {baseline:7.1f} ms")
    print(
        f"  whole site, median of {WHOLE_SITE_RENDERS} renders: by status {figures['render_status_ms']:.0f} ms, "
        f"by type "
        f"{figures['render_type_ms']:.0f} ms ({figures['render_status_ms'] / figures['render_type_ms']:.2f}×); "
        f"CPU {figures['render_status_cpu_ms']:.0f} ms vs {figures['render_type_cpu_ms']:.0f} ms "
        f"({figures['render_status_cpu_ms'] / figures['render_type_cpu_ms']:.2f}×)"
    )
    full = figures["damage_full_ms"]
    print(
        f"  key press → Damage dock up to date (incremental) {figures['damage_key_ms']:7.1f} ms "
        f"{figures['damage_key_p95_ms']:7.1f} ms   goal < {DAMAGE_GOAL_MS} ms; "
        f"{figures['damage_key_ms'] / full:.3f}× the full recompute"
    )
    print(f"    of which the Damage dock's own update        {figures['damage_own_ms']:7.1f} ms")
    print(f"  Damage dock full recompute of the site          {full:7.1f} ms   (baseline; at open, date change)")
    print(
        f"  full recomputes started by the {repeats} keys: {figures['damage_key_launches']:.0f} (goal 0); "
        f"opened with the Damage dock filled in {figures['open_damage_ms']:.0f} ms "
        f"({figures['damage_open_launches']:.0f} computations, {figures['open_damage_cpu_ms']:.0f} ms of CPU)"
    )
    print(f"  peak memory {figures['memory_peak_mb']:.0f} MB", flush=True)


if __name__ == "__main__":
    sys.exit(main())
