"""Sample size from the margin of error, allocation to strata, reproducible draws."""

from __future__ import annotations

import pytest

from sitewatch.core.errors import SiteWatchError
from sitewatch.core.validation.sampling import allocate, draw_sample, sample_size


def test_sample_size_follows_cochran():
    # n0 = 1.96² · 0.25 / 0.05² = 384.1 → 385 for a large population (the textbook figure)
    assert sample_size(10**9, 0.05) == 385
    # finite population: 384.15 / (1 + 383.15 / 1000) = 277.7 → 278
    assert sample_size(1000, 0.05) == 278
    assert sample_size(10, 0.01) == 10
    assert sample_size(0, 0.1) == 0
    with pytest.raises(SiteWatchError, match="margin of error 5"):
        sample_size(100, 5)


def test_allocation_is_proportional_with_a_minimum_and_never_above_the_stratum():
    sizes = {"intact": 80, "destroyed": 15, "severe": 4, "moderate": 1, "possible": 0}
    counts = allocate(sizes, 20)
    assert sum(counts.values()) == 20
    assert counts["moderate"] == 1 and counts["possible"] == 0
    assert counts["severe"] == 2 and counts["destroyed"] >= 2
    assert counts["intact"] == max(counts.values())
    assert allocate(sizes, 1000) == sizes  # everything, not more


def test_the_same_seed_gives_the_same_sample_and_another_seed_another():
    statuses = {f"S-{n:04d}": ("destroyed" if n % 4 == 0 else "intact") for n in range(1, 41)}
    first = draw_sample(statuses, 10, seed=7)
    assert first == draw_sample(statuses, 10, seed=7)
    assert [u.structure_id for u in first] != [u.structure_id for u in draw_sample(statuses, 10, seed=8)]
    assert len({u.structure_id for u in first}) == 10
    assert {u.stratum for u in first} == {"destroyed", "intact"}
    assert sorted(u.position for u in first) == list(range(1, 11))
    destroyed = [u for u in first if u.stratum == "destroyed"]
    assert all(u.stratum_size == 10 and u.status == "destroyed" for u in destroyed)


def test_samples_of_none_one_or_all_structures():
    statuses = {"S-0001": "intact", "S-0002": "destroyed", "S-0003": "destroyed"}
    assert draw_sample(statuses, 0, seed=1) == []
    assert draw_sample({}, 5, seed=1) == []
    assert len(draw_sample(statuses, 1, seed=1)) == 1
    assert {u.structure_id for u in draw_sample(statuses, 99, seed=1)} == set(statuses)


def test_strata_by_compound():
    statuses = {"S-1": "intact", "S-2": "intact", "S-3": "intact"}
    units = draw_sample(statuses, 3, seed=3, compounds={"S-1": "C-0001", "S-2": None, "S-3": "C-0001"})
    assert {u.stratum for u in units} == {"intact|C-0001", "intact|UNASSIGNED"}
