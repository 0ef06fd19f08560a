"""How well the change score finds the damage of a generated sample site.

The scorer is run on the images and the structure footprints only; the truth observations
at the after date are read afterwards and only here. Positive = truth moderate, severe or
destroyed; predicted positive = suggested moderate or worse. Used by
``bench/score_quality.py`` (the figures in docs/change_score.md) and by the tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from osgeo import ogr

from ..core.scoring.change_score import ScoreRun, score_changes
from ..core.values import DAMAGE_SCALE
from .generate_site import SiteFiles, truth_statuses

POSITIVE = frozenset({"moderate", "severe", "destroyed"})
BUDGET = 0.2
"""Share of the ranking an analyst reviews first (the top 20 %)."""


@dataclass(frozen=True)
class Quality:
    structures: int
    positives: int
    tp: int
    fp: int
    fn: int
    fp_construction: int
    """False positives that are structures under construction: a real change, not damage."""
    exact_class: int
    """Positives suggested exactly their true class (moderate, severe or destroyed)."""
    budget: int
    found_in_budget: int
    unknown: int
    assessed: int = 0
    """Structures not hidden by clouds and not under construction, with a truth status."""
    assessed_exact: int = 0
    """Of them, those suggested exactly their true status (unknown counts as wrong)."""
    hidden: int = 0
    """Structures the clouds hide (left out of every other figure)."""
    hidden_unknown: int = 0
    """Of them, those suggested unknown, as they should be."""

    @property
    def class_accuracy(self) -> float:
        return self.assessed_exact / self.assessed if self.assessed else 0.0

    @property
    def positive_accuracy(self) -> float:
        return self.exact_class / self.positives if self.positives else 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def top_recall(self) -> float:
        """Recall within the top BUDGET of the ranking."""
        return self.found_in_budget / self.positives if self.positives else 0.0

    @property
    def top_ceiling(self) -> float:
        """The best top_recall any ranking could reach (below 1 when positives outnumber the budget)."""
        return min(self.budget, self.positives) / self.positives if self.positives else 0.0


def read_footprints(gpkg) -> tuple[list[str], list[bytes], str]:
    """Structure ids, footprints (WKB) and their CRS: the scorer's only vector input."""
    dataset = ogr.Open(str(gpkg))
    layer = dataset.GetLayerByName("structures")
    ids, shapes = [], []
    for feature in layer:
        ids.append(feature["structure_id"])
        shapes.append(bytes(feature.GetGeometryRef().ExportToWkb()))
    return ids, shapes, layer.GetSpatialRef().ExportToWkt()


def evaluate(run: ScoreRun, ids: list[str], truth: dict[str, str], hidden: frozenset[str] = frozenset()) -> Quality:
    """Quality of ``run``; structures in ``hidden`` (under clouds) count only as hidden: they
    should be unknown, and are left out of the ranking's figures too."""
    if hidden:
        hidden_unknown = sum(1 for sid, s in zip(ids, run.scores) if sid in hidden and s.suggested == "unknown")
        keep = [i for i, sid in enumerate(ids) if sid not in hidden]
        ranked = sorted((i for i in keep if run.scores[i].rank is not None), key=lambda i: run.scores[i].rank or 0)
        new_rank = {i: r for r, i in enumerate(ranked, start=1)}
        scores = [replace(run.scores[i], rank=new_rank.get(i)) for i in keep]
        run = replace(run, scores=scores)
        ids = [ids[i] for i in keep]
        quality = evaluate(run, ids, truth)
        return replace(quality, hidden=len(hidden), hidden_unknown=hidden_unknown)
    positive = [truth.get(sid) in POSITIVE for sid in ids]
    predicted = [s.suggested in POSITIVE for s in run.scores]
    budget = math.ceil(BUDGET * len(ids))
    graded = [i for i, sid in enumerate(ids) if truth.get(sid) in DAMAGE_SCALE]
    return Quality(
        assessed=len(graded),
        assessed_exact=sum(1 for i in graded if run.scores[i].suggested == truth.get(ids[i])),
        structures=len(ids),
        positives=sum(positive),
        tp=sum(p and t for p, t in zip(predicted, positive)),
        fp=sum(p and not t for p, t in zip(predicted, positive)),
        fn=sum(t and not p for p, t in zip(predicted, positive)),
        fp_construction=sum(p and truth.get(sid) == "construction" for p, sid in zip(predicted, ids)),
        exact_class=sum(t and s.suggested == truth.get(sid) for t, s, sid in zip(positive, run.scores, ids)),
        budget=budget,
        found_in_budget=sum(1 for s, t in zip(run.scores, positive) if t and s.rank is not None and s.rank <= budget),
        unknown=sum(1 for s in run.scores if s.suggested == "unknown"),
    )


def score_site(files: SiteFiles) -> tuple[ScoreRun, list[str], dict[str, str]]:
    """Score a generated site blind, then read its truth: (run, structure ids, truth by id)."""
    ids, shapes, crs = read_footprints(files.assessment_gpkg)
    run = score_changes(str(files.before_tif), str(files.after_tif), shapes, crs)
    return run, ids, truth_statuses(files.assessment_gpkg, files.after_date)  # truth read only now
