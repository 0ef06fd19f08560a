"""sitewatch:importstructures through processing.run and qgis_process: the contract's parameter
and result names, refusals before anything is written."""

from __future__ import annotations

import json

import pytest
from osgeo import ogr
from qgis.core import QgsProcessingContext, QgsProcessingException

import processing
from sitewatch.tests.helpers.import_sources import LAT0, LON0, grid_wkts, osm_xml, square_wkt, write_vector
from sitewatch.tests.helpers.osm_pbf import osm_pbf


def structure_types(path: str) -> list[str]:
    dataset = ogr.Open(path)
    return sorted(f["type"] for f in dataset.GetLayerByName("structures"))


def test_processing_run_imports_with_type_map_and_reports(sitewatch_provider, assessment, tmp_path):
    rows = [{"use": u, "wkt": w} for u, w in zip(["depot", "hangar", "silo", "depot"], grid_wkts(4))]
    rows.append({"use": "depot", "wkt": f"LINESTRING({LON0} {LAT0},{LON0 + 1} {LAT0})"})
    rows.append({"use": "depot", "wkt": grid_wkts(1)[0]})
    source = write_vector(tmp_path / "colleague.geojson", "GeoJSON", rows)
    result = processing.run(
        "sitewatch:importstructures",
        {
            "INPUT": str(source),
            "ASSESSMENT": assessment.location,
            "TYPE_FIELD": "use",
            "TYPE_MAP": "depot=warehouse",
            "DEDUPE_IOU": 0.5,
        },
    )
    assert (result["IMPORTED"], result["DUPLICATES"], result["REPAIRED"], result["REFUSED"]) == (4, 1, 0, 1)
    assert "Type 'silo' not mapped, imported as 'other': 1" in result["REPORT"]
    assert structure_types(assessment.location) == ["hangar", "other", "warehouse", "warehouse"]


def test_the_source_file_is_opened_once_per_run(sitewatch_provider, assessment, tmp_path):
    """The checks, QGIS's own check of INPUT and the run share one opening of the file (a large
    GeoJSON file is read whole each time it is opened)."""
    source = write_vector(tmp_path / "f.geojson", "GeoJSON", [{"wkt": w} for w in grid_wkts(3)])
    context = QgsProcessingContext()
    result = processing.run(
        "sitewatch:importstructures", {"INPUT": str(source), "ASSESSMENT": assessment.location}, context=context
    )
    assert result["IMPORTED"] == 3
    opened = list(context.temporaryLayerStore().mapLayers().values())
    # one layer, SiteWatch's (named after the file); QGIS's check loads its own, named "f", when
    # it does not find that one
    assert [(layer.name(), layer.source()) for layer in opened] == [("f.geojson", str(source))]


def test_extent_in_another_crs(sitewatch_provider, assessment, tmp_path):
    source = write_vector(tmp_path / "f.geojson", "GeoJSON", [{"wkt": w} for w in grid_wkts(40)])
    extent = f"{LON0 - 0.0001},{LON0 + 0.0011},{LAT0 - 0.0001},{LAT0 + 0.0001} [EPSG:4326]"
    result = processing.run(
        "sitewatch:importstructures", {"INPUT": str(source), "ASSESSMENT": assessment.location, "EXTENT": extent}
    )
    assert (result["IMPORTED"], result["OUTSIDE"]) == (3, 37)


def test_bad_type_map_and_field_are_refused_before_writing(sitewatch_provider, assessment, tmp_path):
    source = write_vector(tmp_path / "f.geojson", "GeoJSON", [{"use": "x", "wkt": square_wkt(LON0, LAT0)}])
    parameters = {"INPUT": str(source), "ASSESSMENT": assessment.location}
    with pytest.raises(QgsProcessingException, match="'castle', which is not a SiteWatch structure type"):
        processing.run("sitewatch:importstructures", {**parameters, "TYPE_MAP": "x=castle"})
    with pytest.raises(QgsProcessingException, match="no field 'kind' for TYPE_FIELD; its fields are use"):
        processing.run("sitewatch:importstructures", {**parameters, "TYPE_FIELD": "kind"})
    assert structure_types(assessment.location) == []


