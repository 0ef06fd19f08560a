"""The status book read as columns (country scale) answers exactly as the observations do."""

from __future__ import annotations

import bisect
import random

import numpy as np

from sitewatch.core import values
from sitewatch.core.annotation.review import StatusBook
from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.status_at import status_at
from sitewatch.core.assessment.store import AssessmentStore
from sitewatch.tests.helpers.damage_site import add_structures

DATES = ("2019-01-01", "2019-06-01", "2020-01-08", "2020-07-01")
ASKED = ("2018-12-31", *DATES, "2019-12-31", "2030-01-01")
STATUSES = values.codes(values.STATUSES)


def _expected_observation_at(observations: list[Observation], structure_id: str, on: str) -> Observation | None:
    mine = sorted((o for o in observations if o.structure_id == structure_id), key=lambda o: o.observed_on)
    before = [o for o in mine if o.observed_on <= on]
    return before[-1] if before else None


def _check(book: StatusBook, observations: list[Observation], structure_ids: list[str]) -> None:
    for on in ASKED:
        assert book.status_map(on) == status_at(observations, on)
        assert book.reviewed_on(on) == {o.structure_id for o in observations if o.observed_on == on}
        for structure_id in structure_ids:
            expected = _expected_observation_at(observations, structure_id, on)
            state = book.state_at(structure_id, on)
            assert state == (None if expected is None else (expected.status, expected.observed_on))
            assert book.observation_at(structure_id, on) == expected
            dates = sorted(o.observed_on for o in observations if o.structure_id == structure_id)
            position = bisect.bisect_left(dates, on)
            carried = book.carried_forward(structure_id, on)
            assert (carried.observed_on if carried else None) == (dates[position - 1] if position else None)
            assert book.is_reviewed(structure_id, on) == (on in dates)


def test_the_store_reads_the_same_columns_as_its_observations(assessment):
    rng = random.Random(5)
    add_structures(assessment, [f"S-{n:04d}" for n in range(80)])
    assessment.record_observations(
        Observation(f"S-{n:04d}", on, rng.choice(STATUSES)) for n in range(80) for on in DATES if rng.random() < 0.5
    )
    columns = assessment.observation_columns()
    generic = AssessmentStore.observation_columns(assessment)  # the interface's form, from observations()
    assert sorted(zip(columns.structure_id, columns.day, columns.status)) == sorted(
        zip(generic.structure_id, generic.day, generic.status)
    )
    assert columns.day.dtype == np.int64 and len(columns.day) == len(assessment.observations())


def test_a_loaded_book_stays_exact_through_random_records_and_removals(assessment):
    rng = random.Random(11)
    structure_ids = [f"S-{n:04d}" for n in range(50)] + ["S-NEW"]  # S-NEW: first observed after loading
    add_structures(assessment, structure_ids)
    assessment.record_observations(
        Observation(sid, on, rng.choice(STATUSES), confidence="high")
        for sid in structure_ids[:-1]
        for on in DATES
        if rng.random() < 0.5
    )
    book = StatusBook.load(assessment)
    _check(book, assessment.observations(), structure_ids)
    for _ in range(80):
        structure_id, on = rng.choice(structure_ids), rng.choice(DATES)
        if rng.random() < 0.6:
            assessment.record_observation(Observation(structure_id, on, rng.choice(STATUSES), confidence="low"))
        else:
            assessment.remove_observation(structure_id, on, "undone")
        book.reload(assessment, [structure_id])
    _check(book, assessment.observations(), structure_ids)
    assert StatusBook.load(assessment).status_map(DATES[-1]) == book.status_map(DATES[-1])


def test_ids_of_any_length_and_non_ascii_sort_as_python_strings():
    ids = ["B", "A-very-long-structure-identifier-2", "A-very-long-structure-identifier-10", "É-1", "A"]
    observations = [Observation(sid, "2020-01-08", "severe") for sid in ids]
    book = StatusBook(observations)
    assert book.ids == sorted(ids)
    assert book.status_map("2020-01-08") == dict.fromkeys(ids, "severe")
