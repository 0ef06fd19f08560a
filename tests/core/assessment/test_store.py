"""The assessment GeoPackage: exact schema, status rule, history, areas and bad input."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from osgeo import ogr
from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsGeometry, QgsProject

from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.records import FeatureRecord
from sitewatch.core.assessment.status_at import status_at
from sitewatch.core.errors import NotAnAssessmentError, SiteWatchError
from sitewatch.core.measure import ellipsoidal_area
from sitewatch.tests.helpers.constants import UTM37N
from sitewatch.tests.helpers.contract import EXPECTED, read_schema
from sitewatch.tests.helpers.damage_site import add_structures

UNIQUE = {
    "imagery": "image_id",
    "compounds": "compound_id",
    "structures": "structure_id",
    "linear_features": "feature_id",
    "point_features": "feature_id",
}


def test_created_assessment_has_exactly_the_contract_schema(assessment):
    found = read_schema(assessment.path)
    for name, (geometry, fields) in EXPECTED.items():
        assert found[name][0] == geometry, name
        assert found[name][1] == fields, name
    assert found["structures"][2] == "32637"
    history_fields = [f for f, _ in found["observation_history"][1]]
    assert history_fields == [f for f, _ in EXPECTED["observations"][1]] + ["archived_at", "reason"]
    assert set(found) == set(EXPECTED) | {"observation_history", "layer_styles"}


def test_ids_are_unique_in_the_file(assessment):
    assessment.add_features(
        "structures", [{"structure_id": "S-0001", "type": "warehouse", "geometry": "POLYGON((0 0,1 0,1 1,0 1,0 0))"}]
    )
    for layer, field in UNIQUE.items():
        connection = sqlite3.connect(assessment.path)
        indexes = connection.execute(f"PRAGMA index_list('{layer}')").fetchall()
        unique_columns = [
            connection.execute(f"PRAGMA index_info('{ix[1]}')").fetchall()[0][2] for ix in indexes if ix[2] == 1
        ]
        connection.close()
        assert field in unique_columns, layer
    with pytest.raises(SiteWatchError):
        assessment.add_features(
            "structures",
            [{"structure_id": "S-0001", "type": "warehouse", "geometry": "POLYGON((5 5,6 5,6 6,5 6,5 5))"}],
        )


def test_status_is_carried_forward_from_the_latest_observation_on_or_before_the_date(assessment):
    add_structures(assessment, ["S-1", "S-2", "S-3"])
    assessment.record_observations(
        [
            Observation("S-1", "2019-09-01", "intact"),
            Observation("S-1", "2020-01-08", "destroyed"),
            Observation("S-2", "2020-01-08", "construction"),
            Observation("S-3", "2019-09-01", "absent"),
        ]
    )
    observations = assessment.observations()
    assert status_at(observations, "2019-08-31") == {}
    assert status_at(observations, "2019-09-01") == {"S-1": "intact", "S-3": "absent"}
    assert status_at(observations, "2019-12-31") == {"S-1": "intact", "S-3": "absent"}
    assert status_at(observations, "2020-01-08") == {"S-1": "destroyed", "S-2": "construction", "S-3": "absent"}
    assert status_at(observations, "2024-01-01")["S-1"] == "destroyed"


def test_recording_again_replaces_and_keeps_the_old_row_in_history(assessment):
    add_structures(assessment, ["S-1"])
    assessment.record_observation(Observation("S-1", "2020-01-08", "moderate", analyst="ana", confidence="low"))
    replaced = assessment.record_observation(Observation("S-1", "2020-01-08", "severe", analyst="ben"))
    assert replaced.status == "moderate"
    current = assessment.observations()
    assert [(o.status, o.analyst) for o in current] == [("severe", "ben")]
    history = assessment.history("S-1")
    assert [(o.status, o.analyst, o.confidence, reason) for o, _, reason in history] == [
        ("moderate", "ana", "low", "replaced")
    ]
    # The file itself holds one row per structure and date.
    count = sqlite3.connect(assessment.path).execute("SELECT count(*) FROM observations").fetchone()[0]
    assert count == 1


def test_deleting_a_structure_keeps_its_observations_in_history(assessment):
    add_structures(assessment, ["S-1"])
    assessment.record_observations(
        [Observation("S-1", "2019-09-01", "intact"), Observation("S-1", "2020-01-08", "destroyed")]
    )
    assert assessment.archive_observations_of(["S-1"], "structure deleted") == 2
    assert assessment.observations() == []
    assert {o.status for o, _, _ in assessment.history("S-1")} == {"intact", "destroyed"}


def test_bad_observation_values_are_refused_naming_the_value(assessment):
    with pytest.raises(SiteWatchError, match="'ruined'"):
        assessment.record_observation(Observation("S-1", "2020-01-08", "ruined"))
    with pytest.raises(SiteWatchError, match="2020-13-08"):
        assessment.record_observation(Observation("S-1", "2020-13-08", "intact"))
    assert assessment.observations() == []


def test_next_id_counts_up(assessment):
    assert assessment.next_id("structures") == "S-0001"
    assessment.add_features("structures", [{"structure_id": "S-0041", "geometry": "POLYGON((0 0,1 0,1 1,0 1,0 0))"}])
    assert assessment.next_id("structures") == "S-0042"
    assert assessment.next_id("compounds") == "C-0001"


def test_compound_ids_follow_the_largest_overlap(assessment):
    assessment.add_features(
        "compounds",
        [
            {"compound_id": "C-0002", "geometry": "POLYGON((0 0,100 0,100 100,0 100,0 0))"},
            {"compound_id": "C-0001", "geometry": "POLYGON((100 0,200 0,200 100,100 100,100 0))"},
        ],
    )
    assessment.add_features(
        "structures",
        [
            {"structure_id": "S-A", "geometry": "POLYGON((10 10,20 10,20 20,10 20,10 10))"},  # inside C-0002
            {"structure_id": "S-B", "geometry": "POLYGON((90 10,130 10,130 20,90 20,90 10))"},  # mostly C-0001
            {"structure_id": "S-C", "geometry": "POLYGON((90 40,110 40,110 50,90 50,90 40))"},  # tie: lowest id
            {"structure_id": "S-D", "geometry": "POLYGON((500 500,510 500,510 510,500 510,500 500))"},  # outside
        ],
    )
    assert assessment.refresh_compound_ids() == 3
    found = {f["structure_id"]: f["compound_id"] for f in assessment.layer("structures").getFeatures()}
    assert found["S-A"] == "C-0002"
    assert found["S-B"] == "C-0001"
    assert found["S-C"] == "C-0001"
    assert found["S-D"] in (None, "") or found["S-D"] != found["S-D"]
    assert assessment.refresh_compound_ids() == 0


def test_area_is_ellipsoidal_square_metres_in_any_crs():
    utm = QgsGeometry.fromWkt("POLYGON((380000 3813000,380100 3813000,380100 3813050,380000 3813050,380000 3813000))")
    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    in_degrees = QgsGeometry(utm)
    in_degrees.transform(QgsCoordinateTransform(UTM37N, wgs84, QgsProject.instance()))
    area_utm = ellipsoidal_area(utm, UTM37N)
    area_deg = ellipsoidal_area(in_degrees, wgs84)
    assert area_deg == pytest.approx(area_utm, rel=1e-3)
    # 5000 m² on the UTM grid; the ellipsoidal area differs by the scale factor near the zone edge.
    assert 4990 < area_utm < 5010


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_existing_file_without_overwrite_is_an_error_and_untouched(assessment):
    before = digest(assessment.path)
    with pytest.raises(SiteWatchError, match="already exists"):
        GeoPackageStore.create(assessment.path, UTM37N)
    assert digest(assessment.path) == before
    GeoPackageStore.create(assessment.path, UTM37N, overwrite=True)
    assert digest(assessment.path) != before


@pytest.mark.parametrize(
    "name, message",
    [
        ("missing_folder/site.gpkg", "does not exist"),
        ("site.shp", "must end in .gpkg"),
    ],
)
def test_bad_target_names_the_problem(tmp_path, name, message):
    with pytest.raises(SiteWatchError, match=message):
        GeoPackageStore.create(tmp_path / name, UTM37N)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_folder_names_the_file_and_leaves_nothing():
    # /proc refuses new files even for root, so this holds whoever runs the tests.
    with pytest.raises(SiteWatchError, match="Cannot write the assessment '/proc/site.gpkg'"):
        GeoPackageStore.create("/proc/site.gpkg", UTM37N)


def test_opening_a_file_that_is_not_an_assessment(tmp_path):
    text = tmp_path / "notes.gpkg"
    text.write_text("hello")
    with pytest.raises(NotAnAssessmentError, match="notes.gpkg' is not a GeoPackage"):
        GeoPackageStore.open(text)
    with pytest.raises(SiteWatchError, match="does not exist"):
        GeoPackageStore.open(tmp_path / "nowhere.gpkg")


def test_opening_a_geopackage_lacking_a_layer_or_field_names_them_and_changes_nothing(assessment, tmp_path):
    dataset = ogr.Open(str(assessment.path), 1)
    dataset.DeleteLayer("point_features")
    dataset.ExecuteSQL('ALTER TABLE structures DROP COLUMN "notes"')
    dataset = None
    before = digest(assessment.path)
    with pytest.raises(NotAnAssessmentError) as error:
        GeoPackageStore.open(assessment.path)
    assert "layer 'point_features' is missing" in str(error.value)
    assert "layer 'structures' lacks field(s) notes" in str(error.value)
    assert digest(assessment.path) == before


def test_locked_file_gives_a_clear_message_and_writes_nothing(assessment):
    blocker = sqlite3.connect(assessment.path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(SiteWatchError, match="locked by another program"):
            assessment.record_observation(Observation("S-1", "2020-01-08", "intact"))
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert assessment.observations() == []


def test_plain_qgis_gets_dropdowns_and_structures_by_type(assessment):
    from qgis.core import QgsVectorLayer

    structures = QgsVectorLayer(f"{assessment.path}|layername=structures", "structures", "ogr")
    observations = QgsVectorLayer(f"{assessment.path}|layername=observations", "observations", "ogr")
    type_setup = structures.editorWidgetSetup(structures.fields().indexOf("type"))
    assert type_setup.type() == "ValueMap"
    assert {"Warehouse": "warehouse"} in type_setup.config()["map"]
    for field, entry in (("status", {"Destroyed": "destroyed"}), ("confidence", {"High": "high"})):
        setup = observations.editorWidgetSetup(observations.fields().indexOf(field))
        assert setup.type() == "ValueMap" and entry in setup.config()["map"], field
    renderer = structures.renderer()
    assert renderer.type() == "categorizedSymbol" and renderer.classAttribute() == "type"
    assert {c.value() for c in renderer.categories()} >= {"warehouse", "tunnel_entrance", "revetment"}


def test_structure_type_colours_are_the_ones_defined(assessment):
    from sitewatch.core.assessment.styles import TYPE_COLOURS

    layer = assessment.layer("structures")  # keep it alive: the renderer belongs to it
    renderer = layer.renderer()
    for category in renderer.categories():
        colour = category.symbol().color()
        assert colour.name() == TYPE_COLOURS[category.value()], category.value()
        assert 0 < colour.alpha() < 255


def test_feature_round_trip_keeps_every_attribute(assessment):
    record = FeatureRecord(
        "structures",
        {
            "structure_id": "S-0001",
            "type": "bunker",
            "compound_id": None,
            "name": "North bunker",
            "notes": None,
            "created_by": "ana",
            "created_at": "2020-01-08T10:11:12.000Z",
        },
        QgsGeometry.fromWkt("POLYGON((0 0,10 0,10 10,0 10,0 0))"),
    )
    assessment.add_feature(record)
    stored = assessment.get_feature("structures", "S-0001")
    assert stored == record
    with pytest.raises(SiteWatchError, match="already exists"):
        assessment.add_feature(record)
