"""Importing footprints: every common source format, type maps, repair, dedupe, extent, and
an import that fails or is cancelled leaves the assessment byte-identical."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from osgeo import ogr
from qgis.core import QgsCoordinateTransformContext, QgsGeometry, QgsRectangle

from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.records import AttributeUpdate
from sitewatch.core.assessment.store import WriteCancelled
from sitewatch.core.errors import SiteWatchError
from sitewatch.core.importing import structures
from sitewatch.core.importing.geometry import area_of_interest
from sitewatch.core.importing.sources import open_source
from sitewatch.core.importing.structures import StructureOptions, import_structures, plan_structures
from sitewatch.core.importing.type_map import parse_type_map
from sitewatch.tests.helpers.import_sources import (
    LAT0,
    LON0,
    grid_wkts,
    open_buildings_csv,
    osm_xml,
    square_wkt,
    write_vector,
)


def stored_structures(path: str) -> list[tuple[str, str, str, str]]:
    dataset = ogr.Open(path)
    layer = dataset.GetLayerByName("structures")
    return sorted((f["structure_id"], f["type"], f["created_by"], f.GetGeometryRef().GetGeometryName()) for f in layer)


def digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


OPTIONS = StructureOptions(analyst="Analyst A")


@pytest.mark.parametrize(
    ("driver", "name"),
    [("GeoJSON", "f.geojson"), ("ESRI Shapefile", "f.shp"), ("FlatGeobuf", "f.fgb"), ("GeoJSONSeq", "f.geojsons")],
)
def test_every_common_vector_format_imports(assessment, tmp_path, driver, name):
    rows = [{"kind": "hangar" if n == 0 else "yes", "wkt": wkt} for n, wkt in enumerate(grid_wkts(5))]
    source = write_vector(tmp_path / name, driver, rows, ogr.wkbPolygon)
    result = import_structures(assessment, open_source(str(source)), StructureOptions("A", type_field="kind"))
    assert result.imported == 5
    stored = stored_structures(assessment.location)
    assert [s[0] for s in stored] == ["S-0001", "S-0002", "S-0003", "S-0004", "S-0005"]
    assert sorted(s[1] for s in stored) == ["building"] * 4 + ["hangar"]
    assert {s[2] for s in stored} == {"A"}
    assert {s[3] for s in stored} == {"MULTIPOLYGON"}


def test_footprints_are_stored_in_the_assessment_crs(assessment, tmp_path):
    source = write_vector(tmp_path / "f.geojson", "GeoJSON", [{"wkt": square_wkt(LON0, LAT0)}])
    import_structures(assessment, open_source(str(source)), OPTIONS)
    feature = next(iter(assessment.layer("structures").getFeatures()))
    box = feature.geometry().boundingBox()
    assert 400_000 < box.xMinimum() < 600_000 and 3_600_000 < box.yMinimum() < 3_800_000
    assert 300 < feature.geometry().area() < 500  # 0.0002° squared at 33.5°N is about 18 m × 22 m
    assert feature["created_at"]


def test_osm_extract_multipolygons_with_default_building_map(assessment, tmp_path):
    source = osm_xml(
        tmp_path / "site.osm",
        [
            ("yes", LON0, LAT0),
            ("warehouse", LON0 + 0.001, LAT0),
            ("shrine", LON0 + 0.002, LAT0),
            ("landuse=grass", LON0 + 0.003, LAT0),
            ("no", LON0 + 0.004, LAT0),
        ],
    )
    result = import_structures(assessment, open_source(str(source)), OPTIONS)
    assert (result.read, result.imported) == (3, 3)  # the grass area and building=no are no buildings
    assert sorted(s[1] for s in stored_structures(assessment.location)) == ["building", "other", "warehouse"]
    assert result.unmapped == {"shrine": 1}
    assert "Type 'shrine' not mapped, imported as 'other': 1" in result.summary()


def test_osm_file_without_buildings_is_refused_clearly(assessment, tmp_path):
    source = osm_xml(tmp_path / "roads.osm", [("", LON0, LAT0), ("landuse=grass", LON0 + 0.001, LAT0)])
    before = digest(assessment.location)
    with pytest.raises(SiteWatchError, match=r"The OSM file 'roads.osm' holds no buildings \(no way or relation"):
        import_structures(assessment, open_source(str(source)), OPTIONS)
    assert digest(assessment.location) == before


def test_open_buildings_csv_with_wkt_column(assessment, tmp_path):
    source = open_buildings_csv(tmp_path / "open_buildings.csv", grid_wkts(3))
    result = import_structures(assessment, open_source(str(source)), OPTIONS)
    assert result.imported == 3
    assert {s[1] for s in stored_structures(assessment.location)} == {"building"}


def test_csv_without_wkt_column_names_the_columns(tmp_path):
    source = tmp_path / "table.csv"
    source.write_text("name,lat\nA,1\n", encoding="utf-8")
    with pytest.raises(SiteWatchError, match=r"no WKT geometry column.*name, lat"):
        open_source(str(source))


def test_type_map_maps_values_and_refuses_unknown_types():
    assert parse_type_map("depot=warehouse; Shed = other") == {"depot": "warehouse", "shed": "other"}
    with pytest.raises(SiteWatchError, match="'castle', which is not a SiteWatch structure type"):
        parse_type_map("fort=castle")


def test_user_type_map_and_unmapped_values(assessment, tmp_path):
    wkts = grid_wkts(4)
    rows = [{"cls": c, "wkt": w} for c, w in zip(["depot", "depot", "silo", None], wkts)]
    source = write_vector(tmp_path / "f.geojson", "GeoJSON", rows)
    options = StructureOptions("A", type_field="cls", type_map=parse_type_map("depot=warehouse"))
    result = import_structures(assessment, open_source(str(source)), options)
    assert sorted(s[1] for s in stored_structures(assessment.location)) == ["building", "other", "warehouse"] * 1 + [
        "warehouse"
    ]
    assert result.unmapped == {"silo": 1}


def test_points_or_lines_are_refused_as_a_whole(assessment, tmp_path):
    source = write_vector(tmp_path / "p.geojson", "GeoJSON", [{"wkt": f"POINT({LON0} {LAT0})"}], ogr.wkbPoint)
    with pytest.raises(SiteWatchError, match="holds points; building footprints must be polygons"):
        import_structures(assessment, open_source(str(source)), OPTIONS)
    table = write_vector(tmp_path / "t.gpkg", "GPKG", [{"name": "x", "wkt": None}], ogr.wkbNone)
    with pytest.raises(SiteWatchError, match="has no geometry"):
        import_structures(assessment, open_source(str(table)), OPTIONS)


def test_invalid_repaired_empty_and_non_polygon_features_counted(assessment, tmp_path):
    x, y = LON0, LAT0
    bowtie = f"POLYGON(({x} {y},{x + 0.0002} {y + 0.0002},{x + 0.0002} {y},{x} {y + 0.0002},{x} {y}))"
    part = "(({a} {y},{b} {y},{b} {t},{a} {y}))"
    two_parts = (
        "MULTIPOLYGON("
        + ",".join(part.format(a=a, b=a + 0.0001, y=y, t=y + 0.0001) for a in (x + 0.01, x + 0.0103))
        + ")"
    )
    rows = [
        {"wkt": bowtie},
        {"wkt": two_parts},
        {"wkt": f"LINESTRING({LON0} {LAT0},{LON0 + 1} {LAT0})"},
        {"wkt": None},
        {"wkt": square_wkt(LON0 + 0.02, LAT0)},
    ]
    source = write_vector(tmp_path / "mixed.geojson", "GeoJSON", rows)
    result = import_structures(assessment, open_source(str(source)), OPTIONS)
    assert (result.imported, result.repaired) == (3, 1)
    assert result.refused == {"not a polygon": 1, "empty geometry": 1}
    geometries = [f.geometry() for f in assessment.layer("structures").getFeatures()]
    assert all(g.isGeosValid() for g in geometries)
    assert sorted(len(g.asGeometryCollection()) for g in geometries) == [1, 2, 2]


def test_duplicates_of_existing_and_of_each_other_are_skipped(assessment, tmp_path):
    wkts = grid_wkts(3)
    first = write_vector(tmp_path / "a.geojson", "GeoJSON", [{"wkt": w} for w in wkts])
    import_structures(assessment, open_source(str(first)), OPTIONS)
    shifted = square_wkt(LON0 + 0.00002, LAT0)  # overlaps S-0001 with IoU ≈ 0.82
    again = [{"wkt": w} for w in [*wkts, shifted, square_wkt(LON0 + 0.05, LAT0), square_wkt(LON0 + 0.05, LAT0)]]
    second = write_vector(tmp_path / "b.geojson", "GeoJSON", again)
    result = import_structures(assessment, open_source(str(second)), OPTIONS)
    assert (result.imported, result.duplicates) == (1, 5)
    again_plan = plan_structures(assessment, open_source(str(second)), OPTIONS)
    assert (again_plan.imported, again_plan.duplicates) == (0, 6)
    strict = plan_structures(assessment, open_source(str(second)), StructureOptions("A", dedupe_iou=0.9))
    assert (strict.imported, strict.duplicates) == (1, 5)  # the shifted copy is no longer a duplicate


def test_extent_keeps_only_footprints_inside(assessment, tmp_path):
    source = write_vector(tmp_path / "a.geojson", "GeoJSON", [{"wkt": w} for w in grid_wkts(10)])
    layer = open_source(str(source))
    plan = plan_structures(assessment, layer, OPTIONS)
    boxes = sorted(r.geometry.boundingBox().xMinimum() for r in plan.records)
    middle = (boxes[4] + boxes[5]) / 2
    full = QgsRectangle(boxes[0] - 1000, 0, middle, 9e6)
    result = import_structures(assessment, layer, StructureOptions("A", extent=QgsGeometry.fromRect(full)))
    assert (result.imported, result.outside) == (5, 5)


def test_compound_assigned_as_for_drawn_structures(assessment, tmp_path):
    source = write_vector(tmp_path / "a.geojson", "GeoJSON", [{"wkt": w} for w in grid_wkts(2)])
    layer = open_source(str(source))
    first = plan_structures(assessment, layer, OPTIONS).records[0].geometry
    assessment.add_features("compounds", [{"compound_id": "C-0001", "geometry": first.buffer(5, 4)}])
    import_structures(assessment, layer, OPTIONS)
    compounds = sorted(str(f["compound_id"]) for f in assessment.layer("structures").getFeatures())
    assert compounds == ["C-0001", "NULL"]


def test_cancel_and_failure_leave_the_assessment_byte_identical(assessment, tmp_path):
    source = write_vector(tmp_path / "a.geojson", "GeoJSON", [{"wkt": w} for w in grid_wkts(400)])
    layer = open_source(str(source))
    import_structures(
        assessment,
        open_source(str(write_vector(tmp_path / "b.geojson", "GeoJSON", [{"wkt": square_wkt(0, 0)}]))),
        OPTIONS,
    )
    before = digest(assessment.location)
    with pytest.raises(WriteCancelled):
        import_structures(assessment, layer, OPTIONS, progress=lambda fraction: fraction < 0.5)
    assert digest(assessment.location) == before
    with pytest.raises(WriteCancelled):
        import_structures(assessment, layer, OPTIONS, progress=lambda fraction: fraction < 0.75)
    assert digest(assessment.location) == before
    plan = plan_structures(assessment, layer, OPTIONS)
    clash = plan.records[:-1] + [plan.records[0]]
    with pytest.raises(SiteWatchError, match="already exists"):
        assessment.import_batch(clash)
    assert digest(assessment.location) == before
    assert len(stored_structures(assessment.location)) == 1


def test_merge_updates_type_and_name_of_the_existing_structure_keeping_id_and_observations(assessment, tmp_path):
    first = write_vector(
        tmp_path / "a.geojson",
        "GeoJSON",
        [{"building": b, "name": n, "wkt": w} for b, n, w in zip(["yes", "yes"], ["Old depot", "Gate"], grid_wkts(2))],
    )
    import_structures(assessment, open_source(str(first)), OPTIONS)
    assessment.record_observation(Observation("S-0001", "2020-01-08", "destroyed", confidence="high", analyst="A"))
    shifted = square_wkt(LON0 + 0.00002, LAT0)  # a duplicate of S-0001 (IoU ≈ 0.82)
    rows = [
        {"building": "hangar", "name": "Hangar 3", "wkt": shifted},
        {"building": "shrine", "name": None, "wkt": grid_wkts(2)[1]},  # unmapped type, no name: no change
        {"building": "bunker", "name": "New", "wkt": square_wkt(LON0 + 0.05, LAT0)},
    ]
    second = open_source(str(write_vector(tmp_path / "b.geojson", "GeoJSON", rows)))
    skipped = plan_structures(assessment, second, OPTIONS)
    assert (skipped.imported, skipped.duplicates, skipped.merged) == (1, 2, 0)
    result = import_structures(assessment, second, StructureOptions("A", duplicates="merge"))
    assert (result.imported, result.duplicates, result.merged) == (1, 2, 1)
    assert "2 duplicates (1 structures updated)" in result.summary()[0]
    by_id = {f["structure_id"]: f for f in assessment.layer("structures").getFeatures()}
    assert (by_id["S-0001"]["type"], by_id["S-0001"]["name"]) == ("hangar", "Hangar 3")
    assert (by_id["S-0002"]["type"], by_id["S-0002"]["name"]) == ("building", "Gate")
    assert (by_id["S-0003"]["type"], by_id["S-0003"]["name"]) == ("bunker", "New")
    assert by_id["S-0001"].geometry().boundingBox().xMinimum() < by_id["S-0002"].geometry().boundingBox().xMinimum()
    assert [(o.structure_id, o.status) for o in assessment.observations()] == [("S-0001", "destroyed")]


def test_merge_refused_mode_and_unknown_name_field(assessment, tmp_path):
    source = open_source(str(write_vector(tmp_path / "a.geojson", "GeoJSON", [{"wkt": grid_wkts(1)[0]}])))
    with pytest.raises(SiteWatchError, match="Duplicates mode 'fuse': use one of skip, merge"):
        plan_structures(assessment, source, StructureOptions("A", duplicates="fuse"))
    with pytest.raises(SiteWatchError, match="no field 'label' for NAME_FIELD"):
        plan_structures(assessment, source, StructureOptions("A", name_field="label"))


def test_area_of_interest_keeps_footprints_intersecting_its_polygons(assessment, tmp_path):
    source = open_source(str(write_vector(tmp_path / "a.geojson", "GeoJSON", [{"wkt": w} for w in grid_wkts(40)])))
    # a triangle over the first row's western half, drawn in WGS84: its own CRS
    x0, x1, y = LON0 - 0.0001, LON0 + 9.5 * 0.0004, LAT0 + 0.0001
    triangle = f"POLYGON(({x0} {y - 0.0002},{x1} {y},{x0} {y + 0.0002},{x0} {y - 0.0002}))"
    aoi_layer = open_source(str(write_vector(tmp_path / "aoi.geojson", "GeoJSON", [{"wkt": triangle}])))
    aoi = area_of_interest(aoi_layer, assessment.crs(), QgsCoordinateTransformContext(), "aoi")
    result = import_structures(assessment, source, StructureOptions("A", aoi=aoi))
    assert (result.imported, result.outside) == (10, 30)
    lines = open_source(str(write_vector(tmp_path / "l.geojson", "GeoJSON", [{"wkt": "LINESTRING(0 0,1 1)"}])))
    with pytest.raises(SiteWatchError, match="area of interest 'l' must hold polygons"):
        area_of_interest(lines, assessment.crs(), QgsCoordinateTransformContext(), "l")


def test_an_update_of_a_missing_structure_writes_nothing(assessment, tmp_path):
    source = open_source(str(write_vector(tmp_path / "a.geojson", "GeoJSON", [{"wkt": w} for w in grid_wkts(2)])))
    plan = plan_structures(assessment, source, OPTIONS)
    before = digest(assessment.location)
    with pytest.raises(SiteWatchError, match="S-0042 is not in 'structures'"):
        assessment.import_batch(plan.records, updates=[AttributeUpdate("structures", "S-0042", {"type": "hangar"})])
    assert digest(assessment.location) == before


def test_an_import_written_by_batches_equals_its_plan(assessment, tmp_path, monkeypatch):
    """Batches of 3 (the last one short, and an exact multiple): the same ids, types and
    footprints as the plan read at once; a duplicate of a footprint from an earlier batch is
    found (the index carries over from batch to batch)."""
    wkts = grid_wkts(10)
    rows = [{"building": ("yes", "hangar", "silo")[n % 3], "wkt": w} for n, w in enumerate(wkts)]
    rows.insert(7, {"building": "yes", "wkt": square_wkt(LON0 + 0.00002, LAT0)})  # duplicates the first
    source = open_source(str(write_vector(tmp_path / "a.geojson", "GeoJSON", rows)))
    plan = plan_structures(assessment, source, OPTIONS)
    monkeypatch.setattr(structures, "_BATCH", 3)
    result = import_structures(assessment, source, OPTIONS)
    assert (result.imported, result.duplicates, result.records) == (10, 1, [])
    assert result.summary() == plan.summary()
    stored = {f["structure_id"]: f for f in assessment.layer("structures").getFeatures()}
    assert sorted(stored) == [r.feature_id for r in plan.records] == [f"S-{n:04d}" for n in range(1, 11)]
    for record in plan.records:
        feature = stored[record.feature_id]
        assert feature["type"] == record.attributes["type"]
        assert feature.geometry().equals(QgsGeometry(record.geometry).convertToType(feature.geometry().type(), True))
    monkeypatch.setattr(structures, "_BATCH", 5)
    again = import_structures(assessment, source, OPTIONS)  # every footprint now a duplicate
    assert (again.imported, again.duplicates) == (0, 11)


def test_merges_from_several_batches_fold_into_one_update(assessment, tmp_path, monkeypatch):
    import_structures(
        assessment,
        open_source(str(write_vector(tmp_path / "a.geojson", "GeoJSON", [{"wkt": grid_wkts(1)[0]}]))),
        OPTIONS,
    )
    shifted = square_wkt(LON0 + 0.00002, LAT0)
    rows = [{"building": "hangar", "name": None, "wkt": shifted}]
    rows += [{"building": "yes", "name": None, "wkt": w} for w in grid_wkts(5)[1:]]
    rows.append({"building": None, "name": "Depot 4", "wkt": shifted})
    monkeypatch.setattr(structures, "_BATCH", 2)
    result = import_structures(
        assessment,
        open_source(str(write_vector(tmp_path / "b.geojson", "GeoJSON", rows))),
        StructureOptions("A", duplicates="merge"),
    )
    assert (result.imported, result.duplicates, result.merged) == (4, 2, 1)
    first = next(f for f in assessment.layer("structures").getFeatures() if f["structure_id"] == "S-0001")
    assert (first["type"], first["name"]) == ("hangar", "Depot 4")


def test_a_cancel_after_batches_were_written_rolls_them_back(assessment, tmp_path, monkeypatch):
    source = open_source(str(write_vector(tmp_path / "a.geojson", "GeoJSON", [{"wkt": w} for w in grid_wkts(1500)])))
    before = digest(assessment.location)
    monkeypatch.setattr(structures, "_BATCH", 100)
    seen: list[float] = []
    with pytest.raises(WriteCancelled, match="Import cancelled; nothing was written"):
        import_structures(assessment, source, OPTIONS, progress=lambda f: seen.append(f) or f < 0.5)
    assert seen == [1000 / 1500]  # called every 1,000 footprints read: 10 batches were in the transaction
    assert digest(assessment.location) == before
