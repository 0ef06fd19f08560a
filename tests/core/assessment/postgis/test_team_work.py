"""Several analysts on one PostGIS assessment: the optimistic check, remote changes seen
through LISTEN/NOTIFY, deleting and recording at once, and a server that stops mid-session."""

from __future__ import annotations

import time

import pytest
from qgis.core import QgsGeometry

from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.postgis import PostgisStore
from sitewatch.core.assessment.records import FeatureRecord
from sitewatch.core.assessment.store import ObservationConflict
from sitewatch.core.errors import SiteWatchError

SQUARE = "POLYGON((500000 4000000,500010 4000000,500010 4000010,500000 4000010,500000 4000000))"


@pytest.fixture
def two_analysts(pg_assessment):
    pg_assessment.add_feature(
        FeatureRecord("structures", {"structure_id": "S-0001", "type": "bunker"}, QgsGeometry.fromWkt(SQUARE))
    )
    other = PostgisStore.open(pg_assessment.location)
    yield pg_assessment, other
    other.close()


def test_the_second_writer_sees_the_change_and_nothing_is_overwritten(two_analysts):
    ann, bob = two_analysts
    shown = None  # both were shown S-0001 unobserved on that date
    ann.record_observation_if_unchanged(Observation("S-0001", "2024-05-01", "severe", analyst="ann"), shown)
    with pytest.raises(ObservationConflict, match="S-0001 on 2024-05-01 changed since it was shown: ann recorded"):
        bob.record_observation_if_unchanged(Observation("S-0001", "2024-05-01", "intact", analyst="bob"), shown)
    current = bob.observations(["S-0001"])
    assert [(o.status, o.analyst) for o in current] == [("severe", "ann")]
    # Bob chooses "keep mine": he records again against what he now sees; Ann's version stays in history.
    bob.record_observation_if_unchanged(Observation("S-0001", "2024-05-01", "intact", analyst="bob"), current[0])
    assert [(o.status, o.analyst) for o in ann.observations()] == [("intact", "bob")]
    assert [(o.status, o.analyst, r) for o, _, r in ann.history()] == [("severe", "ann", "replaced")]


def test_a_conflict_on_a_removed_observation_is_reported(two_analysts):
    ann, bob = two_analysts
    seen = ann.record_observation(Observation("S-0001", "2024-05-01", "severe", analyst="ann")) or ann.observations()[0]
    ann.remove_observation("S-0001", "2024-05-01", "undo")
    with pytest.raises(ObservationConflict, match="removed") as caught:
        bob.record_observation_if_unchanged(Observation("S-0001", "2024-05-01", "intact", analyst="bob"), seen)
    assert caught.value.current is None
    assert bob.observations() == []


def test_remote_observations_are_notified_within_two_seconds(two_analysts):
    ann, bob = two_analysts
    listener = ann.listen()
    try:
        ann.record_observation(Observation("S-0001", "2024-05-01", "intact", analyst="ann"))
        assert listener.wait(0.3) == [], "one's own changes are not remote changes"
        started = time.perf_counter()
        bob.record_observation(Observation("S-0001", "2024-05-02", "destroyed", analyst="bob"))
        changes = listener.wait(2.0)
        elapsed = time.perf_counter() - started
    finally:
        listener.close()
    assert [(c.table, c.operation, c.key, c.analyst) for c in changes] == [
        ("observations", "INSERT", "S-0001 2024-05-02", "bob")
    ]
    assert elapsed < 2.0


def test_deleting_and_recording_the_same_structure_at_once(two_analysts):
    ann, bob = two_analysts
    ann.record_observation(Observation("S-0001", "2024-05-01", "intact", analyst="ann"))
    ann.delete_feature("structures", "S-0001", "structure deleted")
    with pytest.raises(
        SiteWatchError, match="S-0001 does not exist .*deleted by another analyst.*nothing was recorded"
    ):
        bob.record_observation(Observation("S-0001", "2024-05-02", "severe", analyst="bob"))
    assert bob.observations() == []
    assert [(o.status, r) for o, _, r in bob.history()] == [("intact", "structure deleted")]


def test_a_server_stopped_mid_session_refuses_clearly_and_records_once_when_back(postgres_cluster, two_analysts):
    ann, _ = two_analysts
    ann.record_observation(Observation("S-0001", "2024-05-01", "intact", analyst="ann"))
    postgres_cluster.pg_ctl("stop")
    try:
        with pytest.raises(SiteWatchError, match="cannot be reached .*nothing was written"):
            ann.record_observation(Observation("S-0001", "2024-05-02", "severe", analyst="ann"))
    finally:
        postgres_cluster.pg_ctl("start")
    ann.record_observation(Observation("S-0001", "2024-05-02", "severe", analyst="ann"))
    assert [(o.observed_on, o.status) for o in ann.observations()] == [
        ("2024-05-01", "intact"),
        ("2024-05-02", "severe"),
    ]
    assert ann.history() == []


def test_a_read_after_the_server_restarted_opens_a_new_connection(postgres_cluster, two_analysts):
    ann, bob = two_analysts
    ann.record_observation(Observation("S-0001", "2024-05-01", "intact", analyst="ann"))
    assert [o.analyst for o in bob.observations()] == ["ann"]  # bob's connection is open
    postgres_cluster.pg_ctl("stop")
    postgres_cluster.pg_ctl("start")
    assert [o.analyst for o in bob.observations()] == ["ann"]  # no "connection already closed"
