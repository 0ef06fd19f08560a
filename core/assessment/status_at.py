"""The status-at-date rule, in one place.

A structure's status at a date is the status of its latest observation on or before that date
(carried forward); with none, the structure is unobserved at that date. When two observations of
one structure share a date (the store forbids it; a list built by hand may not), the later one in
the given order wins. The scalar forms serve a few structures and the review; the numpy form the
whole site at once (the damage table). A test proves they agree on a table of cases.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .observations import Observation, check_date


def position_at(dates: Sequence[str], on: str) -> int | None:
    """Index, in one structure's ascending observation ``dates``, of the observation in force
    at ``on``; None when every observation is later."""
    position = bisect.bisect_right(dates, on)
    return position - 1 if position else None


def status_at(observations: Iterable[Observation], on: str) -> dict[str, str]:
    """Status of every observed structure at date ``on``; structures with no observation on or
    before ``on`` are left out (unobserved)."""
    on = check_date(on)
    latest: dict[str, tuple[str, str]] = {}
    for obs in observations:
        if obs.observed_on > on:
            continue
        seen = latest.get(obs.structure_id)
        if seen is None or obs.observed_on >= seen[0]:
            latest[obs.structure_id] = (obs.observed_on, obs.status)
    return {sid: status for sid, (_, status) in latest.items()}


def status_codes_at(
    owner: NDArray[np.integer[Any]],
    day: NDArray[np.integer[Any]],
    status: NDArray[np.integer[Any]],
    structure_count: int,
    on_day: int,
    unobserved: int,
) -> NDArray[np.int64]:
    """Status code of each of ``structure_count`` structures at ``on_day``: observation arrays
    (``owner`` = structure index, ``day``, ``status`` code) sorted by owner then day; a structure
    with no observation on or before ``on_day`` gets ``unobserved``."""
    result = np.full(structure_count, unobserved, dtype=np.int64)
    on_time = day <= on_day
    owners = owner[on_time]
    if len(owners):
        last = np.r_[owners[1:] != owners[:-1], True]
        result[owners[last]] = status[on_time][last]
    return result
