"""A stratified random sample of structures for a blind second review.

Strata are the status the first review recorded at the date (only assessed statuses: a
structure recorded ``unknown`` or not observed has no claim to check), optionally crossed with
the compound. The size comes from the wanted margin of error of a proportion at 95 %
(Cochran 1977, eq. 4.2, with the finite population correction): ``n0 = z² p (1 − p) / e²``,
``n = n0 / (1 + (n0 − 1) / N)`` with the worst case p = 0.5. It is spread over the strata in
proportion to their size, with at least ``minimum`` structures per stratum (all of a smaller
one) so that every stratum has a variance estimate, as long as the size allows it. The same seed gives the same sample.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import SiteWatchError
from .estimate import Z95

MINIMUM_PER_STRATUM = 2


def sample_size(population: int, margin: float, proportion: float = 0.5, z: float = Z95) -> int:
    """How many structures to review for a ``margin`` (e.g. 0.1 = ±10 points) at 95 %."""
    if not 0 < margin < 1:
        raise SiteWatchError(f"The margin of error {margin} must be between 0 and 1 (e.g. 0.1 for ±10 %).")
    if population <= 0:
        return 0
    n0 = z * z * proportion * (1 - proportion) / (margin * margin)
    return min(population, math.ceil(n0 / (1 + (n0 - 1) / population)))


def allocate(sizes: Mapping[str, int], total: int, minimum: int = MINIMUM_PER_STRATUM) -> dict[str, int]:
    """Sample size per stratum: proportional to its size (largest remainders), at least
    ``minimum`` (or the whole stratum), never more than the stratum; empty strata get 0."""
    strata = [key for key in sorted(sizes) if sizes[key] > 0]
    population = sum(sizes[key] for key in strata)
    result = {key: 0 for key in sizes}
    if total <= 0 or population == 0:
        return result
    total = min(total, population)
    floors = {key: min(sizes[key], minimum) for key in strata}
    if sum(floors.values()) <= total:  # a sample smaller than the minima is spread in proportion
        result.update(floors)
    left = total - sum(result.values())
    while left > 0:
        room = {key: sizes[key] - result[key] for key in strata if sizes[key] > result[key]}
        if not room:
            break
        wanted = {key: total * sizes[key] / population - result[key] for key in room}
        key = max(sorted(room), key=lambda k: wanted[k])
        result[key] += 1
        left -= 1
    return result


@dataclass(frozen=True)
class SampleUnit:
    """One structure to review blind, with its stratum and the stratum's size."""

    structure_id: str
    stratum: str
    status: str
    """What the first review recorded (never shown to the validator)."""
    compound: str | None
    stratum_size: int
    position: int
    """Review order: a random order, so strata are mixed."""


def draw_sample(
    first_statuses: Mapping[str, str],
    total: int,
    seed: int,
    compounds: Mapping[str, str | None] | None = None,
    minimum: int = MINIMUM_PER_STRATUM,
) -> list[SampleUnit]:
    """A stratified random sample of ``total`` structures of ``first_statuses`` (structure id →
    status); strata are the status, or status × compound when ``compounds`` is given."""
    members: dict[str, list[str]] = {}
    for structure_id in sorted(first_statuses):
        status = first_statuses[structure_id]
        compound = compounds.get(structure_id) if compounds is not None else None
        stratum = status if compounds is None else f"{status}|{compound or 'UNASSIGNED'}"
        members.setdefault(stratum, []).append(structure_id)
    counts = allocate({key: len(ids) for key, ids in members.items()}, total, minimum)
    generator = np.random.default_rng(seed)
    chosen: list[tuple[str, str]] = []
    for stratum in sorted(members):
        ids = members[stratum]
        picks: list[int] = generator.choice(len(ids), size=counts[stratum], replace=False).tolist()
        chosen.extend((ids[p], stratum) for p in sorted(picks))
    order = generator.permutation(len(chosen)) if chosen else np.zeros(0, dtype=np.int64)
    units = []
    for position, index in enumerate(order.tolist()):
        structure_id, stratum = chosen[index]
        units.append(
            SampleUnit(
                structure_id,
                stratum,
                first_statuses[structure_id],
                compounds.get(structure_id) if compounds is not None else None,
                len(members[stratum]),
                position + 1,
            )
        )
    return units
