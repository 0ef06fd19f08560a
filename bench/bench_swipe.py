"""Swipe drag step vs a full re-render, on a 1600×1000 canvas over two 10000×10000 images.

Run: PYTHONPATH=.build/pkgroot QT_QPA_PLATFORM=offscreen /usr/bin/python3 bench/bench_swipe.py
The images (3-band uint8 GeoTIFFs with overviews, as the Imagery panel offers to build) are
written once to $SITEWATCH_BENCH_DIR (default /tmp/sitewatch-bench) and re-used.

Baseline: rendering the same canvas again with both images (what a swipe that re-renders the
layers on each move costs). Measured: one drag step = moving the divider and repainting the
canvas viewport synchronously (the comparison item re-composites the two cached renders).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from osgeo import gdal, osr
from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsMapRendererParallelJob,
    QgsProject,
    QgsRasterLayer,
)

SIZE = 10_000
CANVAS = (1600, 1000)
STEPS = 60
RENDERS = 5


def write_image(path: Path, seed: int) -> None:
    """A textured 10000×10000 RGB image (tiled, with overviews) unless it is already there."""
    if path.exists() and Path(str(path) + ".ovr").exists():
        return
    dataset = gdal.GetDriverByName("GTiff").Create(
        str(path), SIZE, SIZE, 3, gdal.GDT_Byte, ["TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512"]
    )
    dataset.SetGeoTransform((500_000.0, 0.5, 0, 3_705_000.0, 0, -0.5))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32637)
    dataset.SetProjection(srs.ExportToWkt())
    rng = np.random.default_rng(seed)
    strip = 1000
    for top in range(0, SIZE, strip):
        y, x = np.mgrid[top : top + strip, 0:SIZE]
        base = ((x // 50 + y // 50) % 2) * 60 + 90
        for band in range(3):
            noise = rng.integers(0, 40, size=(strip, SIZE), dtype=np.int16)
            values = np.clip(base + noise + (band * 30 if seed else -band * 20), 0, 255).astype(np.uint8)
            dataset.GetRasterBand(band + 1).WriteArray(values, 0, top)
    dataset = None
    dataset = gdal.Open(str(path))
    dataset.BuildOverviews("AVERAGE", [2, 4, 8, 16, 32, 64])
    dataset = None


def main() -> int:
    folder = Path(os.environ.get("SITEWATCH_BENCH_DIR", "/tmp/sitewatch-bench"))
    folder.mkdir(parents=True, exist_ok=True)
    app = QgsApplication([], True)
    app.initQgis()
    from qgis.gui import QgsMapCanvas

    from sitewatch.core.imagery.layers import IMAGE_ID_PROPERTY, apply_rgb_stretch
    from sitewatch.ui.compare.canvas_overlay import CompareMode
    from sitewatch.ui.compare.comparison import Comparison

    start = time.perf_counter()
    paths = [folder / "before_10k.tif", folder / "after_10k.tif"]
    for seed, path in enumerate(paths):
        write_image(path, seed)
    print(f"images ready in {time.perf_counter() - start:.1f} s ({folder})")

    layers = []
    for path in paths:
        layer = QgsRasterLayer(str(path), path.stem)
        layer.setCustomProperty(IMAGE_ID_PROPERTY, path.stem)
        apply_rgb_stretch(layer)
        layers.append(layer)
    QgsProject.instance().addMapLayers(layers)
    canvas = QgsMapCanvas()
    canvas.setParallelRenderingEnabled(True)
    canvas.resize(*CANVAS)
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:32637"))
    canvas.setLayers(list(reversed(layers)))
    canvas.setExtent(layers[0].extent())
    canvas.show()
    app.processEvents()
    canvas.waitWhileRendering()

    comparison = Comparison(canvas)
    comparison.set_pair(layers[0], layers[1], ("before", "after"))
    comparison.start(CompareMode.SWIPE)
    comparison.item.render(blocking=True)
    viewport = canvas.viewport()
    print(f"canvas {viewport.width()}×{viewport.height()} px, images {SIZE}×{SIZE} px ×2")

    steps = []
    for step in range(STEPS):
        begin = time.perf_counter()
        comparison.set_divider(0.1 + 0.8 * step / STEPS)
        viewport.repaint()
        steps.append(time.perf_counter() - begin)

    renders = []
    for _ in range(RENDERS):
        begin = time.perf_counter()
        job = QgsMapRendererParallelJob(canvas.mapSettings())
        job.start()
        job.waitForFinished()
        renders.append(time.perf_counter() - begin)

    step_ms = statistics.median(steps) * 1000
    render_ms = statistics.median(renders) * 1000
    print(
        f"drag step (re-composite + repaint): median {step_ms:.2f} ms, max {max(steps) * 1000:.2f} ms "
        f"over {STEPS} steps"
    )
    print(f"full re-render of the canvas (baseline): median {render_ms:.1f} ms over {RENDERS} renders")
    print(
        f"ratio: a drag step is {render_ms / step_ms:.0f}× cheaper than re-rendering "
        f"(goal: < 16 ms and ≥ 20×) -> {'OK' if step_ms < 16 and render_ms / step_ms >= 20 else 'MISSED'}"
    )
    comparison.unload()
    canvas.hide()
    QgsProject.instance().removeAllMapLayers()
    return 0


if __name__ == "__main__":
    sys.exit(main())
