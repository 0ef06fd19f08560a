"""From per-footprint sums to change scores: the z-score of each
footprint (area and spot), its score and its suggested status, and the run's result types.

The method is described in :mod:`.change_score` and docs/change_score.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..values import DAMAGE_SCALE, STATUS_BY_CODE
from .change_sums import SPOT_CELL, STRONG_FACTOR, FootprintSums
from .pattern_grading import (
    CONSTRUCTION,
    RELIT_SHARE,
    PatternEvidence,
    combine,
    is_construction,
    is_hazy,
    pattern_text,
    relit,
)
from .radiometry import Normalisation
from .registration import Registration
from .shadows import Discounted, ShadowEstimate, discount, estimate_shadow

MIN_VALID_SHARE = 0.5
"""Footprints with fewer valid pixels than this share (nodata, outside the overlap) → unknown."""
MIN_RING_PIXELS = 4
"""With fewer valid ring pixels, the pair's median pixel magnitude is the reference instead."""
MIN_SPREAD = 0.05
"""Floor of the robust spread of the contrast (magnitude units) so near-identical images do not
turn noise into high z-scores."""
MIN_REFERENCE = 10
"""Fewer scored structures than this: the run still scores them, and the algorithm warns (the
changed-pixel threshold is then learnt from little ground)."""
AREA_UNIT = 0.4
"""One unit of the area z is this share of the changed-pixel threshold of the footprint-minus-
ring contrast: the moderate cut (z 4) is a roof whose mean change exceeds its ring's by 1.6
changed-pixel thresholds. The threshold comes from a sample of the whole overlap — mostly ground
between the structures — so the reference of "no change" does not depend on how many structures
were hit. On the tuning sites (seeds 1101, 1102 of the suite) intact roofs reached 1.1
thresholds, destroyed and severe ones 2.2 and more; moderate damage is found by its spot."""
SCORE_SCALE_Z = 8.0
POSSIBLE_Z = 3.0
"""From this z a footprint is suggested ``possible``; below it ``intact``."""
MODERATE_Z = 4.0
"""From this z a footprint is suggested moderate or worse, graded by SEVERITY_SHARES."""
SEVERITY_SHARES: tuple[tuple[str, float], ...] = ((DAMAGE_SCALE[4], 0.85), (DAMAGE_SCALE[3], 0.5))
"""Above MODERATE_Z, the share of the footprint's valid pixels strongly changed grades the
suggestion: nearly the whole roof (destroyed), about half of it or more (severe), less
(moderate) — the damage scale's own words. On eight generated sites (the two samples and
three other seeds of each) destroyed structures above the cut had shares 0.86–1.00 (90 % above
0.91), severe ones 0.51–0.86, moderate ones 0.04–0.57."""
SPOT_MODERATE = 5.0
"""A spot this many changed-pixel thresholds above the footprint's mean makes it moderate.
The spot is scaled by the pair's pixel noise, not by a z-score over the footprints: it is the
maximum of many cells, and roofs of different kinds (flat, pitched and lit anew by a lower sun)
give it a spread of several modes that no median/MAD describes. On eight generated sites
(the two samples and three other seeds of each) intact roofs reached 1.7–5.4 thresholds (90 %
of them below 2.4), single impact holes 5.9–13.3."""
QUIET_SPOT = 3.5
QUIET_PATTERN_SPOT = 6.0
QUIET_STRONG = 0.2
"""A hole in a quiet roof: a spot of QUIET_SPOT changed-pixel thresholds, or a cell with a new
pattern QUIET_PATTERN_SPOT structure thresholds strong, on a roof less than QUIET_STRONG of which
changed strongly is moderate, even below SPOT_MODERATE (or the pattern's moderate spot). In noisy
imagery of dark roofs (the suite's hard site) holes stand only 2.3–5.3 thresholds above their
roof; where the ground changed with the season the threshold rises and holes show in the pattern
only (6.4–10.5). What else reaches such spots is a roof relit on a whole side (a strongly
changed share of 0.25 and more): on the tuning sites (seeds 1101, 1102) no intact or possible
roof had a spot of 3 or a pattern spot of 5 with a share below 0.2, while 15 moderates of the
hard site and 6 of the season site did."""
SPOT_CEILING_Z = 8.0
"""The spot's contribution stays below this z, so holes rank after most large changes."""
SPOT_SOFT_Z = MODERATE_Z
"""Above this z (the moderate threshold) the spot's contribution bends towards SPOT_CEILING_Z."""
INTACT = DAMAGE_SCALE[0]
UNKNOWN = STATUS_BY_CODE["unknown"].code


