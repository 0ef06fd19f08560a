"""QGIS 4 / Qt 6 readiness, checked statically: find Qt5-only API in the plugin's Python.

    python scripts/check_qt6.py [PATH ...]     # default: core/ ui/ processing/ plugin.py __init__.py

Prints one line per finding, ``path:line: what → replacement``, and exits 1 when there is any.
The names come from scripts/qt6_scoped_enums.json, so the check needs neither PyQt6 nor QGIS.
Rebuild that file when PyQt6 or QGIS change (each part in the interpreter that has the library):

    <venv with PyQt6>/bin/python scripts/check_qt6.py --regenerate qt
    /usr/bin/python3 scripts/check_qt6.py --regenerate qgis    # the QGIS 3.40 install

The fixed rules below follow the lists in QGIS's scripts/pyqt5_to_pyqt6/pyqt5_to_pyqt6.py.
"""

from __future__ import annotations

import argparse
import ast
import enum
import importlib
import inspect
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).with_name("qt6_scoped_enums.json")
PLUGIN_PARTS = ("core", "ui", "processing", "plugin.py", "__init__.py")
QT_MODULES = ("QtCore", "QtGui", "QtWidgets", "QtSvg", "QtXml", "QtNetwork", "QtPrintSupport", "QtSql", "QtTest")
QGIS_MODULES = ("qgis.core", "qgis.gui", "qgis.analysis")

# QVariant.<type> → QMetaType.Type.<name> where the name changed (the others keep theirs).
QMETATYPE_RENAMES = {
    "Invalid": "UnknownType", "BitArray": "QBitArray", "Bitmap": "QBitmap", "Brush": "QBrush",
    "ByteArray": "QByteArray", "Char": "QChar", "Color": "QColor", "Cursor": "QCursor", "Date": "QDate",
    "DateTime": "QDateTime", "EasingCurve": "QEasingCurve", "Uuid": "QUuid", "ModelIndex": "QModelIndex",
    "PersistentModelIndex": "QPersistentModelIndex", "Font": "QFont", "Hash": "QVariantHash", "Icon": "QIcon",
    "Image": "QImage", "KeySequence": "QKeySequence", "Line": "QLine", "LineF": "QLineF", "List": "QVariantList",
    "Locale": "QLocale", "Map": "QVariantMap", "Transform": "QTransform", "Matrix4x4": "QMatrix4x4",
    "Palette": "QPalette", "Pen": "QPen", "Pixmap": "QPixmap", "Point": "QPoint", "PointF": "QPointF",
    "Polygon": "QPolygon", "PolygonF": "QPolygonF", "Quaternion": "QQuaternion", "Rect": "QRect", "RectF": "QRectF",
    "RegularExpression": "QRegularExpression", "Region": "QRegion", "Size": "QSize", "SizeF": "QSizeF",
    "SizePolicy": "QSizePolicy", "String": "QString", "StringList": "QStringList", "TextFormat": "QTextFormat",
    "TextLength": "QTextLength", "Time": "QTime", "Url": "QUrl", "Vector2D": "QVector2D", "Vector3D": "QVector3D",
    "Vector4D": "QVector4D", "UserType": "User",
}  # fmt: skip
RENAMED_ENUMS = {
    ("Qt", "MidButton"): "Qt.MouseButton.MiddleButton",
    ("Qt", "TextColorRole"): "Qt.ItemDataRole.ForegroundRole",
    ("Qt", "BackgroundColorRole"): "Qt.ItemDataRole.BackgroundRole",
    ("QPainter", "HighQualityAntialiasing"): "QPainter.RenderHint.Antialiasing",
}
REMOVED_NAMES = {
    "QRegExp": "QRegularExpression",
    "QRegExpValidator": "QRegularExpressionValidator",
    "QDesktopWidget": "QGuiApplication.primaryScreen() / QScreen",
    "qApp": "QApplication.instance()",
    "resources_rc": "load icons and .ui files by file path (no compiled resources in Qt 6)",
    "resources": "load icons and .ui files by file path (no compiled resources in Qt 6)",
}
RENAMED_METHODS = {"exec_": "exec", "print_": "print"}
# Qt 5 event positions; Qt 6 deprecates them. QgsMapMouseEvent.originalPixelPoint() works on QGIS 3 and 4.
EVENT_METHODS = {
    "pos": "originalPixelPoint() (QgsMapMouseEvent) or position().toPoint()",
    "globalPos": "globalPosition().toPoint()",
    "localPos": "position()",
    "windowPos": "scenePosition()",
    "screenPos": "globalPosition()",
    "posF": "position()",
    "delta": "angleDelta().y()",
}
EVENT_NAME = re.compile(r"^(e|ev|evt|event|\w+_event)$")


def load_data(path: Path = DATA) -> dict:
    """The committed tables: enums (class → {member: scoped}), bases, and the Qt 6 module of each name."""
    data = json.loads(path.read_text(encoding="utf-8"))
    merged: dict = {"enums": {}, "bases": {}, "modules": data["qt"]["modules"]}
    for part in ("qt", "qgis"):
        merged["enums"].update(data[part]["enums"])
        merged["bases"].update(data[part]["bases"])
    return merged


