"""Benchmark of sitewatch:importstructures: 100,000 footprints from GeoJSON into an assessment.

Goal < 20 s; printed with the ratio to QGIS's own ``native:savefeatures`` writing the same
GeoJSON into a GeoPackage, timed in the same run.

    PYTHONPATH=.build/pkgroot QT_QPA_PLATFORM=offscreen /usr/bin/python3 bench/bench_import.py [--size 100000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from qgis.core import QgsApplication, QgsCoordinateReferenceSystem

FOOTPRINTS = 100_000
GOAL_S = 20.0


def write_footprints(path: Path, count: int) -> None:
    """``count`` 15 m × 15 m footprints in WGS84 on a grid near 44°E 32°N, typed like OSM."""
    side = 0.00015
    features = []
    for n in range(count):
        x, y = 44.0 + (n % 400) * 0.0002, 32.0 + (n // 400) * 0.0002
        ring = [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]
        kind = ("yes", "warehouse", "house", "hangar")[n % 4]
        features.append(
            {
                "type": "Feature",
                "properties": {"building": kind},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=FOOTPRINTS)
    size = parser.parse_args().size
    app = QgsApplication([], False)
    app.initQgis()
    sys.path.append("/usr/share/qgis/python/plugins")  # QGIS's own processing plugin
    from processing.core.Processing import Processing

    import processing
    from sitewatch.core.assessment.geopackage import GeoPackageStore
    from sitewatch.processing.provider import SiteWatchProvider

    Processing.initialize()
    provider = SiteWatchProvider()  # kept referenced: the registry does not own Python providers
    QgsApplication.processingRegistry().addProvider(provider)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "footprints.geojson"
        write_footprints(source, size)
        store = GeoPackageStore.create(Path(folder) / "site.gpkg", QgsCoordinateReferenceSystem("EPSG:32638"))
        start = time.perf_counter()
        processing.run("native:savefeatures", {"INPUT": str(source), "OUTPUT": str(Path(folder) / "copy.gpkg")})
        baseline = time.perf_counter() - start
        start = time.perf_counter()
        result = processing.run("sitewatch:importstructures", {"INPUT": str(source), "ASSESSMENT": store.location})
        elapsed = time.perf_counter() - start
    print(f"importstructures: {result['IMPORTED']} footprints in {elapsed:.1f} s (goal < {GOAL_S:.0f} s)")
    print(f"native:savefeatures of the same GeoJSON to GeoPackage: {baseline:.1f} s; ratio {elapsed / baseline:.1f}×")
    ok = result["IMPORTED"] == size and elapsed < GOAL_S * size / FOOTPRINTS
    print("OK" if ok else "TOO SLOW")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
