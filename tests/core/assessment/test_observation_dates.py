"""Observation dates: ISO dates only, stored as ISO text."""

from __future__ import annotations

import sqlite3

import pytest

from sitewatch.core.assessment.observations import Observation, check_date
from sitewatch.core.errors import SiteWatchError
from sitewatch.core.imagery.dates import check_acquired
from sitewatch.tests.helpers.damage_site import add_structures


@pytest.mark.parametrize("text", ["20200108", "2020-W02-3", "2020-008", "2020-1-8"])
def test_compact_and_week_dates_are_refused_and_nothing_is_written(assessment, text):
    with pytest.raises(SiteWatchError, match=f"'{text}' is not a date"):
        assessment.record_observation(Observation("S-1", text, "intact"))
    assert assessment.observations() == []
    rows = sqlite3.connect(assessment.path).execute("SELECT count(*) FROM observations").fetchone()[0]
    assert rows == 0
    with pytest.raises(SiteWatchError, match=f"acquisition date '{text}' is not a date"):
        check_acquired(text)


def test_a_valid_observation_is_stored_with_its_iso_date(assessment):
    assert check_date("2020-01-08") == "2020-01-08"
    add_structures(assessment, ["S-1"])
    assessment.record_observation(Observation("S-1", "2020-01-08", "intact"))
    stored = sqlite3.connect(assessment.path).execute("SELECT observed_on, typeof(observed_on) FROM observations")
    assert stored.fetchall() == [("2020-01-08", "text")]
