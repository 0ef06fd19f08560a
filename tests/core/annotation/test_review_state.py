"""The review state without any widget: the status book and the review queue."""

from __future__ import annotations

import random

import pytest

from sitewatch.core import values
from sitewatch.core.annotation.review import QueueFilter, ReviewQueue, StatusBook, StructureInfo
from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.status_at import status_at

DATES = ("2019-01-01", "2019-06-01", "2020-01-08", "2020-07-01")


def random_observations(seed: int = 7) -> list[Observation]:
    rng = random.Random(seed)
    return [
        Observation(f"S-{n:04d}", on, rng.choice(values.codes(values.STATUSES)))
        for n in range(60)
        for on in DATES
        if rng.random() < 0.5
    ]


@pytest.mark.parametrize("on", ("2018-12-31", *DATES, "2019-12-31", "2030-01-01"))
def test_status_book_agrees_with_the_carry_forward_rule(on):
    observations = random_observations()
    book = StatusBook(observations)
    assert book.status_map(on) == status_at(observations, on)


def test_carried_forward_is_the_latest_state_strictly_before_the_date():
    book = StatusBook([Observation("S-1", "2019-01-01", "intact"), Observation("S-1", "2020-01-08", "severe")])
    assert book.carried_forward("S-1", "2020-01-08").status == "intact"
    assert book.carried_forward("S-1", "2020-02-01").status == "severe"
    assert book.carried_forward("S-1", "2019-01-01") is None
    assert book.is_reviewed("S-1", "2020-01-08") and not book.is_reviewed("S-1", "2020-02-01")


def test_queue_steps_over_structures_that_left_the_filter(assessment):
    infos = [StructureInfo(f"S-{n}", "warehouse", None) for n in range(1, 6)]
    book = StatusBook()
    queue = ReviewQueue(infos, book)
    queue.rebuild("2020-01-08", QueueFilter(unreviewed_only=True))
    assert queue.step(1) == "S-1"
    assessment.record_observation(Observation("S-2", "2020-01-08", "severe"))
    book.reload(assessment, ["S-2"])
    assert queue.step(1) == "S-3"
    assert queue.step(-1) == "S-1"
    assert queue.counts() == (1, 5)
