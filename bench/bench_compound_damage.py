"""Benchmark: sitewatch:compounddamage against the plain QGIS route on the same GeoPackage.

    PYTHONPATH=.build/pkgroot /usr/bin/python3 bench/bench_compound_damage.py \
        [--structures 100000] [--observations 500000] [--compounds 1000] [--runs 3]

Ours: processing.run("sitewatch:compounddamage") end to end (layers opened from the file URIs,
output written to a GeoPackage), AFTER and BEFORE dates, median of --runs runs.

The QGIS route (one run, same data, same size): native:joinattributesbylocation (largest
overlap) gives each structure its compound, native:joinattributestable attaches the status
observed on the after date (it cannot carry statuses forward, so it does less than ours), and
qgis:statisticsbycategories counts structures per compound and status.
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

from qgis.core import QgsApplication, QgsVectorLayer  # noqa: E402

APP = QgsApplication([], False)
APP.initQgis()

import site_data  # noqa: E402
from processing.core.Processing import Processing  # noqa: E402

import processing  # noqa: E402
from sitewatch.processing.provider import SiteWatchProvider  # noqa: E402

AFTER, BEFORE = "2020-06-15", "2019-09-01"


def ours(path: Path, out: Path) -> tuple[float, dict]:
    uri = f"{path}|layername="
    start = time.perf_counter()
    result = processing.run(
        "sitewatch:compounddamage",
        {
            "STRUCTURES": uri + "structures",
            "OBSERVATIONS": uri + "observations",
            "COMPOUNDS": uri + "compounds",
            "AFTER_DATE": AFTER,
            "BEFORE_DATE": BEFORE,
            "OUTPUT": str(out),
        },
    )
    return time.perf_counter() - start, result


def qgis_route(path: Path) -> tuple[float, int]:
    uri = f"{path}|layername="
    observations = QgsVectorLayer(uri + "observations", "observations", "ogr")
    observations.setSubsetString(f"observed_on = '{AFTER}'")
    start = time.perf_counter()
    joined = processing.run(
        "native:joinattributesbylocation",
        {
            "INPUT": uri + "structures",
            "JOIN": uri + "compounds",
            "PREDICATE": [0],
            "METHOD": 2,
            "JOIN_FIELDS": ["compound_id"],
            "PREFIX": "c_",
            "DISCARD_NONMATCHING": False,
            "OUTPUT": "TEMPORARY_OUTPUT",
        },
    )["OUTPUT"]
    with_status = processing.run(
        "native:joinattributestable",
        {
            "INPUT": joined,
            "FIELD": "structure_id",
            "INPUT_2": observations,
            "FIELD_2": "structure_id",
            "FIELDS_TO_COPY": ["status"],
            "METHOD": 1,
            "OUTPUT": "TEMPORARY_OUTPUT",
        },
    )["OUTPUT"]
    counted = processing.run(
        "qgis:statisticsbycategories",
        {
            "INPUT": with_status,
            "VALUES_FIELD_NAME": None,
            "CATEGORIES_FIELD_NAME": ["c_compound_id", "status"],
            "OUTPUT": "TEMPORARY_OUTPUT",
        },
    )["OUTPUT"]
    return time.perf_counter() - start, counted.featureCount()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--structures", type=int, default=100_000)
    parser.add_argument("--observations", type=int, default=500_000)
    parser.add_argument("--compounds", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-qgis", action="store_true", help="time only sitewatch:compounddamage")
    arguments = parser.parse_args()

    Processing.initialize()
    provider = SiteWatchProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.gpkg"
        start = time.perf_counter()
        site_data.generate(path, arguments.structures, arguments.observations, arguments.compounds)
        print(
            f"site: {arguments.structures:,} structures, {arguments.observations:,} observations, "
            f"{arguments.compounds:,} compounds (written in {time.perf_counter() - start:.1f} s)"
        )
        times = []
        for run in range(arguments.runs):
            seconds, result = ours(path, Path(folder) / f"damage{run}.gpkg")
            times.append(seconds)
        ours_seconds = statistics.median(times)
        print(
            f"sitewatch:compounddamage end to end: median {ours_seconds:.2f} s "
            f"(runs: {', '.join(f'{t:.2f}' for t in times)}) -> {result['SUMMARY']}"
        )
        if arguments.skip_qgis:
            return
        route_seconds, rows = qgis_route(path)
        print(
            f"QGIS route (joinattributesbylocation largest overlap + joinattributestable + "
            f"statisticsbycategories): {route_seconds:.2f} s ({rows} category rows)"
        )
        print(
            f"ratio: ours is {route_seconds / ours_seconds:.1f}x faster (goal >= 10x); "
            f"ours {'<' if ours_seconds < 3 else '>='} 3 s"
        )


if __name__ == "__main__":
    main()
