"""The change score's evaluation suite: generated sites that each vary one factor.

    PYTHONPATH=.build/pkgroot QT_QPA_PLATFORM=offscreen /usr/bin/python3 bench/evaluation_suite.py \
        [--size 3000] [--seeds 2101 2102] [--sites base share60 …] [--details]

Each site of :data:`sitewatch.sample.site_suite.SITES` is generated once per seed into
``.build/bench/suite`` (reused afterwards; ``rm -r`` it after changing the generator), scored
blind from the images and the footprints only, and only then compared with the truth. The
thresholds were chosen on the tuning seeds (``site_suite.TUNING_SEEDS``); the default seeds
reported here are the held-out ones (``site_suite.REPORTED_SEEDS``).

One table: per site and seed, the share of structures moderate or worse, precision, recall
and F1 of "suggested moderate or worse", the recall within the top 20 % of the ranking, the
class exactly right among the assessed structures (and among the damaged ones), and for the
cloud site how many hidden structures were suggested unknown.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from qgis.core import QgsApplication

from sitewatch.sample.score_quality import evaluate, score_site
from sitewatch.sample.site_suite import REPORTED_SEEDS, SITES, obscured, suite_site

CACHE = Path(__file__).resolve().parent.parent / ".build" / "bench" / "suite"
GOALS = {"f1": 0.85, "top": 0.9, "class": 0.8}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=3000)
    parser.add_argument("--seeds", nargs="+", type=int, default=list(REPORTED_SEEDS))
    parser.add_argument("--sites", nargs="+", default=[site.name for site in SITES])
    parser.add_argument("--details", action="store_true", help="print every damaged or mis-suggested structure")
    args = parser.parse_args()
    header = (
        f"{'site':<10} {'seed':>5} {'hit':>5} {'P':>5} {'R':>5} {'F1':>5} {'top20':>5} "
        f"{'class':>11} {'damaged ok':>10} {'hidden→unk':>10} {'s':>5}  shift / factor"
    )
    print(header)
    failures = 0
    for site in (s for s in SITES if s.name in args.sites):
        for seed in args.seeds:
            files = suite_site(site, seed, args.size, CACHE)
            started = time.perf_counter()
            run, ids, truth = score_site(files)
            elapsed = time.perf_counter() - started
            hidden = frozenset(obscured(files))
            q = evaluate(run, ids, truth, hidden)
            hit = q.positives / q.structures if q.structures else 0.0
            ok = q.f1 >= GOALS["f1"] and q.top_recall >= GOALS["top"] * q.top_ceiling
            ok = ok and q.class_accuracy >= GOALS["class"]
            failures += not ok
            print(
                f"{site.name:<10} {seed:>5} {hit:>5.0%} {q.precision:>5.2f} {q.recall:>5.2f} {q.f1:>5.2f} "
                f"{q.top_recall:>5.2f} {q.assessed_exact:>4}/{q.assessed:<4} {q.class_accuracy:>4.0%} "
                f"{q.exact_class:>4}/{q.positives:<4} {q.hidden_unknown:>4}/{q.hidden:<4} {elapsed:>5.1f}"
                f"{'' if ok else ' ✗'}  {_shift(run)} — {site.factor}"
            )
            if args.details:
                for sid, s in zip(ids, run.scores):
                    t = truth.get(sid, "-")
                    if t != s.suggested and sid not in hidden:
                        print(f"     {sid:>10} truth {t:>12} suggested {s.suggested:>9} {s}")
    print(f"goals: F1 ≥ {GOALS['f1']}, top-20 % recall ≥ {GOALS['top']} (of its ceiling), class ≥ {GOALS['class']:.0%}")
    print(f"{failures} site(s) below a goal")
    return 1 if failures else 0


def _shift(run) -> str:
    r, s = run.registration, run.shadow
    shift = "-" if r is None else f"shift {r.east_px:+.1f},{r.south_px:+.1f} px{' corrected' if r.corrected else ''}"
    if s is None or not s.relit:
        return f"{shift}, walls -"
    return f"{shift}, relit walls {s.faces}"


if __name__ == "__main__":
    application = QgsApplication([], False)
    application.initQgis()
    raise SystemExit(main())
