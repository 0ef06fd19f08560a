"""Icons from ``resources/icons``."""

from pathlib import Path

from qgis.PyQt.QtGui import QIcon

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"


def icon(name: str) -> QIcon:
    return QIcon(str(ICON_DIR / f"{name}.svg"))
