"""What the validation and history algorithms share: the assessment parameter opened as a store."""

from __future__ import annotations

from qgis.core import QgsProcessingContext, QgsProcessingException

from ...core.assessment.store import AssessmentStore, open_assessment
from ...core.errors import SiteWatchError
from ..algorithm import Parameters, SiteWatchAlgorithm


def store_of(algorithm: SiteWatchAlgorithm, parameters: Parameters, context: QgsProcessingContext) -> AssessmentStore:
    path = algorithm.parameterAsFile(parameters, "ASSESSMENT", context)
    try:
        return open_assessment(path)
    except SiteWatchError as error:
        raise QgsProcessingException(str(error)) from None
