"""sitewatch:adoptassessment — a contract GeoPackage made elsewhere made ready to record in."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputString,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from ...core.assessment.geopackage_adopt import adopt
from ...core.assessment.store import open_assessment
from ...core.errors import SiteWatchError
from ..algorithm import Parameters, Results, SiteWatchAlgorithm


class AdoptAssessment(SiteWatchAlgorithm):
    NAME = "adoptassessment"
    DISPLAY_NAME = "Adopt GeoPackage as assessment"
    GROUP = "Assessment"
    GROUP_ID = "assessment"
    ICON = "new_assessment"
    HELP = (
        "Makes a GeoPackage written elsewhere (a script, another tool) that holds the contract's layers "
        "and fields into a SiteWatch assessment you can record in: adds the observation history, the "
        "metadata table, missing optional fields, the unique indexes and the default styles. The "
        "layers' rows are left byte-identical (checked), and the file is replaced in one step: all or "
        "nothing. Read-only algorithms (compounddamage, exportreport, changescore) need no adoption."
    )
    PARAMETER_HELP = {
        "ASSESSMENT": "the GeoPackage (.gpkg) with the contract's layers.",
        "SITE_NAME": "the site name kept in its metadata (default: the file name).",
    }

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(QgsProcessingParameterFile("ASSESSMENT", "GeoPackage", extension="gpkg"))
        self.addParameter(QgsProcessingParameterString("SITE_NAME", "Site name", optional=True))
        self.addOutput(QgsProcessingOutputString("ADDED", "Internal tables added"))

    def processAlgorithm(
        self, parameters: Parameters, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> Results:
        path = self.parameterAsFile(parameters, "ASSESSMENT", context)
        site_name = self.parameterAsString(parameters, "SITE_NAME", context).strip() or None
        message = None
        try:
            open_assessment(path)  # refuses a file without the contract's layers and fields
            added = adopt(path, site_name)
        except SiteWatchError as error:
            message = str(error)
        if message is not None:
            raise QgsProcessingException(message)
        feedback.pushInfo(f"Added {', '.join(added)}." if added else f"{path} is already a SiteWatch assessment.")
        return {"ADDED": ",".join(added)}
