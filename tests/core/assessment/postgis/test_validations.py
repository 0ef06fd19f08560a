"""Validation samples and blind answers live in their own tables of a PostGIS assessment, as in
a GeoPackage: the database checks their values, answers never become observations."""

from __future__ import annotations

import pytest

from sitewatch.core.assessment.postgis import PostgisStore
from sitewatch.core.assessment.validation_records import SampleRow, ValidationAnswer
from sitewatch.core.errors import SiteWatchError


def test_samples_and_answers_round_trip_and_never_touch_observations(pg_assessment):
    assert pg_assessment.validations() == [] and pg_assessment.validation_sample() == []
    rows = [SampleRow("V-1", f"S-000{i}", "2020-01-08", "destroyed", 13, i, 7) for i in (1, 2)]
    assert pg_assessment.save_validation_sample(rows) == 2
    assert pg_assessment.validation_sample("V-1") == rows
    with pytest.raises(SiteWatchError, match="'V-1' already exists"):
        pg_assessment.save_validation_sample(rows)
    first = ValidationAnswer("S-0001", "2020-01-08", "severe", "V-1", analyst="val", recorded_at="2020-02-01T10:00:00Z")
    pg_assessment.record_validations([first])
    again = ValidationAnswer(
        "S-0001", "2020-01-08", "destroyed", "V-1", analyst="val", recorded_at="2020-02-02T10:00:00Z"
    )
    pg_assessment.record_validations([again])
    assert pg_assessment.validations("V-1") == [again]
    assert pg_assessment.validations("V-2") == []
    assert pg_assessment.observations() == []


def test_a_bad_answer_writes_nothing(pg_assessment):
    good = ValidationAnswer("S-0001", "2020-01-08", "intact", "V-1")
    bad = ValidationAnswer("S-0002", "2020-01-08", "flattened", "V-1")
    with pytest.raises(SiteWatchError, match="Unknown status 'flattened'"):
        pg_assessment.record_validations([good, bad])
    assert pg_assessment.validations() == []


def test_other_validators_answers_are_notified(pg_assessment):
    other = PostgisStore.open(pg_assessment.location)
    listener = pg_assessment.listen()
    try:
        mine = ValidationAnswer("S-0001", "2020-01-08", "intact", "V-1", analyst="ann")
        pg_assessment.record_validations([mine])  # creates the table and its trigger
        assert listener.wait(0.3) == [], "one's own answers are not remote changes"
        other.record_validations([ValidationAnswer("S-0002", "2020-01-08", "destroyed", "V-1", analyst="val")])
        changes = listener.wait(2.0)
        other.remove_validation("S-0002", "2020-01-08", "V-1")
        removed = listener.wait(2.0)
    finally:
        listener.close()
        other.close()
    assert [(c.table, c.operation, c.key) for c in changes] == [("validations", "INSERT", "S-0002")]
    assert [(c.table, c.operation, c.key) for c in removed] == [("validations", "DELETE", "S-0002")]
    assert pg_assessment.observations() == []