@dataclass(frozen=True)
class FootprintScore:
    score: float | None
    """0–1, None when the structure cannot be assessed."""
    frac: float | None
    rank: int | None
    """1 = most changed; None for ``unknown``."""
    suggested: str
    contrast: float | None
    z: float | None
    """max(area_z, spot_contribution(spot)): what ranks and suggests."""
    valid_share: float
    area_z: float | None = None
    """Robust z-score of the footprint-minus-ring contrast."""
    spot: float | None = None
    """Hottest whole cell inside minus the footprint mean, in changed-pixel thresholds (None:
    no whole cell inside above the changed-pixel threshold)."""
    strong: float | None = None
    """Share of the footprint's valid pixels strongly changed (see STRONG_FACTOR)."""
    ring: float | None = None
    """Mean change of the ring, in changed-pixel thresholds (None: too few ring pixels)."""
    obscured: bool = False
    """Unknown because an area drawn as obscured covers it."""
    hazy: bool = False
    """Unknown because the after image looks clouded or hazy over it and its ring (see
    :func:`.pattern_grading.is_hazy`)."""
    pattern: float | None = None
    """Share of the footprint's whole cells whose pattern changed (see :mod:`.texture` and
    :mod:`.pattern_grading`); None without a whole cell inside."""
    pattern_spot: float | None = None
    """The highest structure change of those cells, in the pair's thresholds (0: none)."""
    level_change: float | None = None
    """Mean brightness of the whole cells after minus before, in spreads of the before bands."""
    shadow_band: float | None = None
    """Share of the roof's whole cells in the band along walls that changed sides with the sun,
    counted at a discount (:mod:`.shadows`); None: nothing discounted."""


@dataclass(frozen=True)
class ScoreRun:
    scores: list[FootprintScore]
    center: float
    spread: float
    pixel_threshold: float
    bands: str
    normalisation: str
    warped: bool
    assumed_crs: bool
    registration: Registration | None = None
    """The pair's estimated offset and whether it was corrected (None: not estimated)."""
    structure: str = ""
    """How the structure change's threshold was learnt (:meth:`.texture.StructureScale.describe`)."""
    relit: float = 0.0
    """Share of the scored roofs whose brightness changed strongly but not their pattern."""
    shadow: ShadowEstimate | None = None
    """The cast shadows' turn between the passes and the wall band discounted (:mod:`.shadows`)."""

    def thresholds_text(self) -> str:
        """How ``suggested`` was derived, for the user (feedback and result key)."""
        grades = ", ".join(f"{code} from {share:.0%}" for code, share in SEVERITY_SHARES)
        return (
            f"area z = (footprint mean − ring mean) / {self.spread:.4g} ({AREA_UNIT:g} × the changed-pixel "
            f"threshold, learnt from a sample of the whole overlap — mostly ground between the structures — so it "
            f"does not depend on how many of the {self.scored} scored structures were hit); spot = (hottest "
            f"{SPOT_CELL}×{SPOT_CELL}-pixel cell minus footprint mean) / {self.pixel_threshold:.4g} (the changed-pixel "
            f"threshold); z = max(area z, {SPOT_SOFT_Z:g} × spot / {SPOT_MODERATE:g}, bent below {SPOT_CEILING_Z:g} "
            f"above "
            f"{SPOT_SOFT_Z:g} so a spot alone suggests moderate at most); score = 1 − exp(−z / {SCORE_SCALE_Z:g}); "
            f"fixed thresholds: possible z ≥ {POSSIBLE_Z:g} (score ≥ {score_of(POSSIBLE_Z):.3f}), moderate or "
            f"worse z ≥ {MODERATE_Z:g} (score ≥ {score_of(MODERATE_Z):.3f}), graded by the share of the "
            f"footprint's pixels above {STRONG_FACTOR:g} × the changed-pixel threshold: {grades}, else "
            f"moderate; below z {POSSIBLE_Z:g}: intact, or possible with a share from "
            f"{SEVERITY_SHARES[0][1]:.0%}; fewer than {MIN_VALID_SHARE:.0%} valid pixels: unknown. "
            + pattern_text(self.structure, self.relit)
            + (f" {self.shadow.describe()}." if self.shadow is not None else "")
        )

    @property
    def scored(self) -> int:
        return sum(1 for s in self.scores if s.score is not None)

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for item in self.scores:
            found[item.suggested] = found.get(item.suggested, 0) + 1
        return found


