"""The blind review's answers through both stores: recorded, replaced, undone and redone in the
``validations`` table, observations untouched; the samples an analyst picks from."""

from __future__ import annotations

import pytest

from sitewatch.core.annotation.undo import UndoStack
from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.validation_records import SampleRow
from sitewatch.core.errors import SiteWatchError
from sitewatch.core.validation.blind_review import BlindSample, sample_summaries
from sitewatch.tests.helpers.review_site import square

DAY = "2024-03-01"


@pytest.fixture(params=["geopackage", "postgis"])
def store(request):
    return request.getfixturevalue("assessment" if request.param == "geopackage" else "pg_assessment")


def _sample(store) -> BlindSample:
    store.add_features(
        "structures",
        [
            {"structure_id": f"S-{n}", "type": "warehouse", "geometry": square(500000 + 30 * n, 3000000)}
            for n in (1, 2, 3)
        ],
    )
    store.record_observations([Observation("S-1", DAY, "destroyed", analyst="ana")])
    store.save_validation_sample(
        [SampleRow("VS-1", sid, DAY, "destroyed", 3, position, 1) for position, sid in enumerate(["S-3", "S-1", "S-2"])]
    )
    return BlindSample(store, "VS-1")


def test_answers_are_recorded_replaced_undone_and_redone(store):
    sample = _sample(store)
    observations = store.observations()
    assert sample.ids == ["S-3", "S-1", "S-2"] and sample.progress_text() == "0 of 3 validated"
    stack = UndoStack()
    stack.push(sample.answer("S-1", "severe", "low", "val"))
    sample.reload()
    stack.push(sample.answer("S-1", "destroyed", "high", "val"))
    sample.reload()
    assert [(a.status, a.confidence) for a in store.validations("VS-1")] == [("destroyed", "high")]
    assert sample.answer_text("S-1", "val") == "validated Destroyed"
    assert sample.answer_text("S-1", "other") == "validated by another analyst"
    assert sample.answer_text("S-2", "val") == "to validate"
    assert sample.answer_text("S-9", "val") == "not in the sample"
    stack.undo()
    assert [(a.status, a.confidence) for a in store.validations("VS-1")] == [("severe", "low")]
    stack.undo()
    assert store.validations("VS-1") == []
    assert store.remove_validation("S-1", DAY, "VS-1") == 0
    stack.redo()
    sample.reload()
    assert sample.progress() == (1, 3)
    assert store.observations() == observations


def test_only_the_samples_structures_and_known_samples(store):
    sample = _sample(store)
    with pytest.raises(SiteWatchError, match="S-9 is not in the validation sample VS-1"):
        sample.answer("S-9", "intact", None, "val")
    with pytest.raises(SiteWatchError, match="'VS-2' is not in"):
        BlindSample(store, "VS-2")
    assert [s.label() for s in sample_summaries(store)] == ["VS-1 · 0 of 3 validated"]
