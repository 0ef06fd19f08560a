"""sitewatch:changescore through processing.run and qgis_process: same output, bad input refused."""

from __future__ import annotations

import json

import numpy as np
import pytest
from osgeo import ogr, osr
from qgis.core import QgsProcessingException

import processing
from sitewatch.tests.helpers.change_pair import make_site, write_footprints


def write_structures(site, path) -> str:
    return write_footprints(site, path, first_id=100)


def read_scores(path) -> dict[int, tuple]:
    dataset = ogr.Open(str(path))
    layer = dataset.GetLayer(0)
    return {
        f["structure_id"]: (
            round(f["chg_score"], 9) if f["chg_score"] is not None else None,
            f["chg_frac"] is not None and round(f["chg_frac"], 9),
            f["chg_rank"],
            f["suggested"],
        )
        for f in layer
    }


def test_processing_run_and_qgis_process_give_the_same_output(sitewatch_provider, qgis_process, tmp_path):
    site = make_site(tmp_path)
    structures = write_structures(site, tmp_path / "structures.gpkg")
    parameters = {
        "BEFORE": str(site.before),
        "AFTER": str(site.after),
        "STRUCTURES": structures,
        "RING_M": 10,
        "OUTPUT": str(tmp_path / "scored_run.gpkg"),
    }
    result = processing.run("sitewatch:changescore", parameters)
    assert "changed-pixel threshold" in result["THRESHOLDS"]
    from_run = read_scores(tmp_path / "scored_run.gpkg")
    assert {sid - 100 for sid, values in from_run.items() if values[2] <= 5} == site.changed
    cli = qgis_process(
        "run",
        "sitewatch:changescore",
        "--json",
        "--",
        f"BEFORE={site.before}",
        f"AFTER={site.after}",
        f"STRUCTURES={structures}",
        "RING_M=10",
        f"OUTPUT={tmp_path / 'scored_cli.gpkg'}",
    )
    assert json.loads(cli.stdout)["results"]["THRESHOLDS"] == result["THRESHOLDS"]
    assert read_scores(tmp_path / "scored_cli.gpkg") == from_run
    dataset = ogr.Open(str(tmp_path / "scored_run.gpkg"))
    definition = dataset.GetLayer(0).GetLayerDefn()
    types = {
        definition.GetFieldDefn(i).GetName(): definition.GetFieldDefn(i).GetType()
        for i in range(definition.GetFieldCount())
    }
    assert [types[n] for n in ("chg_score", "chg_frac", "chg_rank", "suggested")] == [
        ogr.OFTReal,
        ogr.OFTReal,
        ogr.OFTInteger,
        ogr.OFTString,
    ]


def test_processing_reports_bad_input_as_processing_errors(sitewatch_provider, tmp_path):
    site = make_site(tmp_path, after_epsg=None)
    structures = write_structures(site, tmp_path / "structures.gpkg")
    with pytest.raises(QgsProcessingException, match="no coordinate reference system"):
        processing.run(
            "sitewatch:changescore",
            {
                "BEFORE": str(site.before),
                "AFTER": str(site.after),
                "STRUCTURES": structures,
                "OUTPUT": "TEMPORARY_OUTPUT",
            },
        )


def _write_layer(path, geometry_type, wkbs) -> str:
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32637)
    layer = dataset.CreateLayer("layer", srs, geometry_type)
    for wkb in wkbs:
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetGeometry(ogr.CreateGeometryFromWkb(wkb))
        layer.CreateFeature(feature)
    dataset = None
    return f"{path}|layername=layer"


def test_bad_structures_and_output_are_refused_before_scoring(sitewatch_provider, tmp_path):
    site = make_site(tmp_path)
    structures = write_structures(site, tmp_path / "structures.gpkg")
    base = {"BEFORE": str(site.before), "AFTER": str(site.after), "OUTPUT": "TEMPORARY_OUTPUT"}
    empty = _write_layer(tmp_path / "empty.gpkg", ogr.wkbPolygon, [])
    with pytest.raises(QgsProcessingException, match="has no features: draw or import structures first"):
        processing.run("sitewatch:changescore", {**base, "STRUCTURES": empty})
    centres = [bytes(ogr.CreateGeometryFromWkb(w).Centroid().ExportToWkb()) for w in site.footprints]
    points = _write_layer(tmp_path / "points.gpkg", ogr.wkbPoint, centres)
    with pytest.raises(QgsProcessingException, match="needs footprint polygons"):
        processing.run("sitewatch:changescore", {**base, "STRUCTURES": points})
    missing = tmp_path / "no such folder" / "scored.gpkg"
    with pytest.raises(QgsProcessingException, match="does not exist"):
        processing.run("sitewatch:changescore", {**base, "STRUCTURES": structures, "OUTPUT": str(missing)})
    far = [bytes(ogr.CreateGeometryFromWkt("POLYGON((0 0,20 0,20 20,0 20,0 0))").ExportToWkb())]
    with pytest.raises(QgsProcessingException, match="None of the 1 structures lies where"):
        processing.run(
            "sitewatch:changescore", {**base, "STRUCTURES": _write_layer(tmp_path / "far.gpkg", ogr.wkbPolygon, far)}
        )


def test_bands_typed_for_qgis_process_are_read_or_explained(sitewatch_provider, qgis_process, tmp_path):
    site = make_site(tmp_path)
    structures = write_structures(site, tmp_path / "structures.gpkg")
    common = [
        "run",
        "sitewatch:changescore",
        "--",
        f"BEFORE={site.before}",
        f"AFTER={site.after}",
        f"STRUCTURES={structures}",
    ]
    done = qgis_process(*common, "BANDS=1,2", f"OUTPUT={tmp_path / 'two.gpkg'}")
    assert "band pairs [1, 2] (before) against [1, 2] (after)" in done.stdout + done.stderr
    refused = qgis_process(*common, "BANDS=abc", f"OUTPUT={tmp_path / 'bad.gpkg'}", check=False)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0
    assert output.count("'abc' is not a list of band numbers") == 1  # refused once, before running
    assert not (tmp_path / "bad.gpkg").exists()


def test_rerun_on_scored_layer_replaces_the_score_fields(sitewatch_provider, tmp_path):
    site = make_site(tmp_path)
    structures = write_structures(site, tmp_path / "structures.gpkg")
    first = processing.run(
        "sitewatch:changescore",
        {"BEFORE": str(site.before), "AFTER": str(site.after), "STRUCTURES": structures, "OUTPUT": "TEMPORARY_OUTPUT"},
    )
    second = processing.run(
        "sitewatch:changescore",
        {
            "BEFORE": str(site.before),
            "AFTER": str(site.after),
            "STRUCTURES": first["OUTPUT"],
            "OUTPUT": "TEMPORARY_OUTPUT",
        },
    )
    names = second["OUTPUT"].fields().names()
    assert names.count("chg_score") == 1 and names.count("suggested") == 1
    ranks = np.array([f["chg_rank"] for f in second["OUTPUT"].getFeatures()])
    assert sorted(ranks) == list(range(1, 37))
