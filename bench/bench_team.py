"""Team mode: five analyst processes × 2,000 observations each, on the same structures at once.

Every analyst records the same 2,000 (structure, date) keys in its own order with the optimistic
check (``record_observation_if_unchanged`` against what it was shown). The first writer of a key
wins; every later one must get a conflict, and "keeps mine" for every other conflict (records
again against what it now sees). Afterwards every successful write must be either current or in
the history (0 lost), and the conflicts reported must account for every write that did not land
(0 silent overwrites). The same run on a GeoPackage gives the throughput ratio.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / ".build" / "pkgroot"))

ANALYSTS = 5
PER_ANALYST = 2000
STRUCTURES = 1000
DATES = ("2024-01-01", "2024-02-01")


def analyst(location: str, name: str, seed: int, queue) -> None:
    from sitewatch.core.assessment.observations import Observation
    from sitewatch.core.assessment.store import ObservationConflict, open_assessment
    from sitewatch.core.errors import SiteWatchError

    store = open_assessment(location)
    keys = [(f"S-{n:04d}", d) for n in range(1, STRUCTURES + 1) for d in DATES]
    random.Random(seed).shuffle(keys)
    written, conflicts, refused = [], 0, 0
    for number, (sid, day) in enumerate(keys[:PER_ANALYST]):
        observation = Observation(sid, day, "severe" if seed % 2 else "intact", analyst=name)
        try:
            store.record_observation_if_unchanged(observation, None)
            written.append((sid, day, observation.recorded_at))
        except ObservationConflict as conflict:
            conflicts += 1
            if number % 2 == 0:  # keep mine, against what is now stored
                try:
                    store.record_observation_if_unchanged(observation, conflict.current)
                    written.append((sid, day, observation.recorded_at))
                except ObservationConflict:
                    conflicts += 1
        except SiteWatchError:
            refused += 1  # e.g. "locked by another program": reported to the analyst, nothing written
    queue.put((name, written, conflicts, refused))


def run(location: str) -> dict:
    from sitewatch.core.assessment.store import open_assessment

    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    processes = [context.Process(target=analyst, args=(location, f"analyst{i}", i, queue)) for i in range(ANALYSTS)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    results = [queue.get(timeout=900) for _ in processes]
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    store = open_assessment(location)
    kept = {(o.structure_id, o.observed_on, o.recorded_at) for o in store.observations()}
    kept |= {(o.structure_id, o.observed_on, o.recorded_at) for o, _, _ in store.history()}
    written = [w for _, ws, _, _ in results for w in ws]
    return {
        "seconds": elapsed,
        "writes": len(written),
        "conflicts": sum(r[2] for r in results),
        "refused": sum(r[3] for r in results),
        "lost": len(set(written) - kept),
        "attempts": ANALYSTS * PER_ANALYST,
    }


def site(store) -> None:
    store.add_features(
        "structures",
        [
            {
                "structure_id": f"S-{n:04d}",
                "type": "building",
                "geometry": f"POLYGON(({n} 0,{n + 1} 0,{n + 1} 1,{n} 1,{n} 0))",
            }
            for n in range(1, STRUCTURES + 1)
        ],
    )


def main() -> None:
    from qgis.core import QgsApplication, QgsCoordinateReferenceSystem

    app = QgsApplication([], False)
    app.initQgis()
    from sitewatch.core.assessment.geopackage import GeoPackageStore
    from sitewatch.core.assessment.postgis import PostgisStore
    from sitewatch.tests.helpers.postgres import start_cluster, stop_cluster

    crs = QgsCoordinateReferenceSystem("EPSG:32637")
    folder = Path(tempfile.mkdtemp())
    cluster = start_cluster()
    try:
        gpkg = GeoPackageStore.create(folder / "team.gpkg", crs)
        site(gpkg)
        pg = PostgisStore.create(cluster.location("team"), crs)
        site(pg)
        figures = {"GeoPackage": run(gpkg.location), "PostGIS": run(pg.location)}
    finally:
        stop_cluster(cluster)
    for backend, f in figures.items():
        rate = f["attempts"] / f["seconds"]
        print(
            f"{backend:10s}: {f['attempts']} attempts in {f['seconds']:.1f} s ({rate:.0f}/s); {f['writes']} written, "
            f"{f['conflicts']} conflicts reported, {f['refused']} refused (locked), {f['lost']} lost"
        )
    pg_figures, gpkg_figures = figures["PostGIS"], figures["GeoPackage"]
    print(f"PostGIS / GeoPackage throughput: {(gpkg_figures['seconds'] / pg_figures['seconds']):.2f}×")
    ok = pg_figures["lost"] == 0 and pg_figures["refused"] == 0
    ok = ok and pg_figures["writes"] + pg_figures["conflicts"] >= pg_figures["attempts"]
    print("PostGIS: 0 lost, every conflict reported" if ok else "PostGIS: FAILED the no-loss check")
    app.exitQgis()
    os._exit(0 if ok else 1)


if __name__ == "__main__":
    main()
