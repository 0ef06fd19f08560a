"""What every SiteWatch algorithm shares: icon, group, help, and error translation."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingAlgorithm
from qgis.PyQt.QtGui import QIcon

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"


class SiteWatchAlgorithm(QgsProcessingAlgorithm):
    """Base of the SiteWatch algorithms. Subclasses set the class attributes below."""

    NAME = ""
    DISPLAY_NAME = ""
    GROUP = ""
    GROUP_ID = ""
    ICON = "sitewatch"
    HELP = ""

    def name(self) -> str:
        return self.NAME

    def displayName(self) -> str:  # noqa: N802
        return self.DISPLAY_NAME

    def group(self) -> str:
        return self.GROUP

    def groupId(self) -> str:  # noqa: N802
        return self.GROUP_ID

    def icon(self) -> QIcon:
        return QIcon(str(ICON_DIR / f"{self.ICON}.svg"))

    def shortHelpString(self) -> str:  # noqa: N802
        return self.HELP

    def createInstance(self):  # noqa: N802
        return type(self)()