class Checker(ast.NodeVisitor):
    """Collects (line, what, replacement) for one module."""

    def __init__(self, data: dict) -> None:
        self.data = data
        self.findings: list[tuple[int, str, str]] = []
        self.metrics: set[str] = set()  # names bound to a QFontMetrics

    def report(self, node: ast.AST, what: str, replacement: str) -> None:
        self.findings.append((getattr(node, "lineno", 0), what, replacement))

    def scoped(self, cls: str, member: str) -> str | None:
        """The Qt 6 / QGIS 4 scoped name of cls.member, looking through the base classes."""
        todo, seen = [cls], set()
        while todo:
            name = todo.pop(0)
            if name in seen:
                continue
            seen.add(name)
            found = self.data["enums"].get(name, {}).get(member)
            if found:
                return found
            todo.extend(self.data["bases"].get(name, []))
        return None

    def alias(self, node: ast.Attribute) -> str | None:
        """The new name when node is an enum type moved away, e.g. QgsWkbTypes.GeometryType → Qgis.GeometryType."""
        owner = _name_of(node.value)
        scoped = self.scoped(owner, node.attr) if owner else None
        return scoped if scoped and scoped.count(".") < 2 else None

    def check_name(self, node: ast.AST, name: str, module: str | None) -> None:
        """A name imported from (or looked up in) a Qt module: removed, or moved to another module."""
        if name in REMOVED_NAMES:
            self.report(node, f"{name} (removed in Qt 6)", REMOVED_NAMES[name])
            return
        if module is None:
            return
        home = self.data["modules"].get(name)
        if home is None:
            self.report(node, f"{module}.{name} (not in Qt 6)", "a Qt 6 equivalent")
        elif home != module:
            self.report(node, f"{name} from {module}", f"from qgis.PyQt.{home} import {name}")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        last = (node.module or "").split(".")[-1]
        module = last if last in QT_MODULES and "PyQt" in (node.module or "") else None
        for alias in node.names:
            self.check_name(node, alias.name, module)
        if last in ("resources_rc", "resources"):
            self.check_name(node, last, None)
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            last = alias.name.split(".")[-1]
            if last in ("resources_rc",):
                self.check_name(node, last, None)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id == "qApp":
            self.check_name(node, node.id, None)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if node.name in RENAMED_METHODS:
            self.report(node, f"def {node.name}", f"def {RENAMED_METHODS[node.name]}")
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        if self.is_metrics(node.value):
            self.metrics.update(t.id for t in node.targets if isinstance(t, ast.Name))
        self.generic_visit(node)

    def is_metrics(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.metrics
        if isinstance(node, ast.Call):
            func = node.func
            return (isinstance(func, ast.Name) and func.id in ("QFontMetrics", "QFontMetricsF")) or (
                isinstance(func, ast.Attribute) and func.attr == "fontMetrics"
            )
        return False

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            receiver = func.value
            if func.attr in RENAMED_METHODS:
                self.report(node, f".{func.attr}()", f".{RENAMED_METHODS[func.attr]}()")
            elif func.attr == "qInitResources":
                self.check_name(node, "resources_rc", None)
            elif func.attr == "desktop" and not node.args:
                self.check_name(node, "QDesktopWidget", None)
            elif func.attr == "width" and self.is_metrics(receiver):
                self.report(node, "QFontMetrics.width()", "horizontalAdvance()")
            elif func.attr in EVENT_METHODS and isinstance(receiver, ast.Name) and EVENT_NAME.match(receiver.id):
                self.report(node, f"{receiver.id}.{func.attr}()", f"{receiver.id}.{EVENT_METHODS[func.attr]}")
        elif _name_of(func) == "QVariant" and _is_null_variant(node.args):
            self.report(node, "null QVariant()", "NULL (from qgis.core)")
            return
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.value, ast.Attribute) and node.value.attr == "activated" and _name_of(node.slice) == "str":
            self.report(node, "activated[str]", "textActivated")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        owner, member = _name_of(node.value), node.attr
        if owner == "QVariant" and member[:1].isupper():
            if member == "Type":
                self.report(node, "QVariant.Type", "QMetaType.Type")
            else:
                self.report(node, f"QVariant.{member}", f"QMetaType.Type.{QMETATYPE_RENAMES.get(member, member)}")
        elif (owner, member) in RENAMED_ENUMS:
            self.report(node, f"{owner}.{member} (removed)", RENAMED_ENUMS[(owner, member)])
        elif owner in QT_MODULES:
            self.check_name(node, member, owner)
        elif isinstance(node.value, ast.Attribute) and (alias := self.alias(node.value)):
            outer = _name_of(node.value.value)
            scoped = self.scoped(outer, member) if outer else None
            self.report(node, f"{outer}.{owner}.{member} (enum alias)", scoped or f"{alias}.{member}")
            return
        elif owner and (scoped := self.scoped(owner, member)):
            kind = "unscoped enum" if scoped.count(".") >= 2 else "enum alias"
            self.report(node, f"{owner}.{member} ({kind})", scoped)
        self.generic_visit(node)