def test_qgis_process_imports_an_osm_extract(qgis_process, assessment, tmp_path):
    source = osm_xml(tmp_path / "site.osm", [("yes", LON0, LAT0), ("bunker", LON0 + 0.001, LAT0)])
    run = qgis_process(
        "run", "sitewatch:importstructures", "--json", "--", f"INPUT={source}", f"ASSESSMENT={assessment.location}"
    )
    results = json.loads(run.stdout)["results"]
    assert (results["IMPORTED"], results["DUPLICATES"], results["REFUSED"]) == (2, 0, 0)
    assert structure_types(assessment.location) == ["building", "bunker"]
    points = write_vector(tmp_path / "p.geojson", "GeoJSON", [{"wkt": f"POINT({LON0} {LAT0})"}])
    failed = qgis_process(
        "run", "sitewatch:importstructures", "--", f"INPUT={points}", f"ASSESSMENT={assessment.location}", check=False
    )
    assert failed.returncode != 0
    assert (failed.stdout + failed.stderr).count("building footprints must be polygons") == 1


def test_duplicates_mode_merge_and_area_of_interest_parameters(sitewatch_provider, assessment, tmp_path):
    first = write_vector(tmp_path / "a.geojson", "GeoJSON", [{"kind": "yes", "wkt": w} for w in grid_wkts(3)])
    processing.run("sitewatch:importstructures", {"INPUT": str(first), "ASSESSMENT": assessment.location})
    again = [{"kind": "bunker", "wkt": w} for w in grid_wkts(3)]
    again.append({"kind": "bunker", "wkt": square_wkt(LON0 + 0.05, LAT0)})
    second = write_vector(tmp_path / "b.geojson", "GeoJSON", again)
    # the area of interest covers the first two footprints only (in WGS84, the assessment is UTM)
    aoi = write_vector(
        tmp_path / "aoi.geojson",
        "GeoJSON",
        [{"wkt": f"POLYGON(({LON0} {LAT0},{LON0 + 0.0005} {LAT0},{LON0 + 0.0005} {LAT0 + 0.0001},{LON0} {LAT0}))"}],
    )
    result = processing.run(
        "sitewatch:importstructures",
        {
            "INPUT": str(second),
            "ASSESSMENT": assessment.location,
            "TYPE_FIELD": "kind",
            "DUPLICATES_MODE": "merge",
            "AOI": str(aoi),
        },
    )
    assert (result["IMPORTED"], result["DUPLICATES"], result["MERGED"], result["OUTSIDE"]) == (0, 2, 2, 2)
    assert structure_types(assessment.location) == ["building", "bunker", "bunker"]
    with pytest.raises(QgsProcessingException, match="DUPLICATES_MODE"):
        processing.run(
            "sitewatch:importstructures",
            {"INPUT": str(second), "ASSESSMENT": assessment.location, "DUPLICATES_MODE": "fuse"},
        )


def test_qgis_process_imports_an_osm_pbf_and_refuses_one_without_buildings(qgis_process, assessment, tmp_path):
    source = osm_pbf(tmp_path / "site.osm.pbf", [("warehouse", LON0, LAT0), ("landuse=grass", LON0 + 0.001, LAT0)])
    run = qgis_process(
        "run", "sitewatch:importstructures", "--json", "--", f"INPUT={source}", f"ASSESSMENT={assessment.location}"
    )
    assert json.loads(run.stdout)["results"]["IMPORTED"] == 1
    assert structure_types(assessment.location) == ["warehouse"]
    roads = osm_pbf(tmp_path / "roads.osm.pbf", [("", LON0, LAT0)])
    failed = qgis_process(
        "run", "sitewatch:importstructures", "--", f"INPUT={roads}", f"ASSESSMENT={assessment.location}", check=False
    )
    assert failed.returncode != 0
    assert (failed.stdout + failed.stderr).count("The OSM file 'roads.osm.pbf' holds no buildings") == 1
