"""Honest quality figures of the change pre-score on the generated sample sites.

    PYTHONPATH=.build/pkgroot QT_QPA_PLATFORM=offscreen /usr/bin/python3 bench/score_quality.py [--size 4000]

For each variant (``desert``: after image on the before grid; ``green``: other texture and
colours, after image in EPSG:4326 at 0.7 m) the sample site is generated once into
``.build/bench/quality`` (reused afterwards), the scorer is run on the images and the
structure footprints only, and only then the truth observations at the after date are read
and compared: positive = moderate, severe or destroyed.

Printed: precision, recall and F1 of "suggested moderate or worse", and the recall within the
top 20 % of the ranking (with its ceiling when more than 20 % of structures are positive).
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from osgeo import ogr
from qgis.core import QgsApplication

from sitewatch.core.change_score import ScoreRun, score_changes
from sitewatch.sample.generate_site import generate_site, truth_statuses

POSITIVE = {"moderate", "severe", "destroyed"}
BUDGET = 0.2
CACHE = Path(__file__).resolve().parent.parent / ".build" / "bench" / "quality"


def site_files(variant: str, size: int):
    folder = CACHE / f"{variant}_{size}"
    marker = folder / "complete"
    if marker.exists():
        return _files_from_marker(marker)
    files = generate_site(folder, variant, size)
    marker.write_text(f"{files.before_tif}\n{files.after_tif}\n{files.assessment_gpkg}\n{files.after_date}\n")
    return _files_from_marker(marker)


def _files_from_marker(marker: Path) -> tuple[str, str, str, str]:
    before, after, gpkg, after_date = marker.read_text().split("\n")[:4]
    return before, after, gpkg, after_date


def read_footprints(gpkg: str) -> tuple[list[str], list[bytes], str]:
    """Structure ids and footprints (the scorer's only vector input)."""
    dataset = ogr.Open(gpkg)
    layer = dataset.GetLayerByName("structures")
    ids, shapes = [], []
    for feature in layer:
        ids.append(feature["structure_id"])
        shapes.append(bytes(feature.GetGeometryRef().ExportToWkb()))
    return ids, shapes, layer.GetSpatialRef().ExportToWkt()


def evaluate(run: ScoreRun, ids: list[str], truth: dict[str, str]) -> dict[str, float]:
    positive = [truth.get(sid) in POSITIVE for sid in ids]
    predicted = [s.suggested in POSITIVE for s in run.scores]
    tp = sum(p and t for p, t in zip(predicted, positive))
    fp = sum(p and not t for p, t in zip(predicted, positive))
    fn = sum(t and not p for p, t in zip(predicted, positive))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    budget = math.ceil(BUDGET * len(ids))
    found = sum(1 for s, t in zip(run.scores, positive) if t and s.rank is not None and s.rank <= budget)
    total = sum(positive)
    return {"structures": len(ids), "positives": total, "tp": tp, "fp": fp, "fn": fn,
            "precision": precision, "recall": recall, "f1": f1, "budget": budget,
            "top20_recall": found / total if total else 0.0,
            "top20_ceiling": min(budget, total) / total if total else 0.0,
            "top20_precision": found / budget if budget else 0.0,
            "unknown": sum(1 for s in run.scores if s.suggested == "unknown")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=4000)
    parser.add_argument("--variants", nargs="+", default=["desert", "green"])
    parser.add_argument("--details", action="store_true", help="print every structure (after scoring)")
    args = parser.parse_args()
    for variant in args.variants:
        before, after, gpkg, after_date = site_files(variant, args.size)
        ids, shapes, crs = read_footprints(gpkg)
        started = time.perf_counter()
        run = score_changes(before, after, shapes, crs)
        elapsed = time.perf_counter() - started
        truth = truth_statuses(gpkg, after_date)  # read only now, after scoring
        figures = evaluate(run, ids, truth)
        print(f"[{variant} {args.size}px] {figures['structures']} structures, {figures['positives']} positive "
              f"(moderate or worse), {figures['unknown']} unknown; scored in {elapsed:.2f} s "
              f"({'warped' if run.warped else 'same grid'})")
        print(f"  moderate or worse: precision {figures['precision']:.3f}  recall {figures['recall']:.3f}  "
              f"F1 {figures['f1']:.3f}  (tp {figures['tp']}, fp {figures['fp']}, fn {figures['fn']})")
        print(f"  recall within top 20 % ({figures['budget']} structures): {figures['top20_recall']:.3f}"
              f"  (ceiling {figures['top20_ceiling']:.3f} as only {figures['budget']} of {figures['positives']} "
              f"positives fit; precision within it {figures['top20_precision']:.3f})")
        print(f"  thresholds: {run.thresholds_text()}")
        if args.details:
            order = sorted(range(len(ids)), key=lambda i: run.scores[i].rank or 10**9)
            for i in order:
                s = run.scores[i]
                print(f"    {ids[i]:>10} truth {truth.get(ids[i], '-'):>12} suggested {s.suggested:>9} "
                      f"rank {s.rank} z {s.z if s.z is None else round(s.z, 2)} frac "
                      f"{s.frac if s.frac is None else round(s.frac, 3)}")


if __name__ == "__main__":
    application = QgsApplication([], False)
    application.initQgis()
    main()