def _name_of(node: ast.AST) -> str | None:
    """The last name of a Name or dotted Attribute (QtCore.Qt → Qt)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_null_variant(args: list[ast.expr]) -> bool:
    """QVariant() or QVariant(QVariant.Int): QGIS 4 wants qgis.core.NULL."""
    return not args or (len(args) == 1 and isinstance(args[0], ast.Attribute) and _name_of(args[0].value) == "QVariant")


def check_source(source: str, data: dict, filename: str = "<source>") -> list[tuple[int, str, str]]:
    checker = Checker(data)
    checker.visit(ast.parse(source, filename=filename))
    return sorted(set(checker.findings))


def python_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)
        elif path.suffix == ".py":
            yield path


def check_paths(paths: Iterable[Path], data: dict | None = None) -> list[str]:
    """Finding lines, ``path:line: what → replacement``, paths relative to the plugin root when inside it."""
    data = data or load_data()
    lines = []
    for path in python_files(paths):
        shown = path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path
        for line, what, replacement in check_source(path.read_text(encoding="utf-8"), data, str(path)):
            lines.append(f"{shown}:{line}: {what} → {replacement}")
    return lines


# --- regeneration (needs PyQt6, or QGIS; never run by the check itself) -------------------------


def _enum_table(classes: dict[str, type], scoped_of) -> tuple[dict, dict]:
    """class → {unscoped member: scoped name} and class → [base classes that are in the table]."""
    enums: dict[str, dict[str, str]] = {}
    for name, cls in classes.items():
        for key, value in vars(cls).items():
            scoped = scoped_of(cls, key, value)
            for member, full in scoped:
                if hasattr(cls, member) and member != key:
                    continue  # a clash with a method or class of the same name: access stays valid
                table = enums.setdefault(name, {})
                table[member] = full if table.get(member, full) == full else f"{table[member]} or {full}"
    bases = {n: [b.__name__ for b in c.__bases__ if b.__name__ != "object"] for n, c in classes.items()}
    return enums, {n: b for n, b in bases.items() if b}


def _qt_part() -> dict:
    from PyQt6 import QtCore  # noqa: TID251 - reading PyQt6 itself is the point

    classes: dict[str, type] = {}
    modules: dict[str, str] = {}
    for short in QT_MODULES:
        module = importlib.import_module(f"PyQt6.{short}")
        for name, value in vars(module).items():
            if not name.startswith("_"):
                modules.setdefault(name, short)
            if inspect.isclass(value) and name.startswith("Q"):
                classes[name] = value

    def scoped_of(cls: type, key: str, value: object) -> list[tuple[str, str]]:
        if inspect.isclass(value) and issubclass(value, enum.Enum):
            return [(m.name, f"{cls.__name__}.{key}.{m.name}") for m in value]
        return []

    enums, bases = _enum_table(classes, scoped_of)
    return {"source": f"PyQt6 {QtCore.PYQT_VERSION_STR}", "enums": enums, "bases": bases, "modules": modules}


def _qgis_part() -> dict:
    from qgis.core import Qgis

    classes = {
        name: value
        for module in QGIS_MODULES
        for name, value in vars(importlib.import_module(module)).items()
        if inspect.isclass(value) and (name.startswith("Qgs") or name == "Qgis")
    }

    def scoped_of(cls: type, key: str, value: object) -> list[tuple[str, str]]:
        kind = type(value)
        if inspect.isclass(value) and issubclass(value, enum.Enum) and value.__qualname__ != f"{cls.__name__}.{key}":
            return [(key, value.__qualname__)]  # an enum moved to Qgis, e.g. QgsFeatureRequest.Flag
        if isinstance(value, enum.Enum) and getattr(value, "is_monkey_patched", False):
            return [(key, f"{kind.__qualname__}.{value.name}")]  # alias QGIS 4 drops, e.g. QgsWkbTypes.Point
        if type(kind).__name__ == "enumtype" and kind.__qualname__.startswith(f"{cls.__name__}."):
            return [(key, f"{kind.__qualname__}.{key}")]  # sip enum of PyQt5 builds, scoped under PyQt6
        return []

    enums, bases = _enum_table(classes, scoped_of)
    return {"source": f"QGIS {Qgis.version()}", "enums": enums, "bases": bases}


def regenerate(part: str) -> None:
    data = json.loads(DATA.read_text(encoding="utf-8")) if DATA.exists() else {"qt": {}, "qgis": {}}
    data[part] = _qt_part() if part == "qt" else _qgis_part()
    DATA.write_text(json.dumps(data, indent=0, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{DATA.name}: {part} from {data[part]['source']}, {sum(map(len, data[part]['enums'].values()))} members")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the plugin's code)")
    parser.add_argument("--regenerate", choices=("qt", "qgis"), help="rebuild one part of the JSON from PyQt6/QGIS")
    args = parser.parse_args(argv)
    if args.regenerate:
        regenerate(args.regenerate)
        return 0
    findings = check_paths(args.paths or [ROOT / part for part in PLUGIN_PARTS])
    print("\n".join(findings) if findings else "Qt 6 check: no Qt5-only API found")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
