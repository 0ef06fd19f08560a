"""Imports into a PostGIS assessment: all in one transaction, replaced observations kept in the
history, a cancel or a clash leaving the database as it was."""

from __future__ import annotations

import pytest
from qgis.core import QgsGeometry

from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.records import AttributeUpdate, FeatureRecord
from sitewatch.core.assessment.store import WriteCancelled
from sitewatch.core.errors import SiteWatchError


def _square(i: int) -> QgsGeometry:
    x = 500000 + 20 * i
    return QgsGeometry.fromWkt(f"POLYGON(({x} 4000000,{x + 10} 4000000,{x + 10} 4000010,{x} 4000010,{x} 4000000))")


def _records(n: int) -> list[FeatureRecord]:
    return [
        FeatureRecord("structures", {"structure_id": f"S-{i:04d}", "type": "warehouse"}, _square(i))
        for i in range(1, n + 1)
    ]


def test_a_batch_is_written_whole_and_replaced_states_go_to_history(pg_assessment):
    records = _records(3)
    first = [Observation(r.feature_id, "2020-01-08", "intact") for r in records]
    assert pg_assessment.import_batch(records, first) == 0
    assert len(pg_assessment.observations()) == 3
    again = [Observation("S-0001", "2020-01-08", "destroyed")]
    assert pg_assessment.import_batch([], again) == 1
    assert [(o.structure_id, o.status) for o, _, reason in pg_assessment.history() if reason == "replaced"] == [
        ("S-0001", "intact")
    ]


def test_a_cancel_or_an_existing_id_writes_nothing(pg_assessment):
    pg_assessment.import_batch(_records(1))
    with pytest.raises(SiteWatchError, match="S-0001 already exists"):
        pg_assessment.import_batch(_records(2))
    with pytest.raises(WriteCancelled, match="nothing was written"):
        pg_assessment.import_batch([r for r in _records(3) if r.feature_id != "S-0001"], step=lambda _: False)
    assert [r.feature_id for r in _records(3) if pg_assessment.get_feature("structures", r.feature_id)] == ["S-0001"]


def test_updates_of_existing_structures_are_written_with_the_batch_or_not_at_all(pg_assessment):
    pg_assessment.import_batch(_records(2))
    merge = [AttributeUpdate("structures", "S-0001", {"type": "hangar", "name": "Hangar 3"})]
    with pytest.raises(SiteWatchError, match="S-0009 is not in 'structures'"):
        pg_assessment.import_batch(
            _records(3)[2:], updates=[*merge, AttributeUpdate("structures", "S-0009", {"type": "bunker"})]
        )
    assert pg_assessment.get_feature("structures", "S-0003") is None
    assert pg_assessment.get_feature("structures", "S-0001").attributes["type"] == "warehouse"
    pg_assessment.import_batch(_records(3)[2:], updates=merge)
    merged = pg_assessment.get_feature("structures", "S-0001").attributes
    assert (merged["type"], merged["name"]) == ("hangar", "Hangar 3")
    assert pg_assessment.get_feature("structures", "S-0003") is not None


def test_a_streamed_import_is_written_whole_with_its_updates_or_not_at_all(pg_assessment):
    pg_assessment.import_batch(_records(1))
    records = [r for r in _records(5) if r.feature_id != "S-0001"]
    merge = [AttributeUpdate("structures", "S-0001", {"type": "hangar"})]

    def cancelled_after_two_batches():
        yield records[:2]
        yield records[2:]
        raise WriteCancelled("Import cancelled; nothing was written.")

    with pytest.raises(WriteCancelled):
        pg_assessment.import_streamed(cancelled_after_two_batches(), lambda: merge)
    assert pg_assessment.get_feature("structures", "S-0002") is None
    assert pg_assessment.import_streamed(iter([records[:2], records[2:]]), lambda: merge) == 4
    assert [r.feature_id for r in _records(5) if pg_assessment.get_feature("structures", r.feature_id)] == [
        "S-0001",
        "S-0002",
        "S-0003",
        "S-0004",
        "S-0005",
    ]
    assert pg_assessment.get_feature("structures", "S-0001").attributes["type"] == "hangar"
