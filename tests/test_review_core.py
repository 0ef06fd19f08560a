"""The core of annotation without any widget: status book, queue, geometry checks, undo stack."""

from __future__ import annotations

import random

import pytest
from qgis.core import QgsGeometry, QgsPointXY

from sitewatch.core import values
from sitewatch.core.annotation.features import checked_polygon, rotated_rectangle
from sitewatch.core.annotation.review import QueueFilter, ReviewQueue, StatusBook, StructureInfo
from sitewatch.core.annotation.undo import AddFeature, Group, RecordObservation, UndoStack
from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.records import FeatureRecord
from sitewatch.core.assessment.status_at import status_at
from sitewatch.core.errors import SiteWatchError

DATES = ("2019-01-01", "2019-06-01", "2020-01-08", "2020-07-01")


def random_observations(seed: int = 7) -> list[Observation]:
    rng = random.Random(seed)
    return [
        Observation(f"S-{n:04d}", on, rng.choice(values.codes(values.STATUSES)))
        for n in range(60) for on in DATES if rng.random() < 0.5
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


def test_rotated_rectangle_on_either_side_of_the_wall():
    left = rotated_rectangle(QgsPointXY(0, 0), QgsPointXY(10, 0), QgsPointXY(5, 4))
    right = rotated_rectangle(QgsPointXY(0, 0), QgsPointXY(10, 0), QgsPointXY(5, -4))
    assert left.area() == right.area() == pytest.approx(40)
    assert left.boundingBox().yMaximum() == 4 and right.boundingBox().yMinimum() == -4
    with pytest.raises(SiteWatchError, match="same place"):
        rotated_rectangle(QgsPointXY(1, 1), QgsPointXY(1, 1), QgsPointXY(5, 4))
    with pytest.raises(SiteWatchError, match="on the wall"):
        rotated_rectangle(QgsPointXY(0, 0), QgsPointXY(10, 0), QgsPointXY(20, 0))


def test_polygon_checks_name_the_problem():
    with pytest.raises(SiteWatchError, match="cross itself"):
        checked_polygon(QgsGeometry.fromWkt("POLYGON((0 0,10 10,10 0,0 10,0 0))"), "structure outline")
    with pytest.raises(SiteWatchError, match="no area"):
        checked_polygon(QgsGeometry.fromWkt("POLYGON((0 0,0.05 0,0.05 0.05,0 0.05,0 0))"), "structure outline")
    with pytest.raises(SiteWatchError, match="Nothing was saved"):
        checked_polygon(QgsGeometry.fromWkt("POLYGON((0 0,10 0,20 0,0 0))"), "structure outline")


def test_a_failing_group_undoes_what_it_already_wrote(assessment):
    record = FeatureRecord("structures", {"structure_id": "S-0001", "type": "bunker"},
                           QgsGeometry.fromWkt("POLYGON((0 0,10 0,10 10,0 10,0 0))"))
    bad_state = Observation("S-0001", "2020-13-45", "intact")
    stack = UndoStack()
    with pytest.raises(SiteWatchError, match="not a date"):
        stack.push(
            Group("draw", [AddFeature(assessment, record, lambda: None), RecordObservation(assessment, bad_state)])
        )
    assert assessment.get_feature("structures", "S-0001") is None
    assert not stack.can_undo()


def test_feature_round_trip_keeps_every_attribute(assessment):
    record = FeatureRecord("structures", {"structure_id": "S-0001", "type": "bunker", "compound_id": None,
                                          "name": "North bunker", "notes": None, "created_by": "ana",
                                          "created_at": "2020-01-08T10:11:12.000Z"},
                           QgsGeometry.fromWkt("POLYGON((0 0,10 0,10 10,0 10,0 0))"))
    assessment.add_feature(record)
    stored = assessment.get_feature("structures", "S-0001")
    assert stored == record
    with pytest.raises(SiteWatchError, match="already exists"):
        assessment.add_feature(record)
