"""What every SiteWatch algorithm shares: icon, group, help, and error translation."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingAlgorithm, QgsProcessingParameterDefinition
from qgis.PyQt.QtGui import QIcon

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"


class SiteWatchAlgorithm(QgsProcessingAlgorithm):
    """Base of the SiteWatch algorithms. Subclasses set the class attributes below.

    The help panel is ``HELP``, then one line per parameter in ``PARAMETER_HELP`` order
    (``<b>description</b>: help``), then ``HELP_NOTES``; each parameter also gets its
    ``PARAMETER_HELP`` text as its tooltip in the dialog."""

    NAME = ""
    DISPLAY_NAME = ""
    GROUP = ""
    GROUP_ID = ""
    ICON = "sitewatch"
    HELP = ""
    """What the algorithm does (the first paragraph of the help)."""
    PARAMETER_HELP: dict[str, str] = {}
    """Parameter name → what it means and its default."""
    HELP_NOTES = ""
    """Anything said after the parameters (results, caveats)."""

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

    def addParameter(self, definition: QgsProcessingParameterDefinition, createOutput: bool = True) -> bool:  # noqa: N802, N803
        help_text = self.PARAMETER_HELP.get(definition.name())
        if help_text:
            definition.setHelp(help_text[0].upper() + help_text[1:])
        return super().addParameter(definition, createOutput)

    def shortHelpString(self) -> str:  # noqa: N802
        lines = []
        for name, text in self.PARAMETER_HELP.items():
            definition = self.parameterDefinition(name)
            lines.append(f"<b>{definition.description() if definition is not None else name}</b>: {text}")
        parts = [self.HELP, "\n".join(lines), self.HELP_NOTES]
        return "\n\n".join(part for part in parts if part)

    def createInstance(self):  # noqa: N802
        return type(self)()
