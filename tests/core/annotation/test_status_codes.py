"""The status codes the map draws from (one character per feature id) say exactly what the
status book says, after reloads, for features whose structure has no state, and for ids drawn
after the string was built; ids too large for a string are refused (the style falls back)."""

from __future__ import annotations

import random

from sitewatch.core import values
from sitewatch.core.annotation.review import StatusBook
from sitewatch.core.annotation.status_codes import (
    FID_OFFSET,
    MAX_FID,
    NOT_OBSERVED,
    feature_codes,
    status_of_letter,
    with_status,
)
from sitewatch.core.assessment.observations import Observation
from sitewatch.tests.helpers.damage_site import add_structures

DATES = ("2019-01-01", "2019-06-01", "2020-01-08")
ASKED = ("2018-12-31", *DATES, "2030-01-01")
STATUSES = values.codes(values.STATUSES)


def drawn(codes: str, fid: int) -> str | None:
    position = fid + FID_OFFSET
    return status_of_letter(codes[position]) if position < len(codes) else None


def test_codes_follow_the_book_after_reloads(assessment):
    rng = random.Random(16)
    structure_ids = [f"S-{n:04d}" for n in range(1, 121)]
    fids = {sid: 3 * number + 1 for number, sid in enumerate(structure_ids)}  # sparse, as after deletions
    add_structures(assessment, structure_ids)
    assessment.record_observations(
        Observation(sid, on, rng.choice(STATUSES), confidence="high")
        for sid in structure_ids[:-10]  # the last ten are never observed
        for on in DATES
        if rng.random() < 0.6
    )
    book = StatusBook.load(assessment)
    for _ in range(60):
        structure_id, on = rng.choice(structure_ids), rng.choice(DATES)
        if rng.random() < 0.6:
            assessment.record_observation(Observation(structure_id, on, rng.choice(STATUSES), confidence="low"))
        else:
            assessment.remove_observation(structure_id, on, "undone")
        book.reload(assessment, [structure_id])
    for on in ASKED:
        codes = feature_codes(book, on, fids)
        assert codes is not None
        assert {sid: drawn(codes, fid) for sid, fid in fids.items()} == {
            sid: book.status_at(sid, on) for sid in structure_ids
        }
        assert set(codes[: FID_OFFSET + 1]) == {NOT_OBSERVED}  # no feature id 0 or below
    assert feature_codes(book, None, fids) == NOT_OBSERVED * (max(fids.values()) + FID_OFFSET + 1)


def test_one_state_replaces_one_character_and_new_ids_lengthen_the_codes():
    book = StatusBook([Observation("S-1", "2020-01-08", "severe")])
    codes = feature_codes(book, "2020-01-08", {"S-1": 1, "S-2": 2})
    assert codes is not None and drawn(codes, 1) == "severe" and drawn(codes, 2) is None
    changed = with_status(codes, 2, "destroyed")
    assert (drawn(changed, 1), drawn(changed, 2), len(changed)) == ("severe", "destroyed", len(codes))
    assert drawn(with_status(changed, 1, None), 1) is None
    longer = with_status(codes, 40, "intact")  # a structure drawn since the codes were built
    assert drawn(longer, 40) == "intact" and drawn(longer, 39) is None and drawn(longer, 1) == "severe"
    assert drawn(with_status(codes, 1, "a status outside the value list"), 1) is None


def test_feature_ids_too_large_for_a_string_are_refused():
    book = StatusBook([Observation("S-1", "2020-01-08", "severe")])
    assert feature_codes(book, "2020-01-08", {"S-1": MAX_FID + 1}) is None
    assert feature_codes(book, "2020-01-08", {"S-1": MAX_FID}) is not None
