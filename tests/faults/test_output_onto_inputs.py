"""No algorithm writes onto one of its inputs, onto an assessment or over a GeoPackage's other
layers: the run is refused with a message naming the file, and no file changes."""

from __future__ import annotations

import shutil

import pytest
from osgeo import ogr, osr
from qgis.core import QgsProcessingException

import processing
from sitewatch.tests.helpers.change_pair import make_site, write_footprints
from sitewatch.tests.helpers.export_site import AFTER
from sitewatch.tests.helpers.faults import checksums


def _structures(site, path) -> str:
    """The footprints, in a GeoPackage that also holds a second (notes) table."""
    source = write_footprints(site, path)
    dataset = ogr.Open(str(path), 1)
    dataset.CreateLayer("notes", None, ogr.wkbNone)
    dataset = None
    return source


@pytest.fixture
def change_inputs(tmp_path):
    site = make_site(tmp_path)
    return site, _structures(site, tmp_path / "structures.gpkg")


def _damage_parameters(assessment_path, output) -> dict:
    return {
        "STRUCTURES": f"{assessment_path}|layername=structures",
        "OBSERVATIONS": f"{assessment_path}|layername=observations",
        "COMPOUNDS": f"{assessment_path}|layername=compounds",
        "AFTER_DATE": AFTER,
        "OUTPUT": str(output),
    }


def test_changescore_onto_the_assessment_is_refused_and_changes_nothing(
    sitewatch_provider, site_path, change_inputs, qgis_process
):
    site, _ = change_inputs
    folder = site_path.parent
    before = checksums(folder)
    parameters = {
        "BEFORE": str(site.before),
        "AFTER": str(site.after),
        "STRUCTURES": f"{site_path}|layername=structures",
        "OUTPUT": str(site_path),
    }
    with pytest.raises(QgsProcessingException, match="is also the input STRUCTURES"):
        processing.run("sitewatch:changescore", parameters)
    cli = qgis_process("run", "sitewatch:changescore", "--", *[f"{k}={v}" for k, v in parameters.items()], check=False)
    assert cli.returncode != 0 and "is also the input STRUCTURES" in cli.stdout + cli.stderr
    assert checksums(folder) == before


def test_changescore_onto_another_assessment_is_refused(sitewatch_provider, site_path, change_inputs, tmp_path):
    site, structures = change_inputs
    (tmp_path / "out").mkdir()
    other = tmp_path / "out" / "other.gpkg"
    shutil.copy(site_path, other)
    before = checksums(tmp_path / "out")
    parameters = {"BEFORE": str(site.before), "AFTER": str(site.after), "STRUCTURES": structures, "OUTPUT": str(other)}
    with pytest.raises(QgsProcessingException, match="is a SiteWatch assessment"):
        processing.run("sitewatch:changescore", parameters)
    assert checksums(tmp_path / "out") == before


def test_changescore_over_a_geopackage_with_other_layers_is_refused_but_may_add_a_layer(
    sitewatch_provider, change_inputs, tmp_path
):
    site, structures = change_inputs
    (tmp_path / "out").mkdir()
    keep = tmp_path / "out" / "keep.gpkg"
    shutil.copy(structures.split("|")[0], keep)
    before = checksums(tmp_path / "out")
    parameters = {"BEFORE": str(site.before), "AFTER": str(site.after), "STRUCTURES": structures, "OUTPUT": str(keep)}
    with pytest.raises(QgsProcessingException, match="holding 2 layers .*lose them"):
        processing.run("sitewatch:changescore", parameters)
    assert checksums(tmp_path / "out") == before
    processing.run("sitewatch:changescore", dict(parameters, OUTPUT=f"ogr:dbname='{keep}' table=\"scored\" (geom)"))
    dataset = ogr.Open(str(keep))
    assert sorted(dataset.GetLayer(i).GetName() for i in range(dataset.GetLayerCount())) == [
        "notes",
        "scored",
        "structures",
    ]
    assert dataset.GetLayerByName("scored").GetFeatureCount() == len(site.footprints)


def test_compounddamage_onto_the_assessment_is_refused_and_changes_nothing(sitewatch_provider, site_path, qgis_process):
    folder = site_path.parent
    before = checksums(folder)
    parameters = _damage_parameters(site_path, site_path)
    with pytest.raises(QgsProcessingException, match="is also the input STRUCTURES"):
        processing.run("sitewatch:compounddamage", parameters)
    cli = qgis_process(
        "run", "sitewatch:compounddamage", "--", *[f"{k}={v}" for k, v in parameters.items()], check=False
    )
    assert cli.returncode != 0 and "is also the input STRUCTURES" in cli.stdout + cli.stderr
    assert checksums(folder) == before


def test_compounddamage_rerun_replaces_its_own_single_layer_output(sitewatch_provider, site_path, tmp_path):
    output = tmp_path / "damage.gpkg"
    first = processing.run("sitewatch:compounddamage", _damage_parameters(site_path, output))
    second = processing.run("sitewatch:compounddamage", _damage_parameters(site_path, output))
    assert first["OUTPUT"] == second["OUTPUT"] == str(output)
    assert ogr.Open(str(output)).GetLayer(0).GetFeatureCount() == 5  # 3 compounds, UNASSIGNED, ALL
    assert [p.name for p in tmp_path.iterdir()] == ["damage.gpkg"]  # nothing left aside


def test_compounddamage_refuses_point_structures_given_by_path(sitewatch_provider, site_path, tmp_path):
    points = tmp_path / "points.gpkg"
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(points))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32637)
    layer = dataset.CreateLayer("structures", srs, ogr.wkbPoint)
    layer.CreateField(ogr.FieldDefn("structure_id", ogr.OFTString))
    layer.CreateField(ogr.FieldDefn("type", ogr.OFTString))
    dataset = None
    parameters = dict(_damage_parameters(site_path, tmp_path / "out.gpkg"), STRUCTURES=str(points))
    with pytest.raises(QgsProcessingException, match="holds Point features, not polygons"):
        processing.run("sitewatch:compounddamage", parameters)
    assert not (tmp_path / "out.gpkg").exists()
