"""An observation of a structure that is not in the assessment is refused with a message naming
the id, and nothing is written (one observation, a batch, an import); the PostGIS store
refuses the same by trigger."""

from __future__ import annotations

import pytest
from qgis.core import QgsGeometry

from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.records import FeatureRecord
from sitewatch.core.assessment.store import missing_structure_message
from sitewatch.core.errors import SiteWatchError
from sitewatch.tests.helpers.damage_site import box, build
from sitewatch.tests.helpers.faults import checksums


@pytest.fixture
def site(assessment):
    return build(assessment, (), [("S-1", "building", box(0, 0, 10))], [("S-1", "2020-01-08", "intact")])


def test_one_observation_of_a_missing_structure_is_refused(site, tmp_path):
    before = checksums(tmp_path)
    with pytest.raises(SiteWatchError, match=r"Structure S-404 does not exist in .*site\.gpkg.*nothing was recorded"):
        site.record_observation(Observation("S-404", "2020-01-08", "destroyed"))
    assert checksums(tmp_path) == before
    assert [(o.structure_id, o.status) for o in site.observations()] == [("S-1", "intact")]


def test_a_batch_with_one_missing_structure_records_nothing(site, tmp_path):
    before = checksums(tmp_path)
    batch = [Observation("S-1", "2020-02-01", "severe"), Observation("S-9", "2020-02-01", "destroyed")]
    with pytest.raises(SiteWatchError, match="Structure S-9 does not exist"):
        site.record_observations(batch)
    assert checksums(tmp_path) == before
    assert len(site.observations()) == 1


def test_an_import_names_its_missing_structures_and_keeps_those_it_brings(site, tmp_path):
    before = checksums(tmp_path)
    missing = [Observation(f"S-{n}", "2020-02-01", "destroyed") for n in range(100, 107)]
    with pytest.raises(SiteWatchError, match=r"7 structures do not exist in .*: S-100, S-101.* and 2 more"):
        site.import_batch([], missing)
    assert checksums(tmp_path) == before
    record = FeatureRecord(
        "structures", {"structure_id": "S-2", "type": "building"}, QgsGeometry.fromWkt(box(20, 0, 10))
    )
    site.import_batch([record], [Observation("S-2", "2020-02-01", "destroyed")])
    assert {o.structure_id for o in site.observations()} == {"S-1", "S-2"}


@pytest.fixture(params=["geopackage", "postgis"])
def either_store(request):
    """The same one-structure site in a GeoPackage and in PostGIS."""
    store = request.getfixturevalue("assessment" if request.param == "geopackage" else "pg_assessment")
    return build(store, (), [("S-1", "building", box(0, 0, 10))], [("S-1", "2020-01-08", "intact")])


WRITES = {
    "one": lambda store, o: store.record_observation(o),
    "batch": lambda store, o: store.record_observations([Observation("S-1", o.observed_on, "severe"), o]),
    "import": lambda store, o: store.import_batch([], [o]),
    "if-unchanged": lambda store, o: store.record_observation_if_unchanged(o, None),
    "with-a-feature": lambda store, o: store.add_feature(
        FeatureRecord("compounds", {"compound_id": "C-9"}, QgsGeometry.fromWkt(box(0, 0, 50))), [o]
    ),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_store_refuses_every_observation_write_of_a_missing_structure_alike(either_store, write):
    with pytest.raises(SiteWatchError) as refused:
        WRITES[write](either_store, Observation("S-77", "2020-02-01", "destroyed"))
    assert str(refused.value) == missing_structure_message("S-77", either_store.location)
    assert [(o.structure_id, o.status) for o in either_store.observations()] == [("S-1", "intact")]
    assert either_store.get_feature("compounds", "C-9") is None
