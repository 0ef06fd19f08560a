"""Speed and memory of sitewatch change scoring against named baselines, measured in one run.

    PYTHONPATH=.build/pkgroot QT_QPA_PLATFORM=offscreen /usr/bin/python3 bench/bench_change_score.py [--size 10000]
        [--cache DIR] [--paired N] [--large [--large-size 40000] [--large-count 250000] [--large-cache DIR]]

Data (generated once into ``.build/bench/speed``, reused afterwards): a SIZE×SIZE 3-band uint8
pair at 1 m, tiled 256×256, DEFLATE-compressed GeoTIFFs, the after image with another gain and
offset and 10 % of the footprints painted as rubble; 10,000 (and 100,000) rotated rectangular
footprints of 10–60 m (made by :mod:`change_score_data`).

Timed (short measurements: best of 3 runs, with their CPU time):
* ours: ``score_changes`` (core, all of: warp/match, magnitude, inside, ring, frac, ranks);
* (a) the QGIS-only route: ``gdal:rastercalculator`` for the 3-band change magnitude, then
  ``native:zonalstatisticsfb`` (mean) on it;
* (b) exactextract (PyPI) mean of that same difference raster: its zonal part only (the
  difference raster is the one (a) built; its creation time is printed with (a));
* (c) the I/O floor: reading and decoding both rasters once, window by window, with GDAL.
With ``--paired N``, ours and (b) also run as whole processes in turn (A B A B …, N pairs, each
reading its inputs from disk), and the median of the pairwise wall-time ratios is printed: the
fairest figure on a shared machine whose speed drifts.
Peak memory: ours in a subprocess (VmHWM, see HIGH_WATER) on a 2·SIZE × 2·SIZE pair (tiled GeoTIFFs
made of 2×2 copies of the SIZE images) with 4 × 10,000 footprints, next to the same subprocess doing nothing but
import QGIS.

With ``--large`` (issue 16's country scale) only this is measured: the I/O floor of a LARGE-SIZE² pair
(4 × 4 copies of the SIZE images by default, the after one without the SIZE image's rubble) and ours on
it with LARGE-COUNT footprints (10 % of them painted as rubble, strip by strip) in a subprocess, with its
peak memory. Those images are large (2 × 3.6 GB at 40000²): they go to ``--large-cache``, by default
``.build/bench40k`` (not the shared ``.build/bench``).
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

# The script's folder is on sys.path when it runs: its data module imports as a top-level module.
from change_score_data import PIXEL, build_mosaic, build_painted_mosaic, footprints_wkb, write_footprints, write_image
from osgeo import gdal

from sitewatch.core.scoring.change_score import score_changes

gdal.UseExceptions()
REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".build" / "bench" / "speed"
LARGE_CACHE = REPO / ".build" / "bench40k"
REPEAT = 3
"""Runs of each short measurement; the best is kept (other jobs share the machine)."""


def timed(label: str, function, repeat: int = 1):
    """Best wall time of ``repeat`` runs (the machine is shared: the minimum is the least disturbed),
    printed with the CPU time of that run (all threads of this process)."""
    best, cpu, result = math.inf, 0.0, None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = function()
        elapsed = time.perf_counter() - started
        if elapsed < best:
            best, cpu = elapsed, time.process_time() - started_cpu
    runs = f"best of {repeat}" if repeat > 1 else "1 run"
    print(f"  {label:<66} {best:7.2f} s  (cpu {cpu:6.2f} s, {runs})", flush=True)
    return best, result


def io_floor(paths: list[Path]) -> None:
    for path in paths:
        dataset = gdal.Open(str(path))
        size = dataset.RasterXSize
        for row in range(0, size, 1024):
            for col in range(0, size, 1024):
                dataset.ReadAsArray(col, row, min(1024, size - col), min(1024, size - row))


def qgis_route(before: Path, after: Path, footprints: Path, work: Path) -> tuple[float, float, Path]:
    import processing

    diff = work / "difference.tif"
    diff.unlink(missing_ok=True)
    calc, _ = timed(
        "(a) gdal:rastercalculator change magnitude (difference raster)",
        lambda: processing.run(
            "gdal:rastercalculator",
            {
                "INPUT_A": str(before),
                "BAND_A": 1,
                "INPUT_B": str(after),
                "BAND_B": 1,
                "INPUT_C": str(before),
                "BAND_C": 2,
                "INPUT_D": str(after),
                "BAND_D": 2,
                "INPUT_E": str(before),
                "BAND_E": 3,
                "INPUT_F": str(after),
                "BAND_F": 3,
                "FORMULA": "sqrt(((A-B)**2+(C-D)**2+(E-F)**2)/3)",
                "RTYPE": 5,
                "EXTRA": "--co TILED=YES --co COMPRESS=DEFLATE",
                "OUTPUT": str(diff),
            },
        ),
    )
    zonal, _ = timed(
        "(a) native:zonalstatisticsfb mean",
        lambda: processing.run(
            "native:zonalstatisticsfb",
            {
                "INPUT": str(footprints),
                "INPUT_RASTER": str(diff),
                "RASTER_BAND": 1,
                "COLUMN_PREFIX": "d_",
                "STATISTICS": [2],
                "OUTPUT": "TEMPORARY_OUTPUT",
            },
        ),
    )
    return calc, zonal, diff


def exactextract_mean(diff: Path, footprints: Path) -> None:
    from exactextract import exact_extract

    exact_extract(str(diff), str(footprints), "mean")


HIGH_WATER = (
    "def high_water():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            return int(line.split()[1])\n"
)
"""Peak resident memory (kB) of the process itself. ``getrusage().ru_maxrss`` is not used: on
Linux a child started by fork + exec inherits the parent's peak (this bench's parent is large)."""


PAIRED_OURS = (
    "import sys\nfrom osgeo import ogr\nfrom sitewatch.core.scoring.change_score import score_changes\n"
    "dataset = ogr.Open(sys.argv[3])\nlayer = dataset.GetLayer(0)\n"
    "shapes = [bytes(f.GetGeometryRef().ExportToWkb()) for f in layer]\n"
    "score_changes(sys.argv[1], sys.argv[2], shapes, layer.GetSpatialRef().ExportToWkt())\n"
)
PAIRED_EXACTEXTRACT = (
    "import sys\nfrom exactextract import exact_extract\nexact_extract(sys.argv[1], sys.argv[2], 'mean')\n"
)


def paired_processes(pairs: int, before: Path, after: Path, diff: Path, footprints: Path) -> list[float]:
    """Wall-time ratios ours / exactextract of whole processes run in turn (after one warm-up each)."""
    ours = [sys.executable, "-c", PAIRED_OURS, str(before), str(after), str(footprints)]
    theirs = [sys.executable, "-c", PAIRED_EXACTEXTRACT, str(diff), str(footprints)]
    env = {**os.environ, "PYTHONPATH": str(REPO / ".build" / "pkgroot")}

    def wall(command: list[str]) -> float:
        started = time.perf_counter()
        subprocess.run(command, check=True, env=env, capture_output=True)
        return time.perf_counter() - started

    wall(ours), wall(theirs)
    return [wall(ours) / wall(theirs) for _ in range(pairs)]


def peak_memory(
    before: Path, after: Path, footprints: Path, size: int, copies: int = 4, cache: Path = CACHE
) -> tuple[float, float, float, float]:
    """(baseline MB, ours MB, seconds, CPU seconds) of subprocesses: QGIS import only, and a scoring run."""
    baseline = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from sitewatch.core.scoring.change_score import score_changes\n{HIGH_WATER}\nprint(high_water())",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    script = cache / "peak_memory_run.py"
    script.write_text(
        "import sys, time\n"
        "from osgeo import ogr\n"
        "from sitewatch.core.scoring.change_score import score_changes\n"
        "dataset = ogr.Open(sys.argv[3]); layer = dataset.GetLayer(0); shift = float(sys.argv[4])\n"
        "shapes = []\n"
        "offsets = ((0, 0), (shift, 0), (0, -shift), (shift, -shift)) if shift else ((0, 0),)\n"
        "for dx, dy in offsets:\n"
        "    layer.ResetReading()\n"
        "    for feature in layer:\n"
        "        geometry = feature.GetGeometryRef().Clone()\n"
        "        ring = geometry.GetGeometryRef(0)\n"
        "        for i in range(ring.GetPointCount()):\n"
        "            x, y = ring.GetX(i), ring.GetY(i)\n"
        "            ring.SetPoint_2D(i, x + dx, y + dy)\n"
        "        shapes.append(bytes(geometry.ExportToWkb()))\n"
        "started, cpu = time.perf_counter(), time.process_time()\n"
        "run = score_changes(sys.argv[1], sys.argv[2], shapes, layer.GetSpatialRef().ExportToWkt())\n"
        "seconds, cpu = time.perf_counter() - started, time.process_time() - cpu\n"
        f"{HIGH_WATER}\n"
        "print(high_water(), seconds, len(shapes), cpu)\n"
    )
    shift = size * PIXEL if copies == 4 else 0
    ours = subprocess.run(
        [sys.executable, str(script), str(before), str(after), str(footprints), str(shift)],
        capture_output=True,
        text=True,
        check=True,
    )
    rss, seconds, count, cpu = ours.stdout.split()
    return int(baseline.stdout) / 1024, int(rss) / 1024, float(seconds), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--skip-qgis-route", action="store_true")
    parser.add_argument("--cache", type=Path, default=CACHE, help="folder of the SIZE data (made when missing)")
    parser.add_argument("--large", action="store_true", help="measure only the LARGE-SIZE² pair (issue 16)")
    parser.add_argument("--large-size", type=int, default=40_000, help="a multiple of --size")
    parser.add_argument("--large-count", type=int, default=250_000)
    parser.add_argument("--large-cache", type=Path, default=LARGE_CACHE)
    parser.add_argument(
        "--paired",
        type=int,
        default=0,
        metavar="N",
        help="also time ours and exactextract as N pairs of whole processes",
    )
    args = parser.parse_args()
    size, cache = args.size, args.cache
    if args.large and args.large_size % size:
        parser.error(f"--large-size must be a multiple of --size ({size})")
    cache.mkdir(parents=True, exist_ok=True)
    print(f"Preparing data in {cache} (reused when present)…", flush=True)
    footprints = write_footprints(cache / f"footprints_{size}_10k.gpkg", 10_000, size, 5)
    before = write_image(cache / f"before_{size}.tif", size, 2, 1.0, 0.0)
    if args.large:
        large(args, before)
        return
    many = write_footprints(cache / f"footprints_{size}_100k.gpkg", 100_000, size, 6)
    after = write_image(cache / f"after_{size}.tif", size, 3, 0.9, 14.0, rubble=footprints)
    shapes, crs = footprints_wkb(footprints)
    many_shapes, _ = footprints_wkb(many)
    print(f"{size}×{size} 3-band uint8 pair (tiled 256, DEFLATE), 1 m pixels", flush=True)
    floor, _ = timed(
        "(c) I/O floor: read + decode both rasters once (GDAL, 1024² windows)",
        lambda: io_floor([before, after]),
        REPEAT,
    )
    ours, run = timed(
        "ours: score_changes, 10,000 footprints", lambda: score_changes(str(before), str(after), shapes, crs), REPEAT
    )
    ours_many, _ = timed(
        "ours: score_changes, 100,000 footprints", lambda: score_changes(str(before), str(after), many_shapes, crs)
    )
    truth = {i for i in range(len(shapes)) if (i + 1) % 10 == 0}
    top = {i for i, s in enumerate(run.scores) if s.rank is not None and s.rank <= len(truth)}
    print(f"  (sanity: {len(top & truth)} of the {len(truth)} painted footprints are in our top {len(truth)})")
    route = None
    if not args.skip_qgis_route:
        route = qgis_route(before, after, footprints, cache)
        extract, _ = timed(
            "(b) exactextract mean of the difference raster (zonal part only)",
            lambda: exactextract_mean(route[2], footprints),
            REPEAT,
        )
        if args.paired:
            ratios = paired_processes(args.paired, before, after, route[2], footprints)
            print(
                f"  whole processes in turn, ours / exactextract wall time over {len(ratios)} pairs: median "
                f"{np.median(ratios):.2f}, range {min(ratios):.2f}–{max(ratios):.2f}",
                flush=True,
            )
    mosaic_before = build_mosaic(cache / f"before_{2 * size}.tif", before, size)
    mosaic_after = build_mosaic(cache / f"after_{2 * size}.tif", after, size)
    base_mb, ours_mb, seconds, _ = peak_memory(mosaic_before, mosaic_after, footprints, size, cache=cache)
    print(
        f"  peak RSS, {2 * size}² pair, 40,000 footprints: ours {ours_mb:.0f} MB (imports alone {base_mb:.0f} MB), "
        f"scored in {seconds:.1f} s"
    )
    warped_after = cache / f"after_{size}_36n.tif"
    if not warped_after.exists():
        gdal.Warp(
            str(warped_after),
            str(after),
            dstSRS="EPSG:32636",
            xRes=1.2 * PIXEL,
            yRes=1.2 * PIXEL,
            resampleAlg="bilinear",
            creationOptions=["TILED=YES", "COMPRESS=DEFLATE", "ZLEVEL=1"],
        )
    _, warped_mb, warped_seconds, _ = peak_memory(before, warped_after, footprints, size, copies=1, cache=cache)
    print(
        f"  peak RSS, {size}² pair with the after image in EPSG:32636 at 1.2 m (warped on the fly): "
        f"ours {warped_mb:.0f} MB, scored in {warped_seconds:.1f} s"
    )
    print("Ratios (goal):")
    if route is not None:
        calc, zonal, _ = route
        print(f"  QGIS route (a) / ours         = {(calc + zonal) / ours:6.1f}×   (goal ≥ 10)")
        print(f"  exactextract zonal (b) / ours = {extract / ours:6.2f}×   (goal ≥ 1: ours no slower)")
        print(f"  (a) diff raster + (b) / ours  = {(calc + extract) / ours:6.2f}×")
    print(f"  ours / I/O floor (c)          = {ours / floor:6.2f}×   (goal ≤ 2)")
    print(f"  ours 100k / ours 10k          = {ours_many / ours:6.2f}×   (cost follows pixels, not footprints)")
    print(f"  peak RSS 20000² pair          = {ours_mb:.0f} MB        (goal < 600 MB)")


def large(args: argparse.Namespace, tile: Path) -> None:
    """The I/O floor of the LARGE pair and ours on it (subprocess, peak memory), floor timed before and after."""
    size, count, cache = args.large_size, args.large_count, args.large_cache
    cache.mkdir(parents=True, exist_ok=True)
    print(f"Preparing the {size}² pair in {cache} (reused when present)…", flush=True)
    footprints = write_footprints(cache / f"footprints_{size}_{count // 1000}k.gpkg", count, size, 7)
    plain = write_image(cache / f"after_{args.size}_plain.tif", args.size, 3, 0.9, 14.0)
    before = build_mosaic(cache / f"before_{size}.tif", tile, args.size, size // args.size)
    after = build_painted_mosaic(cache / f"after_{size}.tif", plain, args.size, size // args.size, footprints)
    print(f"{size}×{size} 3-band uint8 pair (tiled 256, DEFLATE), {count:,} footprints; load {os.getloadavg()}")
    floor, _ = timed(
        "(c) I/O floor: read + decode both rasters once (GDAL, 1024² windows)", lambda: io_floor([before, after])
    )
    base_mb, ours_mb, seconds, cpu = peak_memory(before, after, footprints, size, copies=1, cache=cache)
    label = "ours: score_changes (subprocess; footprints read before timing)"
    print(f"  {label:<66} {seconds:7.2f} s  (cpu {cpu:6.2f} s)")
    floor_after, _ = timed("(c) I/O floor again", lambda: io_floor([before, after]))
    print(f"  ours / I/O floor (mean of both) = {2 * seconds / (floor + floor_after):.2f}×   (goal ≤ 2)")
    print(f"  peak RSS = {ours_mb:.0f} MB (imports alone {base_mb:.0f} MB)   (goal < 1 GB); load {os.getloadavg()}")


if __name__ == "__main__":
    from qgis.core import QgsApplication

    application = QgsApplication([], False)
    application.initQgis()
    sys.path.append("/usr/share/qgis/python/plugins")  # QGIS's own processing plugin
    from processing.core.Processing import Processing

    Processing.initialize()
    main()
