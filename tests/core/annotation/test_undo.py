"""The undo stack on an assessment: groups, failed commands and deletes undo whole or not at all."""

from __future__ import annotations

import pytest
from osgeo import ogr
from qgis.core import QgsGeometry

from sitewatch.core.annotation.undo import (
    AddFeature,
    ChangeGeometry,
    DeleteFeature,
    Group,
    RecordObservation,
    UndoStack,
)
from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.records import FeatureRecord
from sitewatch.core.errors import SiteWatchError


def test_a_failing_group_undoes_what_it_already_wrote(assessment):
    record = FeatureRecord(
        "structures",
        {"structure_id": "S-0001", "type": "bunker"},
        QgsGeometry.fromWkt("POLYGON((0 0,10 0,10 10,0 10,0 0))"),
    )
    bad_state = Observation("S-0001", "2020-13-45", "intact")
    stack = UndoStack()
    with pytest.raises(SiteWatchError, match="not a date"):
        stack.push(
            Group("draw", [AddFeature(assessment, record, lambda: None), RecordObservation(assessment, bad_state)])
        )
    assert assessment.get_feature("structures", "S-0001") is None
    assert not stack.can_undo()


def _fail_to_refresh() -> None:
    raise SiteWatchError("Could not refresh compound ids: disk full.")


SQUARE = QgsGeometry.fromWkt("MULTIPOLYGON(((0 0,100 0,100 100,0 100,0 0)))")


def test_a_failed_compound_refresh_leaves_no_half_applied_command(assessment):
    stack = UndoStack()
    compound = FeatureRecord("compounds", {"compound_id": "C-0001", "name": "Depot", "notes": None}, SQUARE)
    with pytest.raises(SiteWatchError, match="disk full"):
        stack.push(AddFeature(assessment, compound, _fail_to_refresh))
    assert assessment.get_feature("compounds", "C-0001") is None and not stack.can_undo()

    stack.push(AddFeature(assessment, compound, assessment.refresh_compound_ids))
    moved = QgsGeometry.fromWkt("MULTIPOLYGON(((500 500,600 500,600 600,500 600,500 500)))")
    with pytest.raises(SiteWatchError, match="disk full"):
        stack.push(
            ChangeGeometry(assessment, "compounds", "C-0001", moved, assessment.compound_index, _fail_to_refresh)
        )
    assert assessment.get_feature("compounds", "C-0001").geometry.equals(SQUARE)
    assert stack.undo_text() == "draw C-0001"

    with pytest.raises(SiteWatchError, match="disk full"):
        stack.push(DeleteFeature(assessment, "compounds", "C-0001", _fail_to_refresh))
    assert assessment.get_feature("compounds", "C-0001") is not None
    assert stack.undo_text() == "draw C-0001"

    stack.undo()
    assert assessment.get_feature("compounds", "C-0001") is None


def test_undoing_a_delete_whose_states_cannot_be_restored_leaves_the_structure_deleted(assessment):
    stack = UndoStack()
    structure = FeatureRecord("structures", {"structure_id": "S-0001", "type": "bunker"}, SQUARE)
    stack.push(AddFeature(assessment, structure, assessment.refresh_compound_ids))
    assessment.record_observation(Observation("S-0001", "2020-01-08", "destroyed"))
    delete = stack.push(DeleteFeature(assessment, "structures", "S-0001", assessment.refresh_compound_ids))
    delete.observations.append(Observation("S-0001", "2020-13-45", "intact"))  # cannot be written
    with pytest.raises(SiteWatchError, match="not a date"):
        stack.undo()
    assert assessment.get_feature("structures", "S-0001") is None
    assert assessment.observations() == []
    assert stack.undo_text() == "delete S-0001"


def test_undoing_a_drawing_that_cannot_be_deleted_keeps_its_states(assessment):
    stack = UndoStack()
    structure = FeatureRecord("structures", {"structure_id": "S-0001", "type": "bunker"}, SQUARE)
    stack.push(AddFeature(assessment, structure, assessment.refresh_compound_ids))
    assessment.record_observation(Observation("S-0001", "2020-01-08", "destroyed"))
    _delete_with_another_program(assessment.location, "S-0001")  # behind the stack's back
    with pytest.raises(SiteWatchError, match="already deleted"):
        stack.undo()
    assert [(o.structure_id, o.status) for o in assessment.observations()] == [("S-0001", "destroyed")]


def test_deleting_a_structure_archives_its_states_in_the_same_transaction(assessment):
    stack = UndoStack()
    assessment.add_feature(FeatureRecord("structures", {"structure_id": "S-0001", "type": "bunker"}, SQUARE))
    assessment.record_observation(Observation("S-0001", "2020-01-08", "destroyed", notes="it's gone"))
    _delete_with_another_program(assessment.location, "S-0001")
    # the structure is already gone (another program deleted it): the delete fails as a whole
    with pytest.raises(SiteWatchError, match="already deleted"):
        stack.push(DeleteFeature(assessment, "structures", "S-0001", assessment.refresh_compound_ids))
    assert [o.status for o in assessment.observations()] == ["destroyed"]
    assert assessment.history() == []

    assessment.add_feature(FeatureRecord("structures", {"structure_id": "S-0001", "type": "bunker"}, SQUARE))
    stack.push(DeleteFeature(assessment, "structures", "S-0001", assessment.refresh_compound_ids))
    assert assessment.get_feature("structures", "S-0001") is None and assessment.observations() == []
    assert [(o.notes, reason) for o, _, reason in assessment.history()] == [("it's gone", "structure deleted")]
    stack.undo()
    assert assessment.get_feature("structures", "S-0001") is not None
    assert [(o.status, o.notes) for o in assessment.observations()] == [("destroyed", "it's gone")]


def _delete_with_another_program(path: str, structure_id: str) -> None:
    """Delete a structure's feature only (its observations stay), as a plain OGR script would."""

    dataset = ogr.Open(path, 1)
    layer = dataset.GetLayerByName("structures")
    layer.SetAttributeFilter(f"structure_id = '{structure_id}'")
    layer.DeleteFeature(layer.GetNextFeature().GetFID())
    dataset = None
