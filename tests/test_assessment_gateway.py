"""The store is the one gateway to an assessment: only its modules open one for writing.

The scan is recursive and checks it found the plugin's modules, so it cannot pass on an empty
or moved folder."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sitewatch.tests.helpers.constants import REPO

PLUGIN_DIRS = ("core", "ui", "processing")
STORE_MODULES = {
    "core/assessment/store.py",
    "core/assessment/geopackage.py",
    "core/assessment/geopackage_adopt.py",
    "core/assessment/geopackage_features.py",
    "core/assessment/geopackage_scores.py",
    "core/assessment/geopackage_sql.py",
    "core/assessment/postgis.py",
    "core/assessment/postgis_bulk.py",
    "core/assessment/postgis_connect.py",
    "core/assessment/postgis_copy.py",
    "core/assessment/postgis_listen.py",
    "core/assessment/postgis_schema.py",
    "core/assessment/postgis_setup.py",
    "core/assessment/postgis_sql.py",
    "core/assessment/postgis_validations.py",
    "core/assessment/geopackage_validations.py",
    "core/assessment/geopackage_validation_store.py",
    "core/assessment/upgrade.py",
    "core/assessment/geopackage_checks.py",
    "core/assessment/geopackage_cells.py",
    "core/assessment/geopackage_cell_store.py",
    "core/assessment/postgis_cells.py",
    "core/assessment/postgis_cell_store.py",
    "core/assessment/copy_extras.py",
    "core/assessment/export_rows.py",
}
WRITE_CALLS = {
    "addFeature",
    "addFeatures",
    "changeAttributeValues",
    "changeGeometryValues",
    "changeFeatures",
    "deleteFeatures",
    "saveStyleToDatabase",
    "startEditing",
    "commitChanges",
    "StartTransaction",
    "CommitTransaction",
    "executescript",
    "executemany",
}
ALLOWED_WRITES = {
    # (module, call): why it is not a write to an assessment
    ("core/export/report/map_product.py", "addFeatures"): "memory layers drawn on the PDF",
    ("core/export/report/compound_pages.py", "addFeatures"): "the memory coverage layer of the atlas",
    ("core/export/report/overview.py", "addFeatures"): "memory layers of the overview inset",
    ("core/export/series/frames.py", "addFeatures"): "the memory layer of statuses drawn on a series frame",
    ("processing/algorithms/compound_damage.py", "addFeatures"): "the algorithm's own output sink",
    ("processing/algorithms/change_score.py", "addFeature"): "the algorithm's own output sink",
    ("core/annotation/compounds.py", "addFeature"): "a spatial index in memory",
    ("processing/algorithms/accuracy.py", "addFeature"): "the algorithm's own output sink",
    ("processing/algorithms/site_history.py", "addFeature"): "the algorithm's own output sink",
    ("processing/algorithms/validation_sample.py", "addFeature"): "the algorithm's own output sink",
    ("core/export/formats.py", "StartTransaction"): "the export's own new files",
    ("core/export/formats.py", "CommitTransaction"): "the export's own new files",
}


def plugin_modules() -> list[Path]:
    found = [p for folder in PLUGIN_DIRS for p in sorted((REPO / folder).rglob("*.py"))]
    found.append(REPO / "plugin.py")
    return found


def relative(path: Path) -> str:
    return str(path.relative_to(REPO))


def test_the_scan_sees_every_concept_package():
    folders = {relative(p.parent) for p in plugin_modules()}
    for package in (
        "core/assessment",
        "core/annotation",
        "core/imagery",
        "core/scoring",
        "core/damage",
        "core/export",
        "core/export/report",
        "ui/annotation",
        "ui/compare",
        "ui/damage",
        "processing/algorithms",
    ):
        assert package in folders
    assert len(plugin_modules()) > 80


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def _opens_for_update(call: ast.Call) -> bool:
    """``ogr.Open(path, 1)``, ``gdal.Open(path, gdal.GA_Update)`` or ``update=True``."""
    mode = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "update"), None)
    if mode is None:
        return False
    if isinstance(mode, ast.Constant):
        return bool(mode.value)
    return not (isinstance(mode, ast.Attribute) and mode.attr == "GA_ReadOnly")


def _write_calls(tree: ast.AST) -> set[str]:
    calls: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name in WRITE_CALLS:
                calls.add(name)
            if name == "Open" and _opens_for_update(node):
                calls.add("Open for update")
        if isinstance(node, ast.Attribute) and node.attr == "OF_UPDATE":
            calls.add("gdal.OF_UPDATE")
    return calls


def offenders(modules: list[Path]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in modules:
        name = relative(path) if path.is_relative_to(REPO) else str(path)
        if name in STORE_MODULES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bad = {"import sqlite3"} if "sqlite3" in _imports(tree) else set()
        bad |= {call for call in _write_calls(tree) if (name, call) not in ALLOWED_WRITES}
        if bad:
            found[name] = bad
    return found


def test_only_the_store_opens_an_assessment_for_writing():
    assert offenders(plugin_modules()) == {}


@pytest.mark.parametrize(
    "code",
    [
        "import sqlite3\n",
        "from osgeo import ogr\nogr.Open(path, 1)\n",
        "from osgeo import gdal\ngdal.Open(path, gdal.GA_Update)\n",
        "from osgeo import gdal\ngdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_UPDATE)\n",
        "layer.dataProvider().changeAttributeValues({1: {0: 'x'}})\n",
        "layer.startEditing()\n",
    ],
)
def test_the_gateway_check_catches_each_kind_of_write(tmp_path, code):
    module = tmp_path / "sneaky.py"
    module.write_text(code)
    assert offenders([module]) != {}
