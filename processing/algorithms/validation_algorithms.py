"""What the validation and history algorithms share: the assessment parameter opened as a store."""

from __future__ import annotations

from qgis.core import QgsProcessingContext, QgsProcessingException

from ...core.assessment.store import AssessmentStore
from ...core.errors import SiteWatchError
from ..algorithm import Parameters, SiteWatchAlgorithm
from ..assessment_parameter import open_assessment_parameter


def store_of(algorithm: SiteWatchAlgorithm, parameters: Parameters, context: QgsProcessingContext) -> AssessmentStore:
    try:
        return open_assessment_parameter(parameters, "ASSESSMENT", context)
    except SiteWatchError as error:
        raise QgsProcessingException(str(error)) from None
