"""Benchmark of sitewatch:exportreport.

1. The sample site's full export (every format, the tables and the PDF); goal < 20 s.
2. 20,000 structures' vector package (every format, no PDF); goal < 10 s, with the ratio to
   plain ``native:savefeatures`` writing the same layers to GeoPackage, shapefile, GeoJSON and
   CSV, timed in the same run against the export of those four formats. (KML is left out
   of the baseline: savefeatures writes it with LIBKML, whose time grows with the square of
   the feature count — 18 s for 4,000 structures on the development machine.)

    PYTHONPATH=.build/pkgroot QT_QPA_PLATFORM=offscreen /usr/bin/python3 bench/bench_export.py [--size 4000]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import time
from pathlib import Path

from qgis.core import QgsApplication, QgsCoordinateReferenceSystem

STRUCTURES = 20_000
COMPOUNDS = 100
STATUSES = ("intact", "possible", "moderate", "severe", "destroyed", "unknown", "construction")


def build_large_site(folder: Path):
    from sitewatch.core.assessment.geopackage import GeoPackageStore
    from sitewatch.core.assessment.observations import Observation

    store = GeoPackageStore.create(
        folder / "large.gpkg", QgsCoordinateReferenceSystem("EPSG:32637"), site_name="Large site"
    )
    rng = random.Random(20)
    side = math.ceil(math.sqrt(COMPOUNDS))
    store.add_features(
        "imagery",
        [
            {
                "image_id": f"IMG-000{n}",
                "acquired": date,
                "source": "Bench",
                "sensor": "B",
                "gsd_m": 0.5,
                "uri": f"{date}.tif",
            }
            for n, date in ((1, "2019-09-01"), (2, "2020-01-08"))
        ],
    )
    store.add_features(
        "compounds",
        [
            {
                "compound_id": f"C-{n + 1:04d}",
                "name": f"Compound {n + 1}",
                "geometry": _square(500000 + (n % side) * 400, 3600000 + (n // side) * 400, 380),
            }
            for n in range(COMPOUNDS)
        ],
    )
    rows, observations = [], []
    for n in range(STRUCTURES):
        compound = n % COMPOUNDS
        slot = n // COMPOUNDS
        x = 500000 + (compound % side) * 400 + 10 + (slot % 14) * 26
        y = 3600000 + (compound // side) * 400 + 10 + (slot // 14) * 26
        sid = f"S-{n + 1:05d}"
        rows.append(
            {
                "structure_id": sid,
                "type": "building",
                "compound_id": f"C-{compound + 1:04d}",
                "geometry": _square(x, y, 20),
            }
        )
        observations.append(Observation(sid, "2019-09-01", "intact", "IMG-0001", "high", "Bench"))
        observations.append(Observation(sid, "2020-01-08", rng.choice(STATUSES), "IMG-0002", "medium", "Bench"))
    store.add_features("structures", rows)
    store.record_observations(observations)
    return store


def _square(x: float, y: float, size: float) -> str:
    return f"MULTIPOLYGON((({x} {y},{x + size} {y},{x + size} {y + size},{x} {y + size},{x} {y})))"


BASELINE_FORMATS = ("GeoPackage", "ESRI Shapefile", "GeoJSON", "CSV")


def time_export(store, folder: Path, report: bool, formats: tuple[str, ...] | None = None) -> float:
    from sitewatch.core.export.formats import FORMATS
    from sitewatch.core.export.package import ExportRequest, export_assessment

    start = time.perf_counter()
    export_assessment(
        store, ExportRequest(str(folder), "2020-01-08", "2019-09-01", report=report, formats=formats or FORMATS)
    )
    return time.perf_counter() - start


def time_savefeatures(store, folder: Path) -> float:
    """native:savefeatures of the same four layers to GeoPackage, shapefile, GeoJSON and CSV,
    and the observations table to CSV."""
    import processing

    folder.mkdir()
    start = time.perf_counter()
    for name in ("structures", "compounds", "linear_features", "point_features"):
        for extension in ("gpkg", "shp", "geojson", "csv"):
            processing.run(
                "native:savefeatures", {"INPUT": store.layer_uri(name), "OUTPUT": str(folder / f"{name}.{extension}")}
            )
    processing.run(
        "native:savefeatures", {"INPUT": store.layer_uri("observations"), "OUTPUT": str(folder / "observations.csv")}
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=4000, help="sample site size in pixels (default 4000)")
    parser.add_argument("--sample", help="an existing sample site GeoPackage (skips generating one)")
    arguments = parser.parse_args()
    application = QgsApplication([], False)
    application.initQgis()
    sys.path.append("/usr/share/qgis/python/plugins")  # QGIS's own processing plugin
    from processing.core.Processing import Processing

    Processing.initialize()
    from sitewatch.core.assessment.geopackage import GeoPackageStore
    from sitewatch.sample.generate_site import generate_site

    with tempfile.TemporaryDirectory(prefix="sitewatch-bench-export-") as scratch:
        work = Path(scratch)
        if arguments.sample:
            sample = GeoPackageStore.open(arguments.sample)
        else:
            sample = GeoPackageStore.open(generate_site(work / "sample", size=arguments.size).assessment_gpkg)
        full = time_export(sample, work / "sample_export", report=True)
        count = sample.layer("structures").featureCount()
        print(
            f"sample site ({count} structures, {arguments.size} px images), all formats + PDF: "
            f"{full:.2f} s (goal < 20 s)",
            flush=True,
        )

        large = build_large_site(work)
        package = time_export(large, work / "large_export", report=False)
        print(
            f"{STRUCTURES} structures, vector package in 5 formats + tables + manifest: {package:.2f} s (goal < 10 s)",
            flush=True,
        )
        same = time_export(large, work / "large_export_4", report=False, formats=BASELINE_FORMATS)
        baseline = time_savefeatures(large, work / "savefeatures")
        print(f"export to GeoPackage, shapefile, GeoJSON, CSV (+ tables, manifest): {same:.2f} s")
        print(f"baseline native:savefeatures of the same layers to the same 4 formats: {baseline:.2f} s")
        print(f"ratio export / savefeatures: {same / baseline:.2f}")


if __name__ == "__main__":
    main()
