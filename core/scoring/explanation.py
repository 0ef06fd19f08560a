"""Why a structure got its suggestion, in words an analyst can check against the images."""

from __future__ import annotations

from ..values import STATUSES, label_of
from .change_grading import UNKNOWN, FootprintScore
from .pattern_grading import CONSTRUCTION
from .registration import Registration
from .shadows import DISCOUNT, ShadowEstimate


def roof_sentence(frac: float | None) -> str:
    """``61% of the roof changed`` (the share of the footprint's pixels above the changed-pixel
    threshold, ``chg_frac``); empty without a share."""
    return "" if frac is None else f"{frac:.0%} of the roof changed"


def explain(
    score: FootprintScore, registration: Registration | None = None, shadow: ShadowEstimate | None = None
) -> str:
    """One sentence per structure: share of the roof changed, its hottest spot, the ring's change
    and the corrections applied to the pair and to it (co-registration; walls relit by a new sun,
    :mod:`.shadows`) (``chg_why`` of ``sitewatch:changescore``)."""
    if score.suggested == UNKNOWN:
        if score.obscured:
            return "unknown: the after image is obscured here (clouds, haze or an area drawn as obscured)"
        if score.hazy:
            return (
                "unknown: the after image looks clouded or hazy here (the structure and the ground around it "
                "are evenly brighter than before, with no new pattern)"
            )
        return f"unknown: only {score.valid_share:.0%} of the footprint has data in both images"
    if score.suggested == CONSTRUCTION:
        return (
            "construction: new construction, not damage — the footprint looked like the ground around it before "
            f"and is an even surface {score.level_change or 0:.1f} spreads brighter after"
            + (f" (a new pattern on {score.pattern:.0%} of it)" if score.pattern else "")
        )
    parts = [roof_sentence(score.frac)]
    if score.strong is not None:
        parts.append(f"{score.strong:.0%} strongly")
    if score.pattern is not None:
        parts.append(f"new pattern on {score.pattern:.0%} of the roof")
    if score.spot is not None:
        parts.append(f"hottest 2 m patch {score.spot:.1f}× the changed-pixel threshold above the roof's mean")
    if score.ring is not None:
        parts.append(f"ring changed {score.ring:.1f}× the threshold")
    if score.shadow_band:
        faces = f"walls facing {shadow.faces}" if shadow is not None and shadow.relit else "walls"
        where = (
            "its hottest part is the band along them: the whole roof"
            if score.shadow_band >= 1.0
            else f"the band along them ({score.shadow_band:.0%} of the roof)"
        )
        parts.append(f"{faces} relit by a new sun (shadows moved); {where} counted at {DISCOUNT:.0%}")
    if registration is not None and registration.corrected:
        west = "west" if registration.east_px >= 0 else "east"
        north = "north" if registration.south_px >= 0 else "south"
        parts.append(
            f"after image moved back {abs(registration.east_px):.1f} px {west}, "
            f"{abs(registration.south_px):.1f} px {north}"
        )
    return f"{score.suggested}: " + "; ".join(p for p in parts if p)


def stored_suggestion(suggested: str, score: float | None, frac: float | None) -> str:
    """What the review queue shows for a stored score: ``suggests Destroyed (0.83): 61 % of the
    roof changed``; ``suggests Unknown (cannot be assessed)`` has no score."""
    label = label_of(STATUSES, suggested)
    if score is None:
        return f"suggests {label}"
    why = roof_sentence(frac)
    return f"suggests {label} ({score:.2f})" + (f": {why}" if why else "")
