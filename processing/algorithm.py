"""What every SiteWatch algorithm shares: icon, group, help, and error translation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingParameterDefinition,
)
from qgis.PyQt.QtGui import QIcon

from ..core.errors import SiteWatchError
from .choice import ChoiceParameter

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"

Parameters = dict[str, Any]
"""A Processing parameter map: parameter name → value as given (QGIS passes values of any type)."""
Results = dict[str, Any]
"""What ``processAlgorithm`` returns: output name → value."""


class SiteWatchAlgorithm(QgsProcessingAlgorithm):  # type: ignore[misc]  # QGIS has no stubs: the base is Any
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

    def displayName(self) -> str:
        return self.DISPLAY_NAME

    def group(self) -> str:
        return self.GROUP

    def groupId(self) -> str:
        return self.GROUP_ID

    def icon(self) -> QIcon:
        return QIcon(str(ICON_DIR / f"{self.ICON}.svg"))

    def addParameter(self, definition: QgsProcessingParameterDefinition, createOutput: bool = True) -> bool:  # noqa: N803
        help_text = self.PARAMETER_HELP.get(definition.name())
        if help_text:
            definition.setHelp(help_text[0].upper() + help_text[1:])
        return bool(super().addParameter(definition, createOutput))

    def shortHelpString(self) -> str:
        lines = []
        for name, text in self.PARAMETER_HELP.items():
            definition = self.parameterDefinition(name)
            lines.append(f"<b>{definition.description() if definition is not None else name}</b>: {text}")
        parts = [self.HELP, "\n".join(lines), self.HELP_NOTES]
        return "\n\n".join(part for part in parts if part)

    def checkParameterValues(self, parameters: Parameters, context: QgsProcessingContext) -> tuple[bool, str]:
        """QGIS's checks of each value, then ``check_inputs``.

        Bad input is refused here rather than by raising in ``processAlgorithm``: QGIS 3.40
        reports an exception raised while running three times in ``qgis_process`` (logged by
        ``QgsProcessingAlgorithm::runPrepared``, printed by the console feedback and logged again
        by ``QgsProcessingFeedback::reportError``), a refusal here once; the dialog shows it
        before starting and ``processing.run`` raises it as a QgsProcessingException."""
        for definition in self.parameterDefinitions():
            if isinstance(definition, ChoiceParameter):
                try:
                    definition.names(parameters, context)
                except QgsProcessingException as error:
                    return False, str(error)
        checked, message = super().checkParameterValues(parameters, context)
        if not checked:
            return checked, message
        try:
            self.check_inputs(parameters, context)
        except (SiteWatchError, QgsProcessingException) as error:
            return False, str(error)
        return True, ""

    def check_inputs(self, parameters: Parameters, context: QgsProcessingContext) -> None:
        """Raise a SiteWatchError or QgsProcessingException naming what is wrong with the input
        (checked before the algorithm runs); by default nothing."""

    def createInstance(self) -> SiteWatchAlgorithm:
        return type(self)()
