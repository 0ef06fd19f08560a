"""The review state without any widget: the status book and the review queue."""

from __future__ import annotations

import random

import pytest

from sitewatch.core import values
from sitewatch.core.annotation.review import QueueFilter, ReviewQueue, StatusBook, StructureInfo
from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.status_at import status_at
from sitewatch.tests.helpers.damage_site import add_structures

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
    add_structures(assessment, [i.structure_id for i in infos])
    assessment.record_observation(Observation("S-2", "2020-01-08", "severe"))
    book.reload(assessment, ["S-2"])
    assert queue.step(1) == "S-3"
    assert queue.step(-1) == "S-1"
    assert queue.counts() == (1, 5)


def test_queue_counter_stays_exact_while_states_change_and_costs_only_the_changed(assessment):
    """The counter is kept as states are recorded and undone, and equals a direct count."""
    rng = random.Random(3)
    infos = [StructureInfo(f"S-{n:03d}", rng.choice(("warehouse", "bunker")), f"C-{n % 4}") for n in range(40)]
    on = "2020-01-08"
    add_structures(assessment, [i.structure_id for i in infos])
    assessment.record_observations([Observation(i.structure_id, "2019-06-01", "intact") for i in infos[::2]])
    book = StatusBook.load(assessment)
    queues = {
        "all": ReviewQueue(infos, book),
        "bunkers of C-1": ReviewQueue(infos, book),
    }
    queues["all"].rebuild(on, QueueFilter())
    queues["bunkers of C-1"].rebuild(on, QueueFilter(compound_id="C-1", type="bunker"))
    for _ in range(60):
        structure_id = rng.choice(infos).structure_id
        if rng.random() < 0.6:
            assessment.record_observation(Observation(structure_id, on, rng.choice(values.codes(values.STATUSES))))
        else:
            assessment.remove_observation(structure_id, on, "undone")
        book.reload(assessment, [structure_id])
        reviewed = {o.structure_id for o in assessment.observations() if o.observed_on == on}
        for queue in queues.values():
            base = {i.structure_id for i in infos if queue._base_match(i, queue.filter)}
            assert queue.counts() == (len(base & reviewed), len(base))


def test_queue_sorted_by_a_key_keeps_the_current_structure():
    infos = [StructureInfo(f"S-{n}", "warehouse", None) for n in range(1, 6)]
    queue = ReviewQueue(infos, StatusBook())
    queue.rebuild("2020-01-08", QueueFilter())
    assert queue.go_to("S-2") and queue.current() == "S-2"
    version = queue.version
    queue.sort_by(lambda structure_id: (structure_id,), descending=True)
    assert queue.ids == ["S-5", "S-4", "S-3", "S-2", "S-1"]
    assert queue.current() == "S-2" and queue.rows["S-2"] == 3 and queue.version > version
    assert queue.step(1) == "S-1"
