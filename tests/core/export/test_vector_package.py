"""sitewatch:exportreport's vector package: every file read back with OGR/GDAL."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from osgeo import ogr, osr
from qgis.core import QgsFeedback

from sitewatch.core import values
from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.errors import SiteWatchError
from sitewatch.core.export import fields as ef
from sitewatch.core.export.kml import kml_colour
from sitewatch.core.export.package import ExportRequest, export_assessment
from sitewatch.tests.helpers.export_site import AFTER, ARABIC_NAME, BEFORE, build_site

PREFIX = "Tall_Hamdan_site_2020-01-08"
KML_STANDARD_FIELDS = {
    "Name",
    "Description",
    "label",
    "description",
    "timestamp",
    "begin",
    "end",
    "altitudeMode",
    "tessellate",
    "extrude",
    "visibility",
    "drawOrder",
    "icon",
}


@pytest.fixture(scope="module")
def package(site, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("exports") / "package"
    export_assessment(site, ExportRequest(str(folder), AFTER, BEFORE))
    return folder


def read_layer(path: Path, layer_name: str | None = None) -> tuple[list[str], list[dict], ogr.Layer, object]:
    dataset = ogr.Open(str(path))
    layer = dataset.GetLayerByName(layer_name) if layer_name else dataset.GetLayer(0)
    definition = layer.GetLayerDefn()
    names = [definition.GetFieldDefn(i).GetName() for i in range(definition.GetFieldCount())]
    rows = []
    for feature in layer:
        row = {name: feature.GetField(index) for index, name in enumerate(names)}
        row["_geometry"] = feature.GetGeometryRef().Clone() if feature.GetGeometryRef() else None
        row["_style"] = feature.GetStyleString()
        rows.append(row)
    return names, rows, layer, dataset


def field_types(layer: ogr.Layer) -> dict[str, str]:
    definition = layer.GetLayerDefn()
    return {
        definition.GetFieldDefn(i).GetName(): definition.GetFieldDefn(i).GetTypeName()
        for i in range(definition.GetFieldCount())
    }


def epsg(layer: ogr.Layer) -> str:
    srs = layer.GetSpatialRef()
    srs.AutoIdentifyEPSG()
    return srs.GetAuthorityCode(None)


STRUCTURE_SOURCES = {
    "GeoPackage": (f"{PREFIX}.gpkg", "structures", "32637"),
    "ESRI Shapefile": (f"{PREFIX}_structures.shp", None, "32637"),
    "GeoJSON": (f"{PREFIX}_structures.geojson", None, "4326"),
    "KML": (f"{PREFIX}.kml", "structures", "4326"),
    "CSV": (f"{PREFIX}_structures.csv", None, None),
}


def test_every_field_name_fits_a_shapefile():
    for layer in ef.SPATIAL_LAYERS + ef.TABLES:
        assert all(len(name) <= 10 for name in layer.field_names()), layer.name
        assert len(set(layer.field_names())) == len(layer.field_names())


@pytest.mark.parametrize("format_name", list(STRUCTURE_SOURCES))
def test_structures_read_back_the_same_in_every_format(package, format_name):
    file_name, layer_name, code = STRUCTURE_SOURCES[format_name]
    names, rows, layer, _dataset = read_layer(package / file_name, layer_name)
    ignored = KML_STANDARD_FIELDS if format_name == "KML" else {"WKT"} if format_name == "CSV" else set()
    assert [n for n in names if n not in ignored] == list(ef.STRUCTURES.field_names())
    assert len(rows) == 12
    if code is not None:
        assert epsg(layer) == code
    by_id = {row["struct_id"]: row for row in rows}
    first = by_id["S-0001"]
    assert (first["type"], first["compound"], first["comp_name"]) == ("warehouse", "C-0001", ARABIC_NAME)
    assert (first["stat_bef"], first["stat_aft"], first["change"]) == ("intact", "destroyed", "increased")
    assert first["analyst"] == "Zoë Analyst" and first["notes"] == "roof gone — سقف"
    assert first["img_source"] == "Maxar WorldView-3" and first["confidence"] == "medium"
    assert first["area_m2"] == pytest.approx(400.32, abs=0.01)
    assert str(first["img_date"]).replace("/", "-") == AFTER
    assert {by_id[s]["change"] for s in ("S-0006", "S-0011")} == {"new"}
    assert by_id["S-0008"]["change"] == "rebuilt" and by_id["S-0010"]["change"] == "unchanged"
    assert by_id["S-0002"]["confidence"] == "high"  # the replacing observation, not the archived one
    assert by_id["S-0012"]["compound"] in (None, "")
    if format_name != "KML":
        assert field_types(layer)["date_aft"] == "Date" and field_types(layer)["area_m2"] == "Real"
    geometry = first["_geometry"]
    if code == "4326":
        assert 38.9 < geometry.Centroid().GetX() < 39.1 and 32.4 < geometry.Centroid().GetY() < 32.6
    else:
        assert geometry.Centroid().GetX() == pytest.approx(500040)


def test_shapefiles_have_prj_cpg_and_one_file_per_geometry_type(package):
    for layer in ef.SPATIAL_LAYERS:
        stem = package / f"{PREFIX}_{layer.name}"
        for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            assert stem.with_suffix(suffix).is_file(), stem.with_suffix(suffix)
        assert stem.with_suffix(".cpg").read_text().strip() == "UTF-8"
        srs = osr.SpatialReference(stem.with_suffix(".prj").read_text())
        assert "UTM zone 37N" in srs.GetName()
    expected = {
        "structures": ogr.wkbPolygon,
        "compounds": ogr.wkbPolygon,
        "linear_features": ogr.wkbLineString,
        "point_features": ogr.wkbPoint,
    }
    for name, geometry_type in expected.items():
        _names, _rows, layer, _dataset = read_layer(package / f"{PREFIX}_{name}.shp")
        assert ogr.GT_Flatten(layer.GetGeomType()) == geometry_type


def test_compounds_summary_and_features(package):
    names, rows, layer, _dataset = read_layer(package / f"{PREFIX}_compounds.shp")
    assert names == list(ef.COMPOUNDS.field_names()) and len(rows) == 3
    depot = next(r for r in rows if r["compound"] == "C-0001")
    assert depot["comp_name"] == ARABIC_NAME
    assert (depot["n_struct"], depot["n_assessed"], depot["n_destroy"], depot["n_constr"]) == (6, 6, 1, 1)
    assert depot["pct_destr"] == pytest.approx(100 / 6) and depot["pct_damag"] == pytest.approx(50.0)
    assert field_types(layer)["n_struct"] == "Integer"
    _names, summary, _layer, _ds = read_layer(package / f"{PREFIX}_summary.csv")
    assert [r["compound"] for r in summary] == ["C-0001", "C-0002", "C-0003", "UNASSIGNED", "ALL"]
    empty = summary[2]
    assert empty["n_struct"] == 0 and empty["pct_destr"] is None  # NULL, never 0, with nothing assessed
    whole = summary[-1]
    assert (whole["n_struct"], whole["n_assessed"], whole["n_unknown"]) == (12, 11, 1)
    _names, lines, _layer, _ds = read_layer(package / f"{PREFIX}.gpkg", "linear_features")
    assert lines[0]["length_m"] == pytest.approx(300.1, abs=0.2) and lines[0]["first_seen"] == "2019/09/01"
    _names, points, _layer, _ds = read_layer(package / f"{PREFIX}_point_features.geojson")
    assert points[0]["type"] == "impact_crater" and points[0]["obs_date"] == "2020/01/08"


def test_observation_history_and_imagery_tables(package):
    names, rows, layer, _dataset = read_layer(package / f"{PREFIX}_observations.csv")
    assert names == list(ef.OBSERVATIONS.field_names())
    assert len(rows) == 23 + 1  # 11 before + 12 after observations, and the replaced one
    replaced = [r for r in rows if r["reason"] == "replaced"]
    assert len(replaced) == 1 and replaced[0]["struct_id"] == "S-0002" and replaced[0]["confidence"] == "medium"
    assert field_types(layer)["obs_date"] == "Date" and field_types(layer)["recorded"] == "DateTime"
    with (package / f"{PREFIX}_imagery.csv").open(encoding="utf-8-sig") as stream:
        imagery = list(csv.DictReader(stream))
    assert [(r["date"], r["source"], r["sensor"], float(r["gsd_m"]), r["file"]) for r in imagery] == [
        (BEFORE, "Airbus Pléiades", "PHR1A", 0.5, "before.tif"),
        (AFTER, "Maxar WorldView-3", "WV03", 0.5, "after.tif"),
    ]
    _names, tables, _layer, _ds = read_layer(package / f"{PREFIX}.gpkg", "imagery")
    assert len(tables) == 2


def test_kml_labels_and_colours_structures_by_status(package):
    _names, rows, _layer, _dataset = read_layer(package / f"{PREFIX}.kml", "structures")
    assert {row["Name"] for row in rows if row["struct_id"] == "S-0001"} == {"S-0001: Destroyed"}
    namespace = {"k": "http://www.opengis.net/kml/2.2"}
    document = ElementTree.parse(package / f"{PREFIX}.kml").getroot()
    styles = {s.get("id"): s for s in document.iter(f"{{{namespace['k']}}}Style")}
    for code in ("destroyed", "intact", "severe"):
        colour = values.STATUS_BY_CODE[code].colour
        assert styles[f"status_{code}"].find("k:PolyStyle/k:color", namespace).text == kml_colour(colour, 176)
    placemarks = {p.find("k:name", namespace).text: p for p in document.iter(f"{{{namespace['k']}}}Placemark")}
    assert placemarks["S-0001: Destroyed"].find("k:styleUrl", namespace).text == "#status_destroyed"
    assert placemarks["S-0003: No visible damage"].find("k:styleUrl", namespace).text == "#status_intact"
    assert placemarks[ARABIC_NAME].find("k:styleUrl", namespace).text == "#compound"
    assert kml_colour("#7a0a0a", 255) == "ff0a0a7a"


def test_manifest_lists_every_file_with_its_sha256(package):
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    listed = {entry["file"]: entry["sha256"] for entry in manifest["files"]}
    on_disk = {p.name for p in package.iterdir()} - {"manifest.json"}
    assert set(listed) == on_disk
    for name, digest in listed.items():
        assert hashlib.sha256((package / name).read_bytes()).hexdigest() == digest
    parameters = manifest["parameters"]
    assert (parameters["after_date"], parameters["before_date"], parameters["scheme"]) == (AFTER, BEFORE, "sitewatch")
    assert parameters["formats"] == ["GeoPackage", "ESRI Shapefile", "GeoJSON", "KML", "CSV"]


@pytest.mark.parametrize(
    "scheme, destroyed, severe, intact",
    [
        ("unosat", "Destroyed", "Severe Damage", "No Visible Damage"),
        ("ems", "Destroyed", "Damaged", "No visible damage"),
        ("xbd", "destroyed", "major-damage", "no-damage"),
    ],
)
def test_scheme_gives_unosat_ems_and_xbd_names(site, tmp_path, scheme, destroyed, severe, intact):
    folder = tmp_path / scheme
    export_assessment(site, ExportRequest(str(folder), AFTER, BEFORE, formats=("ESRI Shapefile",), scheme=scheme))
    _names, rows, _layer, _dataset = read_layer(folder / f"{PREFIX}_structures.shp")
    by_id = {row["struct_id"]: row for row in rows}
    assert (by_id["S-0001"]["stat_aft"], by_id["S-0002"]["stat_aft"], by_id["S-0001"]["stat_bef"]) == (
        destroyed,
        severe,
        intact,
    )
    with (folder / f"{PREFIX}_observations.csv").open(encoding="utf-8-sig") as stream:
        assert destroyed in {row["status"] for row in csv.DictReader(stream)}
    assert sorted(p.suffix for p in folder.iterdir() if "structures" in p.name) == [
        ".cpg",
        ".dbf",
        ".prj",
        ".shp",
        ".shx",
    ]


def test_existing_folder_needs_overwrite_and_only_a_previous_export_alone_is_replaced(site, tmp_path):
    folder = tmp_path / "out"
    export_assessment(site, ExportRequest(str(folder), AFTER, formats=("CSV",)))
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(SiteWatchError, match="already exists"):
        export_assessment(site, ExportRequest(str(folder), AFTER, formats=("CSV",)))
    with pytest.raises(SiteWatchError, match=r"holds files its SiteWatch manifest.json does not list \(notes.txt\)"):
        export_assessment(site, ExportRequest(str(folder), AFTER, formats=("CSV",), overwrite=True))
    assert (folder / "notes.txt").read_text() == "mine"
    (folder / "notes.txt").unlink()
    export_assessment(site, ExportRequest(str(folder), AFTER, formats=("CSV",), overwrite=True))
    assert (folder / "manifest.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_overwrite_refuses_a_folder_that_is_not_an_export(site, tmp_path):
    folder = tmp_path / "Documents"
    folder.mkdir()
    (folder / "thesis.odt").write_text("years of work")
    with pytest.raises(SiteWatchError, match=r"is not a SiteWatch export \(it has no manifest.json\)"):
        export_assessment(site, ExportRequest(str(folder), AFTER, formats=("CSV",), overwrite=True))
    assert [p.name for p in folder.iterdir()] == ["thesis.odt"]
    assert (folder / "thesis.odt").read_text() == "years of work"
    empty = tmp_path / "empty"
    empty.mkdir()
    export_assessment(site, ExportRequest(str(empty), AFTER, formats=("CSV",), overwrite=True))
    assert (empty / "manifest.json").is_file()


def _no_output(parent: Path, expected: set[str]) -> None:
    assert {p.name for p in parent.iterdir()} == expected, "partial output left behind"


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(formats=("GeoPackage", "Excel")), "Unknown export format 'Excel'"),
        (dict(after_date="2021-06-01"), "outside the imagery"),
        (dict(before_date="2018-01-01"), "outside the imagery"),
        (dict(after_date="08/01/2020"), "not a date"),
        (dict(scheme="nato"), "Unknown label scheme"),
        (dict(report=True, before_image="/nowhere/before.tif"), "/nowhere/before.tif' does not exist"),
    ],
)
def test_bad_parameters_give_a_clear_message_and_no_output(site, tmp_path, change, message):
    request = dict(output_folder=str(tmp_path / "out"), after_date=AFTER, before_date=None)
    request.update(change)
    with pytest.raises(SiteWatchError, match=message):
        export_assessment(site, ExportRequest(**request))
    _no_output(tmp_path, set())


def test_no_observation_at_the_chosen_dates(tmp_path):
    store = build_site(tmp_path / "site")
    for sid in [f"S-{n:04d}" for n in range(1, 13)]:
        for date in (BEFORE, AFTER):
            store.remove_observation(sid, date, "test")
    with pytest.raises(SiteWatchError, match="No structure has an observation on or before the after date"):
        export_assessment(store, ExportRequest(str(tmp_path / "out"), AFTER))
    _no_output(tmp_path, {"site"})


def test_missing_image_file_and_unwritable_folder(site, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(Path(site.location).parent, copy)
    (copy / "before.tif").unlink()
    store = GeoPackageStore.open(copy / "site.gpkg")
    with pytest.raises(SiteWatchError, match="before.tif' does not exist"):
        export_assessment(store, ExportRequest(str(tmp_path / "out"), AFTER, report=True))
    with pytest.raises(SiteWatchError, match="does not exist; create it"):
        export_assessment(store, ExportRequest(str(tmp_path / "no" / "out"), AFTER))
    with pytest.raises(SiteWatchError, match="Nothing was written|not writable"):
        export_assessment(store, ExportRequest("/proc/sitewatch-export", AFTER, formats=("CSV",)))
    _no_output(tmp_path, {"copy"})


def test_a_report_image_that_is_not_a_raster_leaves_no_partial_folder(site, tmp_path):
    not_an_image = tmp_path / "after.tif"
    not_an_image.write_text("not a raster")
    with pytest.raises(SiteWatchError, match="after image .*after.tif is not a raster image"):
        export_assessment(site, ExportRequest(str(tmp_path / "out"), AFTER, report=True, after_image=str(not_an_image)))
    _no_output(tmp_path, {"after.tif"})
    assert not any(name.startswith(".out") for name in os.listdir(tmp_path))


def test_cancel_leaves_no_output(site, tmp_path):
    feedback = QgsFeedback()
    feedback.cancel()
    with pytest.raises(SiteWatchError, match="canceled"):
        export_assessment(site, ExportRequest(str(tmp_path / "out"), AFTER), feedback)
    _no_output(tmp_path, set())
