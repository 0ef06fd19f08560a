"""The second opinion of the pattern: suggestions that hold when brightness misleads.

The magnitude's suggestion (:func:`.change_grading.suggest`) is checked against the share of
the roof whose *pattern* changed (:mod:`.texture`: rubble, holes' edges, new walls — whatever
no brightness change explains):

* a dark roof whose rubble is about as bright as the roof, or a site whose ground changed with
  the season (its changed-pixel threshold then rises), shows little magnitude but a new
  pattern: the pattern's suggestion stands;
* a new sun on pitched roofs, domes and walls changes their brightness but not their pattern.
  When many roofs of the pair changed in brightness only (:data:`RELIT_SHARE`), the pair is
  *relit*: the magnitude's suggestion of damage then stands only where the pattern agrees. On a
  pair that is not relit it stands where the pattern sees at least a possible change, or where
  nearly the whole roof changed (:data:`WHOLE_ROOF`);
* where both see damage, the magnitude grades it (it tells scorched from collapsed) unless
  nearly the whole roof has a new pattern (destroyed);
* a footprint that looked like the ground around it before and is a brighter, even surface
  after is new construction, not damage (suggested ``construction``);
* a structure that, with the ground around it, became evenly brighter without a new pattern
  lies under clouds or haze in the after image: it is ``unknown``.

The thresholds were chosen on the tuning seeds of the evaluation suite (1101, 1102) only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..values import DAMAGE_SCALE, DAMAGED_STATUSES
from .change_sums import PATTERN_FACTOR

CONSTRUCTION = "construction"
PATTERN_GRADES: tuple[tuple[str, float], ...] = (
    (DAMAGE_SCALE[4], 0.5),
    (DAMAGE_SCALE[3], 0.3),
    (DAMAGE_SCALE[2], 0.25),
    (DAMAGE_SCALE[1], 0.15),
)
"""Share of the roof's whole cells with a new pattern from which the pattern suggests each
status. On the tuning sites intact roofs stayed below 0.27 (95 % below 0.17), destroyed ones
had 0.22–1.0 (median 0.71), severe 0.1–0.92 (median 0.42), moderate 0.04–0.62 (median 0.18:
holes are found by the pattern spot instead)."""
PATTERN_SPOT_MODERATE = 10.0
PATTERN_SPOT_POSSIBLE = 5.0
"""The highest structure change of a cell with a new pattern (in thresholds) from which the
pattern suggests moderate (an impact hole's edge) or possible."""
PATTERN_DESTROYED = 0.8
"""Where both suggest damage, a new pattern on this share of the roof makes it destroyed."""
WHOLE_ROOF = 0.85
"""On a pair that is not relit, a roof this much of which changed strongly keeps the magnitude's
suggestion whatever its pattern (a roof replaced by an even surface of another brightness)."""
RELIT_SHARE = 0.1
"""The pair is relit when more than this share of the scored roofs changed strongly in
brightness (RELIT_STRONG of their pixels) but hardly in pattern (below RELIT_PATTERN)."""
RELIT_STRONG = 0.5
RELIT_PATTERN = 0.1
RELIT_LOST = 0.5
GROUND_LIKE = 1.6
"""A footprint looked like the ground around it before when its mean brightness was within
this many spreads (of the before bands) of its ring's."""
NEW_SURFACE = 2.5
"""… and is a new surface when its mean brightness rose by this many spreads, and now differs by
as much from the ring's. Only a rise: a structure that looked like the ground and turned dark is
burnt or collapsed (scorch, rubble in shade), which is damage."""
SMOOTH_SURFACE = 0.3
"""… and its new surface is no rubble: fewer of its cells than this share have a new pattern."""
PATTERN_FACTOR_TEXT = f"above {PATTERN_FACTOR:g} × the cell's own standard deviation before"
HAZE_RING = 1.8
HAZE_ROOF = 1.0
"""A footprint is taken to be under clouds or haze in the after image when its ring brightened by
HAZE_RING spreads and its roof by HAZE_ROOF, without a new pattern (SMOOTH_SURFACE): a veil over
the structure and its surroundings, not rubble or a new roof (which leaves the ring as it was).
On the tuning cloud sites every structure under at least half opacity met it."""


@dataclass(frozen=True)
class PatternEvidence:
    """Per footprint (arrays in input order; NaN: no whole cell inside)."""

    share: NDArray[np.float64]
    """Share of the whole cells with a new pattern."""
    lost: NDArray[np.float64]
    """Share of the whole cells whose pattern was lost (see :data:`.change_sums.PATTERN_FACTOR`)."""
    peak: NDArray[np.float64]
    """Highest structure change of those cells (thresholds; 0: none)."""
    before_contrast: NDArray[np.float64]
    """Mean brightness of the cells minus the ring's, before (spreads)."""
    after_contrast: NDArray[np.float64]
    level_change: NDArray[np.float64]
    """Mean brightness of the cells after minus before (spreads)."""
    ring_level_change: NDArray[np.float64]
    """Mean brightness of the ring after minus before (spreads)."""


def relit(strong: NDArray[np.float64], evidence: PatternEvidence, known: NDArray[np.bool_]) -> float:
    """Share of the known roofs whose brightness changed strongly while their pattern stayed: no
    new pattern, and most of it kept (a roof whose pattern was lost was replaced, not relit)."""
    usable = known & np.isfinite(evidence.share)
    if not usable.any():
        return 0.0
    kept = (evidence.share[usable] < RELIT_PATTERN) & (evidence.lost[usable] < RELIT_LOST)
    return float(np.mean((strong[usable] >= RELIT_STRONG) & kept))


def pattern_suggestion(share: float, peak: float) -> str:
    for code, cut in PATTERN_GRADES:
        if share >= cut:
            return code
    if peak >= PATTERN_SPOT_MODERATE:
        return DAMAGE_SCALE[2]
    return DAMAGE_SCALE[1] if peak >= PATTERN_SPOT_POSSIBLE else DAMAGE_SCALE[0]


def pattern_z(share: float, peak: float) -> float:
    """The pattern's evidence as a z of the magnitude's scale: 3 at the possible cuts, 4 at the
    moderate ones, rising with the share and the spot."""
    (_, possible), (_, moderate) = PATTERN_GRADES[3], PATTERN_GRADES[2]
    by_share = 3.0 + (share - possible) / (moderate - possible)
    by_spot = 3.0 + (peak - PATTERN_SPOT_POSSIBLE) / (PATTERN_SPOT_MODERATE - PATTERN_SPOT_POSSIBLE)
    return max(by_share, by_spot)


def is_construction(evidence: PatternEvidence, index: int) -> bool:
    """Ground before, a new even surface after (see the module)."""
    return bool(
        abs(evidence.before_contrast[index]) < GROUND_LIKE
        and evidence.level_change[index] >= NEW_SURFACE
        and abs(evidence.after_contrast[index]) >= NEW_SURFACE
        and evidence.share[index] < SMOOTH_SURFACE
    )


def is_hazy(evidence: PatternEvidence, index: int) -> bool:
    """The structure and its ring brightened evenly (see HAZE_RING)."""
    return bool(
        evidence.ring_level_change[index] >= HAZE_RING
        and evidence.level_change[index] >= HAZE_ROOF
        and evidence.share[index] < SMOOTH_SURFACE
    )


def combine(magnitude_says: str, z: float, strong: float, share: float, peak: float, lit: bool) -> tuple[str, float]:
    """The suggestion and its z from the magnitude's suggestion (and z) and the pattern's
    evidence; the z is kept within the suggestion's band (intact < 3 ≤ possible < 4 ≤ damage) so
    the ranking follows the suggestions."""
    pattern_says = pattern_suggestion(share, peak)
    own = pattern_z(share, peak)
    old_damage, new_damage = magnitude_says in DAMAGED_STATUSES, pattern_says in DAMAGED_STATUSES
    if old_damage and new_damage:
        if share >= PATTERN_DESTROYED:
            return DAMAGE_SCALE[4], max(z, own, 4.0)
        return magnitude_says, max(z, own, 4.0)
    if new_damage:
        return pattern_says, max(own, 4.0)
    if (
        old_damage
        and not lit
        and (strong >= WHOLE_ROOF or share >= PATTERN_GRADES[3][1] or peak >= PATTERN_SPOT_POSSIBLE)
    ):
        return magnitude_says, max(z, 4.0)
    if DAMAGE_SCALE[1] in (magnitude_says, pattern_says):
        return DAMAGE_SCALE[1], min(max(z if not old_damage else own, own, 3.0), 3.99)
    return DAMAGE_SCALE[0], min(z, own, 2.99)


def pattern_text(structure: str, relit_share: float) -> str:
    """How the pattern took part in the suggestions, for THRESHOLDS."""
    grades = ", ".join(f"{code} from {cut:.0%}" for code, cut in PATTERN_GRADES)
    state = (
        f"the pair is relit ({relit_share:.0%} of the roofs changed in brightness but not in pattern, more than "
        f"{RELIT_SHARE:.0%}): brightness alone suggests no damage"
        if relit_share > RELIT_SHARE
        else f"the pair is not relit ({relit_share:.0%} of the roofs changed in brightness but not in pattern)"
    )
    return (
        f"pattern: {structure}; a cell's pattern is new above the threshold and {PATTERN_FACTOR_TEXT}; the share "
        f"of the roof's cells with a new pattern suggests {grades}, its hottest cell moderate from "
        f"{PATTERN_SPOT_MODERATE:g} thresholds; where the pattern sees damage and the brightness does not, the "
        f"pattern's suggestion stands; {state}; ground-like before (within {GROUND_LIKE:g} spreads of the ring) and "
        f"{NEW_SURFACE:g} spreads brighter after, without rubble: construction; roof {HAZE_ROOF:g} and ring "
        f"{HAZE_RING:g} spreads brighter without a new pattern: unknown (clouds or haze)."
    )
