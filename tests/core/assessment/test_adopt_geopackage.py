"""A GeoPackage made elsewhere with the contract's layers: read as it is, then adopted."""

from __future__ import annotations

import csv

import pytest
from qgis.core import QgsVectorLayer

import processing
from sitewatch.core.assessment.geopackage_adopt import adopt, missing_internal
from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.store import open_assessment
from sitewatch.core.errors import SiteWatchError
from sitewatch.tests.helpers.foreign_gpkg import AFTER, BEFORE, row_checksums, tables, write_foreign_gpkg


def test_read_only_algorithms_take_it_as_it_is(sitewatch_provider, tmp_path):
    path = write_foreign_gpkg(tmp_path / "script.gpkg")
    before = path.read_bytes()
    out = tmp_path / "out"
    processing.run(
        "sitewatch:exportreport",
        {
            "ASSESSMENT": str(path),
            "AFTER_DATE": AFTER,
            "BEFORE_DATE": BEFORE,
            "FORMATS": "csv",
            "REPORT": False,
            "OUTPUT_FOLDER": str(out),
        },
    )
    with (out / f"script_{AFTER}_summary.csv").open(encoding="utf-8-sig") as stream:
        summary = {row["compound"]: row for row in csv.DictReader(stream)}
    assert (summary["K1"]["n_struct"], summary["K1"]["n_destroy"], summary["K1"]["n_severe"]) == ("4", "1", "1")
    damage = processing.run(
        "sitewatch:compounddamage",
        {
            "STRUCTURES": f"{path}|layername=structures",
            "OBSERVATIONS": f"{path}|layername=observations",
            "COMPOUNDS": f"{path}|layername=compounds",
            "AFTER_DATE": AFTER,
            "BEFORE_DATE": BEFORE,
            "OUTPUT": str(tmp_path / "damage.gpkg"),
        },
    )["OUTPUT"]
    rows = {f["compound"]: f for f in QgsVectorLayer(damage, "damage", "ogr").getFeatures()}
    assert (rows["K1"]["n_struct"], rows["K1"]["n_destroy"]) == (4, 1)
    assert path.read_bytes() == before  # nothing added: not even the optional removed_on field
    assert "made outside SiteWatch" in open_assessment(path).read_only_reason()


def test_adopt_adds_internal_tables_and_styles_leaving_rows_byte_identical(tmp_path):
    path = write_foreign_gpkg(tmp_path / "script.gpkg")
    checksums = row_checksums(path)
    assert set(missing_internal(path)) == {"observation_history", "sitewatch_meta", "layer_styles"}

    assert adopt(path, "Imam Ali base") == ["observation_history", "sitewatch_meta", "layer_styles"]

    assert row_checksums(path) == checksums
    assert {"observation_history", "sitewatch_meta", "layer_styles"} <= tables(path)
    store = open_assessment(path)
    assert store.read_only_reason() is None and store.metadata()["site_name"] == "Imam Ali base"
    assert store.layer("linear_features").fields().indexOf("removed_on") >= 0
    assert store.layer("structures").fields().indexOf("height_m") >= 0  # the script's own field is kept
    replaced = store.record_observation(Observation("B1", AFTER, "severe", "I2", "low", "reviewer"))
    assert replaced is not None and replaced.status == "destroyed"
    assert [(o.structure_id, reason) for o, _at, reason in store.history()] == [("B1", "replaced")]
    assert adopt(path) == []  # adopting twice changes nothing


def test_adopt_refuses_duplicate_ids_and_leaves_the_file_unchanged(tmp_path):
    path = write_foreign_gpkg(tmp_path / "script.gpkg", duplicate_id=True)
    before = path.read_bytes()
    with pytest.raises(SiteWatchError, match=r"'structures' has duplicate structure_id values \(B1\)"):
        adopt(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["script.gpkg"]


def test_adopt_through_qgis_process(qgis_process, tmp_path):
    path = write_foreign_gpkg(tmp_path / "script.gpkg")
    checksums = row_checksums(path)
    run = qgis_process("run", "sitewatch:adoptassessment", "--", f"ASSESSMENT={path}", "SITE_NAME=Depot")
    assert "observation_history" in run.stdout
    assert row_checksums(path) == checksums and missing_internal(path) == []


def test_writing_before_adopting_is_refused_and_writes_nothing(tmp_path):
    path = write_foreign_gpkg(tmp_path / "script.gpkg")
    before = path.read_bytes()
    store = open_assessment(path)
    for write in (
        lambda: store.record_observation(Observation("B1", AFTER, "severe")),
        lambda: store.delete_feature("structures", "B2", "deleted"),
    ):
        with pytest.raises(SiteWatchError, match="not adopted yet; nothing was written.*sitewatch:adoptassessment"):
            write()
    assert path.read_bytes() == before
