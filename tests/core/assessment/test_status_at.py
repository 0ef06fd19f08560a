"""The status-at-date rule has one definition and three forms (a dict over observations, the
review's StatusBook, the damage table's numpy arrays): they must agree on every case."""

from __future__ import annotations

import numpy as np
import pytest

from sitewatch.core import values
from sitewatch.core.annotation.review import StatusBook
from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.status_at import status_at, status_codes_at

UNOBSERVED = -1
CODES = values.codes(values.STATUSES)

# (observations as (structure, date, status), date asked, expected {structure: status})
CASES = [
    ([], "2020-01-01", {}),
    ([("S-1", "2020-01-05", "intact")], "2020-01-04", {}),  # only later: unobserved
    ([("S-1", "2020-01-05", "intact")], "2020-01-05", {"S-1": "intact"}),  # on the day itself
    ([("S-1", "2020-01-05", "intact")], "2021-06-30", {"S-1": "intact"}),  # carried forward
    ([("S-1", "2020-01-05", "intact"), ("S-1", "2020-03-01", "destroyed")], "2020-02-01", {"S-1": "intact"}),
    ([("S-1", "2020-01-05", "intact"), ("S-1", "2020-03-01", "destroyed")], "2020-03-01", {"S-1": "destroyed"}),
    # recorded out of order: the date decides, not the order
    ([("S-1", "2020-03-01", "destroyed"), ("S-1", "2020-01-05", "intact")], "2020-02-01", {"S-1": "intact"}),
    # a tie at one date: the later one in the given order wins
    ([("S-1", "2020-01-05", "intact"), ("S-1", "2020-01-05", "severe")], "2020-01-05", {"S-1": "severe"}),
    ([("S-1", "2020-01-05", "severe"), ("S-1", "2020-01-05", "intact")], "2020-02-01", {"S-1": "intact"}),
    # several structures, one unobserved at the date
    (
        [("S-1", "2020-01-05", "moderate"), ("S-2", "2020-02-01", "possible"), ("S-3", "2019-12-31", "unknown")],
        "2020-01-31",
        {"S-1": "moderate", "S-3": "unknown"},
    ),
]


def _numpy_form(observations: list[Observation], on: str, structures: list[str]) -> dict[str, str]:
    ordered = sorted(observations, key=lambda o: (structures.index(o.structure_id), o.observed_on))  # stable
    owner = np.array([structures.index(o.structure_id) for o in ordered], dtype=np.int64)
    day = np.array([np.datetime64(o.observed_on, "D").astype(np.int64) for o in ordered], dtype=np.int64)
    status = np.array([CODES.index(o.status) for o in ordered], dtype=np.int64)
    codes = status_codes_at(
        owner, day, status, len(structures), int(np.datetime64(on, "D").astype(np.int64)), UNOBSERVED
    )
    return {sid: CODES[code] for sid, code in zip(structures, codes) if code != UNOBSERVED}


@pytest.mark.parametrize(("rows", "on", "expected"), CASES)
def test_every_form_of_status_at_date_gives_the_same_answer(rows, on, expected):
    observations = [Observation(sid, day, status) for sid, day, status in rows]
    structures = sorted({sid for sid, _, _ in rows} | {"S-9"})  # S-9 never observed
    assert status_at(observations, on) == expected
    assert StatusBook(observations).status_map(on) == expected
    assert _numpy_form(observations, on, structures) == expected
    book = StatusBook(observations)
    assert {sid: book.status_at(sid, on) for sid in structures if book.status_at(sid, on)} == expected