def score_of(z: float) -> float:
    return 1.0 - math.exp(-max(z, 0.0) / SCORE_SCALE_Z)


def spot_contribution(spot: NDArray[np.float64]) -> NDArray[np.float64]:
    """The spot as it enters the ranking, as a z: SPOT_SOFT_Z × spot / SPOT_MODERATE up to
    SPOT_SOFT_Z, then bent smoothly (slope kept at the joint) towards SPOT_CEILING_Z, so a
    stronger spot still ranks higher but stays below SPOT_CEILING_Z."""
    weighted = SPOT_SOFT_Z / SPOT_MODERATE * spot
    room = SPOT_CEILING_Z - SPOT_SOFT_Z
    with np.errstate(over="ignore"):
        bent = SPOT_CEILING_Z - room * np.exp(-(weighted - SPOT_SOFT_Z) / room)
    contribution: NDArray[np.float64] = np.where(weighted > SPOT_SOFT_Z, bent, weighted)
    return contribution


def _signed(value: float) -> str:
    return f"− {-value:.4g}" if value < 0 else f"+ {value:.4g}"


def is_quiet_hole(spot: float, pattern_spot: float, strong: float) -> bool:
    """A hole's spot (or pattern spot) on a roof otherwise quiet (see QUIET_SPOT)."""
    return bool((spot >= QUIET_SPOT or pattern_spot >= QUIET_PATTERN_SPOT) and strong < QUIET_STRONG)


def suggest(z: float, strong: float, area_z: float | None = None) -> str:
    """The suggested status of a footprint with z-score ``z`` (``area_z`` of it from the
    footprint-minus-ring contrast; None: all of it) and strongly changed share ``strong``.
    A footprint above the moderate cut by its spot alone is moderate, whatever its share; one
    almost wholly changed (the destroyed share) is at least possible whatever its z, because the
    z-score's reference fails when few structures are scored or most of them changed."""
    if z < POSSIBLE_Z:
        return DAMAGE_SCALE[1] if strong >= SEVERITY_SHARES[0][1] else INTACT
    if z < MODERATE_Z:
        return DAMAGE_SCALE[1]
    if area_z is not None and area_z < MODERATE_Z:
        return DAMAGE_SCALE[2]
    for code, share in SEVERITY_SHARES:
        if strong >= share:
            return code
    return DAMAGE_SCALE[2]


