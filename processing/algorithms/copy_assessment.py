"""sitewatch:copyassessment — an assessment copied GeoPackage → PostGIS or back, all or nothing."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterString,
)

from ...core.assessment.postgis_copy import copy_assessment
from ...core.assessment.store import open_assessment
from ...core.errors import SiteWatchError
from ..algorithm import Parameters, Results, SiteWatchAlgorithm
from ..assessment_parameter import LOCATION_HELP, AssessmentParameter, assessment_location


class CopyAssessment(SiteWatchAlgorithm):
    NAME = "copyassessment"
    DISPLAY_NAME = "Copy assessment"
    GROUP = "Assessment"
    GROUP_ID = "assessment"
    ICON = "new_assessment"
    HELP = (
        "Copies a whole assessment — every layer, the observations and their history, the site name "
        "and CRS — from a GeoPackage into a PostGIS schema for team work, or back into a GeoPackage. "
        "Nothing is half-copied: a PostGIS copy is one transaction, a GeoPackage copy is written beside "
        "the target and moved into place."
    )
    PARAMETER_HELP = {
        "ASSESSMENT": f"the assessment to copy: {LOCATION_HELP}.",
        "TARGET": "where to copy it: a new .gpkg path or a new schema, written like ASSESSMENT.",
        "OVERWRITE": "replace an existing target assessment (a schema that is no SiteWatch assessment never is).",
    }

    ASSESSMENT = "ASSESSMENT"
    TARGET = "TARGET"
    OVERWRITE = "OVERWRITE"

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(AssessmentParameter(self.ASSESSMENT, "Assessment"))
        self.addParameter(QgsProcessingParameterString(self.TARGET, "Copy to"))
        self.addParameter(QgsProcessingParameterBoolean(self.OVERWRITE, "Overwrite an existing target", False))
        self.addOutput(QgsProcessingOutputString(self.TARGET, "Copy"))

    def processAlgorithm(
        self, parameters: Parameters, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> Results:
        target = self.parameterAsString(parameters, self.TARGET, context).strip()
        overwrite = self.parameterAsBoolean(parameters, self.OVERWRITE, context)
        try:
            source = open_assessment(assessment_location(parameters, self.ASSESSMENT, context))
            copy = copy_assessment(source, target, overwrite, feedback.pushInfo)
        except SiteWatchError as error:
            raise QgsProcessingException(str(error)) from None
        feedback.pushInfo(f"Copied {source.location} to {copy.location}")
        return {self.TARGET: copy.location}
