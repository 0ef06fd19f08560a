"""sitewatch:exportreport through processing.run and a real qgis_process: same files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from osgeo import ogr
from qgis.core import QgsProcessingException

import processing
from sitewatch.tests.helpers.export_site import AFTER, BEFORE

TIMESTAMPED_SUFFIXES = (".gpkg", ".dbf", ".pdf")
"""Files whose bytes carry the time they were written; compared by content instead."""


def vector_content(path: Path) -> list[tuple]:
    """Every layer's name, fields, CRS and features (attributes and WKT) of a vector file."""
    dataset = ogr.Open(str(path))
    content = []
    for layer in dataset:
        srs = layer.GetSpatialRef()
        definition = layer.GetLayerDefn()
        fields = [
            (definition.GetFieldDefn(i).GetName(), definition.GetFieldDefn(i).GetTypeName())
            for i in range(definition.GetFieldCount())
        ]
        features = [
            (
                tuple(f.GetField(i) for i in range(len(fields))),
                f.GetGeometryRef().ExportToWkt() if f.GetGeometryRef() else None,
            )
            for f in layer
        ]
        content.append((layer.GetName(), srs.ExportToWkt() if srs else None, fields, features))
    return content


def manifest_without_timestamps(folder: Path) -> dict:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    del manifest["created_at"]
    manifest["parameters"].pop("output_folder")
    manifest["files"] = [
        {k: v for k, v in entry.items() if k == "file" or not entry["file"].endswith(TIMESTAMPED_SUFFIXES)}
        for entry in manifest["files"]
    ]
    return manifest


def test_processing_run_and_qgis_process_give_identical_files(sitewatch_provider, qgis_process, site_path, tmp_path):
    from_run, from_cli = tmp_path / "run", tmp_path / "cli"
    result = processing.run(
        "sitewatch:exportreport",
        {
            "ASSESSMENT": str(site_path),
            "AFTER_DATE": AFTER,
            "BEFORE_DATE": BEFORE,
            "SCHEME": "unosat",
            "REPORT": False,
            "OUTPUT_FOLDER": str(from_run),
        },
    )
    assert result["OUTPUT_FOLDER"] == str(from_run) and result["REPORT_PDF"] is None
    assert result["MANIFEST"] == str(from_run / "manifest.json")
    cli = qgis_process(
        "run",
        "sitewatch:exportreport",
        "--json",
        "--",
        f"ASSESSMENT={site_path}",
        f"AFTER_DATE={AFTER}",
        f"BEFORE_DATE={BEFORE}",
        "SCHEME=unosat",
        "REPORT=false",
        f"OUTPUT_FOLDER={from_cli}",
    )
    assert json.loads(cli.stdout)["results"]["OUTPUT_FOLDER"] == str(from_cli)
    names = sorted(p.name for p in from_run.iterdir())
    assert names == sorted(p.name for p in from_cli.iterdir())
    assert len(names) > 30
    for name in names:
        first, second = from_run / name, from_cli / name
        if name.endswith((".gpkg", ".shp", ".geojson", ".kml")):
            assert vector_content(first) == vector_content(second), name
        elif name != "manifest.json" and not name.endswith(TIMESTAMPED_SUFFIXES):
            assert first.read_bytes() == second.read_bytes(), name
    assert manifest_without_timestamps(from_run) == manifest_without_timestamps(from_cli)


def test_formats_and_scheme_parameters(sitewatch_provider, site_path, tmp_path):
    processing.run(
        "sitewatch:exportreport",
        {
            "ASSESSMENT": str(site_path),
            "AFTER_DATE": AFTER,
            "FORMATS": ["ESRI Shapefile", "KML"],
            "SCHEME": "xbd",
            "REPORT": False,
            "OUTPUT_FOLDER": str(tmp_path / "out"),
        },
    )
    suffixes = {p.suffix for p in (tmp_path / "out").iterdir()}
    assert suffixes == {".shp", ".shx", ".dbf", ".prj", ".cpg", ".kml", ".csv", ".csvt", ".json"}
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["parameters"]["scheme"] == "xbd" and manifest["parameters"]["before_date"] == BEFORE


def test_bad_input_is_a_processing_error_naming_the_problem(sitewatch_provider, site_path, tmp_path):
    with pytest.raises(QgsProcessingException, match="outside the imagery"):
        processing.run(
            "sitewatch:exportreport",
            {
                "ASSESSMENT": str(site_path),
                "AFTER_DATE": "2024-01-01",
                "REPORT": False,
                "OUTPUT_FOLDER": str(tmp_path / "out"),
            },
        )
    (tmp_path / "out").mkdir()
    with pytest.raises(QgsProcessingException, match="already exists"):
        processing.run(
            "sitewatch:exportreport",
            {
                "ASSESSMENT": str(site_path),
                "AFTER_DATE": AFTER,
                "REPORT": False,
                "OUTPUT_FOLDER": str(tmp_path / "out"),
            },
        )
    assert list((tmp_path / "out").iterdir()) == []


def test_qgis_process_rejects_an_unknown_format(qgis_process, site_path, tmp_path):
    failed = qgis_process(
        "run",
        "sitewatch:exportreport",
        "--",
        f"ASSESSMENT={site_path}",
        f"AFTER_DATE={AFTER}",
        "FORMATS=Excel",
        "REPORT=false",
        f"OUTPUT_FOLDER={tmp_path / 'out'}",
        check=False,
    )
    assert failed.returncode != 0
    assert "Excel" in failed.stdout + failed.stderr
    assert not (tmp_path / "out").exists()