def grade(
    sums: FootprintSums,
    normalisation: Normalisation,
    on_image: NDArray[np.float64],
    obscured: NDArray[np.bool_] | None = None,
) -> tuple[list[FootprintScore], float, float, float, ShadowEstimate]:
    """Scores in input order, the centre (0) and unit of the area statistic, the share of
    roofs relit (see :func:`.pattern_grading.relit`) and the shadows' estimate (:mod:`.shadows`).
    A footprint's valid share counts the share of its area off the before image as invalid
    (those pixels are never read), so one lying mostly outside is not scored on the rest."""
    reference = normalisation.median_magnitude
    pixels, valid = sums.pixels[1:], sums.valid[1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        valid_share = np.where(pixels > 0, valid / pixels, 0.0) * on_image
        inside_mean = sums.magnitude[1:] / valid
        frac = sums.changed[1:] / valid
        strong = sums.strong[1:] / valid
        ring_mean = np.where(sums.ring_valid >= MIN_RING_PIXELS, sums.ring_magnitude / sums.ring_valid, reference)
    known = (pixels > 0) & (valid_share >= MIN_VALID_SHARE)
    if obscured is not None:
        known &= ~obscured
    shadow = estimate_shadow(sums.shadow, known, inside_mean, normalisation.pixel_threshold)
    walls = discount(
        sums.shadow,
        shadow,
        inside_mean,
        normalisation.pixel_threshold,
        sums.peak[1:],
        sums.pattern[1:],
        sums.pattern_peak[1:],
    )
    evidence = pattern_evidence(sums, walls)
    threshold = max(normalisation.pixel_threshold, 1e-12)
    ring_change = np.where(sums.ring_valid >= MIN_RING_PIXELS, ring_mean / threshold, np.nan)
    contrast = inside_mean - ring_mean
    center, spread = 0.0, max(MIN_SPREAD, AREA_UNIT * normalisation.pixel_threshold)
    area_z = (contrast - center) / spread
    has_spot = known & np.isfinite(walls.peak)
    with np.errstate(invalid="ignore"):
        spot = (walls.peak - inside_mean) / max(normalisation.pixel_threshold, 1e-12)
    z = np.where(has_spot, np.maximum(area_z, spot_contribution(spot)), area_z)
    has_cells = np.isfinite(evidence.share)
    hazy = np.array([bool(known[i] and has_cells[i] and is_hazy(evidence, i)) for i in range(pixels.size)])
    known &= ~hazy
    lit_share = relit(strong, evidence, known)
    lit = lit_share > RELIT_SHARE
    suggested = []
    for index in np.flatnonzero(known):
        says = suggest(float(z[index]), float(strong[index]), float(area_z[index]))
        if np.isfinite(evidence.share[index]):
            if is_construction(evidence, index):
                says, z[index] = CONSTRUCTION, min(float(z[index]), POSSIBLE_Z - 0.01)
            else:
                says, z[index] = combine(
                    says,
                    float(z[index]),
                    float(strong[index]),
                    float(evidence.share[index]),
                    float(evidence.peak[index]),
                    lit,
                )
        hole_spot = float(spot[index]) if has_spot[index] else 0.0
        pattern_spot = float(evidence.peak[index]) if np.isfinite(evidence.peak[index]) else 0.0
        if says in (INTACT, DAMAGE_SCALE[1]) and is_quiet_hole(hole_spot, pattern_spot, float(strong[index])):
            says, z[index] = DAMAGE_SCALE[2], max(float(z[index]), MODERATE_Z)
        suggested.append(says)
    suggestions = dict(zip(np.flatnonzero(known).tolist(), suggested))
    order = [int(i) for i in np.flatnonzero(known)[np.argsort(-z[known], kind="stable")]]
    ranks = {index: rank for rank, index in enumerate(order, start=1)}
    scores = []
    for index in range(pixels.size):
        if not known[index]:
            hidden = obscured is not None and bool(obscured[index])
            scores.append(
                FootprintScore(
                    None,
                    None,
                    None,
                    UNKNOWN,
                    None,
                    None,
                    float(valid_share[index]),
                    obscured=hidden,
                    hazy=bool(hazy[index]),
                )
            )
            continue
        zi = float(z[index])
        cells = bool(has_cells[index])
        scores.append(
            FootprintScore(
                score_of(zi),
                float(frac[index]),
                ranks[index],
                suggestions[index],
                float(contrast[index]),
                zi,
                float(valid_share[index]),
                float(area_z[index]),
                float(spot[index]) if has_spot[index] else None,
                float(strong[index]),
                float(ring_change[index]) if np.isfinite(ring_change[index]) else None,
                pattern=float(evidence.share[index]) if cells else None,
                pattern_spot=float(evidence.peak[index]) if cells else None,
                level_change=float(evidence.level_change[index]) if cells else None,
                shadow_band=float(walls.share[index]) if walls.share[index] > 0 else None,
            )
        )
    return scores, center, spread, lit_share, shadow


def pattern_evidence(sums: FootprintSums, walls: Discounted | None = None) -> PatternEvidence:
    """Per footprint: the share of whole cells with a new pattern, the hottest of them and the
    brightness of the cells against the ring's, before and after (NaN without a whole cell);
    with ``walls``, the discounted band along walls counts as :mod:`.shadows` says."""
    cells = sums.cells[1:]
    ring_pixels = np.maximum(sums.ring_valid, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        level_before, level_after = sums.level_before[1:] / cells, sums.level_after[1:] / cells
        ring_known = sums.ring_valid >= MIN_RING_PIXELS
        before_contrast = np.where(ring_known, level_before - sums.ring_before / ring_pixels, np.nan)
        after_contrast = np.where(ring_known, level_after - sums.ring_after / ring_pixels, np.nan)
        pattern = sums.pattern[1:] if walls is None else walls.pattern
        pattern_peak = sums.pattern_peak[1:] if walls is None else walls.pattern_peak
        return PatternEvidence(
            pattern / cells,
            sums.lost[1:] / cells,
            np.where(cells > 0, pattern_peak, np.nan),
            before_contrast,
            after_contrast,
            level_after - level_before,
            np.where(ring_known, (sums.ring_after - sums.ring_before) / ring_pixels, np.nan),
        )
