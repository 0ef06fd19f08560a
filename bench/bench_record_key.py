"""The cost of one key (one observation recorded in its own transaction) does not grow with the
site: the GeoPackage store checks that the structure exists with an indexed lookup in the
writing transaction, not a scan.

    PYTHONPATH=.build/pkgroot /usr/bin/python3 bench/bench_record_key.py [--keys 300]

Prints the milliseconds per key on a site of 1,000 structures (the baseline) and of 100,000, and
their ratio (goal: below 1.5).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / ".build" / "pkgroot"))

SIZES = (1_000, 100_000)


def per_key(folder: Path, structures: int, keys: int) -> float:
    """Best of three runs of ``keys`` single-observation writes, in ms per key."""
    from qgis.core import QgsGeometry

    from sitewatch.core.assessment.geopackage import GeoPackageStore
    from sitewatch.core.assessment.observations import Observation
    from sitewatch.core.assessment.records import FeatureRecord
    from sitewatch.tests.helpers.constants import UTM37N

    store = GeoPackageStore.create(folder / f"site_{structures}.gpkg", UTM37N)
    square = QgsGeometry.fromWkt("POLYGON((0 0,1 0,1 1,0 1,0 0))")
    store.import_batch(
        [
            FeatureRecord("structures", {"structure_id": f"S-{n:06d}", "type": "building"}, square)
            for n in range(structures)
        ]
    )
    best = float("inf")
    for run in range(3):
        start = time.perf_counter()
        for key in range(keys):
            store.record_observation(
                Observation(f"S-{(key * 7919) % structures:06d}", f"2020-01-{run + 1:02d}", "intact")
            )
        best = min(best, time.perf_counter() - start)
    return 1000 * best / keys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=300)
    arguments = parser.parse_args()
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    with tempfile.TemporaryDirectory(prefix="sitewatch-bench-") as scratch:
        costs = {size: per_key(Path(scratch), size, arguments.keys) for size in SIZES}
    small, large = costs[SIZES[0]], costs[SIZES[1]]
    print(f"{SIZES[0]:,} structures: {small:.2f} ms per key (baseline)")
    print(f"{SIZES[1]:,} structures: {large:.2f} ms per key; ratio {large / small:.2f} (goal < 1.5)")
    app.exitQgis()


if __name__ == "__main__":
    main()
