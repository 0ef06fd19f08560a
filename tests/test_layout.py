"""Architecture rules: core/ has no widgets, Qt comes only through qgis.PyQt, Qt 6-ready calls."""

from __future__ import annotations

import ast
import re

from sitewatch.tests.helpers.constants import REPO

PLUGIN_DIRS = ("core", "ui", "processing")


GUI_MODULES = ("qgis.gui", "qgis.utils", "qgis.PyQt.QtWidgets", "processing")


EXEC_UNDERSCORE = "exec" + "_("


def python_files(*folders: str):
    for folder in folders:
        yield from sorted((REPO / folder).rglob("*.py"))


def imported_modules(path) -> list[str]:
    """Every module a file imports, as absolute names: ``from qgis import gui`` gives
    ``qgis.gui``; relative imports are resolved to ``sitewatch.…``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ["sitewatch", *path.relative_to(REPO).parent.parts]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            found.append(module)
            found += [f"{module}.{alias.name}" for alias in node.names]
    return found


def test_core_imports_no_widgets_nor_iface():
    scanned = list(python_files("core"))
    assert len(scanned) > 40 and any(p.parent.name == "scoring" for p in scanned), "the scan must see sub-packages"
    offenders = {
        str(path.relative_to(REPO)): module
        for path in python_files("core")
        for module in imported_modules(path)
        if module.endswith(".iface")
        or module.startswith(GUI_MODULES)
        or module.startswith(("sitewatch.ui", "sitewatch.processing", "sitewatch.plugin"))
    }
    assert offenders == {}


def test_qt_only_through_qgis_pyqt_and_no_exec_underscore():
    for path in python_files(*PLUGIN_DIRS, "tests"):
        text = path.read_text(encoding="utf-8")
        modules = imported_modules(path)
        assert not [m for m in modules if m.startswith(("PyQt5", "PyQt6", "PySide"))], path
        assert EXEC_UNDERSCORE not in text, path


def test_init_holds_only_class_factory():
    tree = ast.parse((REPO / "__init__.py").read_text())
    top_level = [node for node in tree.body if not isinstance(node, ast.Expr)]
    assert [type(n).__name__ for n in top_level] == ["FunctionDef"]
    assert top_level[0].name == "classFactory"


def test_numpy_and_gdal_are_debians_not_a_pip_copy():
    """A pip-installed numpy (pulled in by some test tool) would shadow the one GDAL's bindings
    and QGIS are built against, and crash QGIS in the middle of the suite."""
    import numpy
    from osgeo import gdal_array

    assert numpy.__file__.startswith("/usr/lib/python3/dist-packages/"), numpy.__file__
    assert gdal_array.OpenArray(numpy.zeros((2, 2), dtype=numpy.uint8)) is not None


DEPRECATED_ENUMS = re.compile(
    r"QgsWkbTypes\.(Type|GeometryType)\b|QgsProcessing\.SourceType\b|QgsFeatureRequest\.Flag\b"
    r"|QgsProcessingParameterNumber\.Type\b|QgsUnitTypes\.(DistanceUnit|LayoutUnit)\b"
    r"|QgsCoordinateReferenceSystem\.WktVariant\b|QgsGeometry\.ValidationMethod\b|\.type\(\) [!=]= \d"
)


def test_core_and_processing_use_no_enum_aliases_that_vanish_in_qgis_4():
    scanned = list(python_files("core", "processing"))
    assert len(scanned) > 40 and any(p.parent.name == "algorithms" for p in scanned), "the scan must see sub-packages"
    found = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in scanned
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if DEPRECATED_ENUMS.search(line)
    ]
    assert found == []


def test_the_plugin_imports_nothing_the_zip_leaves_out():
    """scripts/, tests/, bench/ and sample/ are not packaged: the plugin must not need them."""
    left_out = ("sitewatch.scripts", "sitewatch.tests", "sitewatch.bench", "sitewatch.sample")
    offenders = {
        str(path.relative_to(REPO)): module
        for path in python_files(*PLUGIN_DIRS)
        for module in imported_modules(path)
        if module.startswith(left_out)
    }
    assert offenders == {}


def test_no_module_is_over_400_lines():
    """Short modules with one job: a module that grows past 400 lines gets split by concept."""
    folders = (*PLUGIN_DIRS, "tests", "bench", "scripts", "sample")
    long = {str(p.relative_to(REPO)): n for p in python_files(*folders) if (n := len(p.read_text().splitlines())) > 400}
    assert long == {}
