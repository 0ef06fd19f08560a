"""Importing earlier damage assessments, from fixtures built from the published formats:
UNOSAT wide tables, Copernicus EMS gradings, xBD label JSON."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from sitewatch.core.errors import SiteWatchError
from sitewatch.core.importing.damage import DamageOptions, import_damage
from sitewatch.core.importing.dates import parse_date
from sitewatch.core.importing.sources import open_source
from sitewatch.core.importing.structures import StructureOptions, import_structures
from sitewatch.tests.helpers.import_sources import LAT0, LON0, STEP, grid_wkts, write_vector

OPTIONS = DamageOptions(analyst="B")


@pytest.fixture
def with_structures(assessment, tmp_path):
    """The assessment with four footprints S-0001…S-0004 (the first four grid squares)."""
    source = write_vector(tmp_path / "footprints.geojson", "GeoJSON", [{"wkt": w} for w in grid_wkts(4)])
    import_structures(assessment, open_source(str(source)), StructureOptions("A"))
    return assessment


def inside(n: int) -> str:
    """A point inside grid square ``n`` (WGS84 WKT)."""
    return f"POINT({LON0 + n * STEP + 0.0001} {LAT0 + 0.0001})"


def unosat(tmp_path: Path, rows: list[dict[str, object]]) -> Path:
    return write_vector(tmp_path / "unosat.geojson", "GeoJSON", rows)


def history(store) -> list[tuple[str, str, str, str | None]]:
    return [(o.structure_id, o.observed_on, o.status, o.notes) for o in store.observations()]


def test_dates_in_the_forms_assessments_use():
    assert parse_date("2020-03-12") == "2020-03-12"
    assert parse_date("2020-03-12T10:20:00Z") == "2020-03-12"
    assert parse_date("12/03/2020") == "2020-03-12"
    assert parse_date("03/25/2020") == "2020-03-25"
    assert parse_date("2020/03/12") == "2020-03-12"
    assert parse_date(None) is None
    with pytest.raises(ValueError):
        parse_date("March 2020")


def test_unosat_wide_rows_become_dated_observations(with_structures, tmp_path):
    rows = [
        {
            "SiteID": 1,
            "SensorDate": "2020-01-08",
            "Main_Damage_Site_Class": 6,
            "SensorDate_2": "12/03/2020",
            "Main_Damage_Site_Class_2": 1,
            "Damage_Status_2": "New Damage",
            "wkt": inside(0),
        },
        {"SiteID": 2, "SensorDate": "2020-01-08", "Main_Damage_Site_Class": "Severe Damage", "wkt": inside(1)},
        {"SiteID": 3, "SensorDate": "2020-01-08", "Main_Damage_Site_Class": 11, "wkt": inside(2)},
    ]
    result = import_damage(with_structures, str(unosat(tmp_path, rows)), OPTIONS)
    assert (result.format, result.recorded, result.unmatched, result.created) == ("unosat", 4, 0, 0)
    assert history(with_structures) == [
        ("S-0001", "2020-01-08", "intact", None),
        ("S-0001", "2020-03-12", "destroyed", "UNOSAT damage status: New Damage"),
        ("S-0002", "2020-01-08", "severe", None),
        ("S-0003", "2020-01-08", "possible", "UNOSAT class 11: possible damage from adjacent impact/debris"),
    ]


def test_bad_codes_dates_and_duplicate_site_ids_refuse_everything(with_structures, tmp_path):
    rows = [
        {"SiteID": 1, "SensorDate": "2020-01-08", "Main_Damage_Site_Class": 7, "wkt": inside(0)},
        {"SiteID": 1, "SensorDate": "someday", "Main_Damage_Site_Class": 1, "wkt": inside(1)},
        {"SiteID": 2, "SensorDate": "2020-01-08", "Main_Damage_Site_Class": 7, "wkt": inside(2)},
    ]
    before = hashlib.sha256(Path(with_structures.location).read_bytes()).hexdigest()
    with pytest.raises(SiteWatchError) as refused:
        import_damage(with_structures, str(unosat(tmp_path, rows)), OPTIONS)
    message = str(refused.value)
    assert "UNOSAT class: '7' (2)" in message
    assert "UNOSAT date: 'someday' (1)" in message
    assert "duplicate SiteID: '1' (1)" in message
    assert hashlib.sha256(Path(with_structures.location).read_bytes()).hexdigest() == before


def test_points_match_nearest_within_distance_else_create_or_skip(with_structures, tmp_path):
    near = f"POINT({LON0 + 0.00025} {LAT0 + 0.0001})"  # about 4.6 m east of S-0001
    far = f"POINT({LON0 + 0.1} {LAT0})"
    rows = [
        {"SiteID": n, "SensorDate": "2020-01-08", "Main_Damage_Site_Class": 1, "wkt": wkt}
        for n, wkt in enumerate([near, far], start=1)
    ]
    source = str(unosat(tmp_path, rows))
    skipped = import_damage(with_structures, source, DamageOptions("B", unmatched="skip"))
    assert (skipped.recorded, skipped.unmatched, skipped.created) == (1, 1, 0)
    assert history(with_structures)[0][:3] == ("S-0001", "2020-01-08", "destroyed")
    created = import_damage(with_structures, source, DamageOptions("B", match_distance_m=2.0))
    assert (created.unmatched, created.created, created.kept) == (2, 2, 0)
    new = [f for f in with_structures.layer("structures").getFeatures() if f["structure_id"] in ("S-0005", "S-0006")]
    assert [round(f.geometry().area()) for f in new] == [100, 100]
    assert all("unmatched site" in f["notes"] for f in new)


def test_conflicts_keep_replace_refuse(with_structures, tmp_path):
    rows = [{"SiteID": 1, "SensorDate": "2020-01-08", "Main_Damage_Site_Class": 1, "wkt": inside(0)}]
    first = import_damage(with_structures, str(unosat(tmp_path, rows)), OPTIONS)
    assert first.recorded == 1
    rows[0]["Main_Damage_Site_Class"] = 3
    source = str(unosat(tmp_path, rows))
    kept = import_damage(with_structures, source, DamageOptions("B", conflict="keep"))
    assert (kept.recorded, kept.kept) == (0, 1)
    with pytest.raises(SiteWatchError, match="1 imported observations fall on dates"):
        import_damage(with_structures, source, DamageOptions("B", conflict="refuse"))
    replaced = import_damage(with_structures, source, DamageOptions("B", conflict="replace"))
    assert (replaced.recorded, replaced.replaced) == (1, 1)
    assert history(with_structures)[0][2] == "moderate"
    archived = with_structures.history("S-0001")
    assert [(o.status, reason) for o, _, reason in archived] == [("destroyed", "replaced")]


def test_ems_gradings_with_image_date_and_polygon_matching(with_structures, tmp_path):
    wkts = grid_wkts(5)
    grades = ["Destroyed", "Damaged", "Possibly damaged", "No visible damage", "Not analysed"]
    source = write_vector(
        tmp_path / "ems.geojson", "GeoJSON", [{"damage_gra": g, "wkt": w} for g, w in zip(grades, wkts)]
    )
    with pytest.raises(SiteWatchError, match="give IMAGE_DATE"):
        import_damage(with_structures, str(source), OPTIONS)
    result = import_damage(with_structures, str(source), DamageOptions("B", image_date="2024-04-02"))
    assert (result.format, result.recorded, result.created) == ("ems", 5, 1)
    statuses = [(o.structure_id, o.status) for o in with_structures.observations()]
    assert statuses == [
        ("S-0001", "destroyed"),
        ("S-0002", "moderate"),
        ("S-0003", "possible"),
        ("S-0004", "intact"),
        ("S-0005", "unknown"),
    ]


def test_xbd_label_json(with_structures, tmp_path):
    wkts = grid_wkts(3)
    subtypes = ["destroyed", "major-damage", "no-damage"]
    document = {
        "features": {
            "lng_lat": [
                {"properties": {"feature_type": "building", "subtype": s, "uid": f"u{n}"}, "wkt": w}
                for n, (s, w) in enumerate(zip(subtypes, wkts))
            ],
            "xy": [],
        },
        "metadata": {"capture_date": "2018-10-24T16:37:21.000Z", "disaster": "test"},
    }
    path = tmp_path / "site_post_disaster.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = import_damage(with_structures, str(path), OPTIONS)
    assert (result.format, result.recorded, result.created) == ("xbd", 3, 0)
    assert [(o.structure_id, o.observed_on, o.status) for o in with_structures.observations()] == [
        ("S-0001", "2018-10-24", "destroyed"),
        ("S-0002", "2018-10-24", "severe"),
        ("S-0003", "2018-10-24", "intact"),
    ]
