"""Honest quality figures of the change score on the generated sample sites.

    PYTHONPATH=.build/pkgroot QT_QPA_PLATFORM=offscreen /usr/bin/python3 bench/score_quality.py [--size 4000]

For each variant (``desert``: after image on the before grid; ``green``: other texture and
colours, after image in EPSG:4326 at 0.7 m) the sample site is generated once into
``.build/bench/quality`` (reused afterwards), the scorer is run on the images and the
structure footprints only, and only then the truth observations at the after date are read
and compared (:mod:`sitewatch.sample.score_quality`): positive = moderate, severe or destroyed.

Printed: precision, recall and F1 of "suggested moderate or worse", and the recall within the
top 20 % of the ranking (with its ceiling when more than 20 % of structures are positive).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from qgis.core import QgsApplication

from sitewatch.sample.generate_site import SiteFiles, generate_site
from sitewatch.sample.score_quality import evaluate, score_site

CACHE = Path(__file__).resolve().parent.parent / ".build" / "bench" / "quality"


def site_files(variant: str, size: int, seed: int | None = None) -> SiteFiles:
    """The generated site, from the cache when a complete one is there."""
    folder = CACHE / (f"{variant}_{size}" if seed is None else f"{variant}_{size}_seed{seed}")
    marker = folder / "complete"
    if not marker.exists() or len(marker.read_text().split("\n")) < 6:  # none yet, or an older cache's
        # a changed generator needs `rm -r .build/bench/quality` (the cache is keyed by variant, size and seed)
        files = generate_site(folder, variant, size, seed)
        marker.write_text(
            "\n".join(
                str(v)
                for v in (files.before_tif, files.after_tif, files.assessment_gpkg, files.before_date, files.after_date)
            )
            + "\n"
        )
    before, after, gpkg, before_date, after_date = marker.read_text().split("\n")[:5]
    return SiteFiles(Path(before), Path(after), Path(gpkg), before_date, after_date, variant)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=4000)
    parser.add_argument("--variants", nargs="+", default=["desert", "green"])
    parser.add_argument(
        "--seeds",
        nargs="+",
        type=int,
        default=[None],
        help="other layout seeds (held-out sites; default: the variants' own)",
    )
    parser.add_argument("--details", action="store_true", help="print every structure (after scoring)")
    args = parser.parse_args()
    for variant, seed in ((v, s) for v in args.variants for s in args.seeds):
        files = site_files(variant, args.size, seed)
        started = time.perf_counter()
        run, ids, truth = score_site(files)
        elapsed = time.perf_counter() - started
        q = evaluate(run, ids, truth)
        name = variant if seed is None else f"{variant} seed {seed}"
        print(
            f"[{name} {args.size}px] {q.structures} structures, {q.positives} positive "
            f"(moderate or worse), {q.unknown} unknown; scored (and truth read) in {elapsed:.2f} s "
            f"({'warped' if run.warped else 'same grid'})"
        )
        print(
            f"  moderate or worse: precision {q.precision:.3f}  recall {q.recall:.3f}  "
            f"F1 {q.f1:.3f}  (tp {q.tp}, fp {q.fp} of which {q.fp_construction} under construction, fn {q.fn})"
        )
        print(
            f"  class (moderate / severe / destroyed) exactly right for {q.exact_class} of the {q.positives} positives"
        )
        print(
            f"  recall within top 20 % ({q.budget} structures): {q.top_recall:.3f}"
            f"  (ceiling {q.top_ceiling:.3f}; {q.found_in_budget} of the {q.positives} positives in it)"
        )
        print(f"  thresholds: {run.thresholds_text()}")
        if args.details:
            order = sorted(range(len(ids)), key=lambda i: run.scores[i].rank or 10**9)
            for i in order:
                s = run.scores[i]
                print(
                    f"    {ids[i]:>10} truth {truth.get(ids[i], '-'):>12} suggested {s.suggested:>9} "
                    f"rank {s.rank} z {_round(s.z)} (area {_round(s.area_z)}, spot {_round(s.spot)}) "
                    f"frac {_round(s.frac, 3)}"
                )


def _round(value: float | None, digits: int = 2):
    return None if value is None else round(value, digits)


if __name__ == "__main__":
    application = QgsApplication([], False)
    application.initQgis()
    main()
