"""The ``ASSESSMENT`` parameter shared by the algorithms that read an assessment: a GeoPackage
file, or a database location of the contract (``postgresql://USER@HOST:PORT/DBNAME?schema=NAME``,
``service=NAME schema=NAME``; see ``core/assessment/location.py``)."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    Qgis,
    QgsProcessingContext,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterFile,
    QgsProperty,
)

from ..core.assessment.location import is_database_location
from ..core.assessment.store import AssessmentStore, open_assessment

LOCATION_HELP = (
    "a GeoPackage (.gpkg) or a PostGIS assessment written as postgresql://USER@HOST:PORT/DBNAME?schema=NAME "
    "(libpq URI rules, e.g. ?host=/path/to/socket) or service=NAME schema=NAME; credentials come from "
    "~/.pgpass, pg_service.conf or authcfg=ID, never a password in the location"
)


class AssessmentParameter(QgsProcessingParameterFile):  # type: ignore[misc]  # QGIS has no stubs: the base is Any
    """A .gpkg file chooser that also accepts a database location typed in."""

    def __init__(self, name: str, description: str, optional: bool = False):
        super().__init__(name, description, Qgis.ProcessingFileParameterBehavior.File, "gpkg", None, optional)

    def clone(self) -> QgsProcessingParameterDefinition:
        copy = AssessmentParameter(
            self.name(), self.description(), bool(self.flags() & Qgis.ProcessingParameterFlag.Optional)
        )
        copy.setFlags(self.flags())
        copy.setHelp(self.help())
        return copy

    def checkValueIsAcceptable(self, value: Any, context: QgsProcessingContext | None = None) -> bool:
        if isinstance(value, str) and is_database_location(value):
            return True
        return bool(super().checkValueIsAcceptable(value, context))


def assessment_location(parameters: dict[str, Any], name: str, context: QgsProcessingContext) -> str:
    """The assessment location given as parameter ``name`` (a path or a database location)."""
    value = parameters.get(name)
    if isinstance(value, QgsProperty):
        value = value.valueAsString(context.expressionContext())
    return "" if value is None else str(value).strip()


def open_assessment_parameter(parameters: dict[str, Any], name: str, context: QgsProcessingContext) -> AssessmentStore:
    """The assessment given as parameter ``name``, opened (a SiteWatchError says why it cannot be)."""
    return open_assessment(assessment_location(parameters, name, context))
