"""sitewatch:validationsample — draw a stratified random sample for a blind second review."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    Qgis,
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QMetaType

from ...core.errors import SiteWatchError
from ...core.validation.accuracy import draw_validation_sample
from ..algorithm import Parameters, Results, SiteWatchAlgorithm
from ..assessment_parameter import AssessmentParameter
from .validation_algorithms import store_of


class ValidationSample(SiteWatchAlgorithm):
    NAME = "validationsample"
    DISPLAY_NAME = "Validation sample"
    GROUP = "Reporting"
    GROUP_ID = "reporting"
    HELP = (
        "Draws a stratified random sample of structures for a blind second review and keeps it in the "
        "assessment (table validation_samples). Strata are the status the first review recorded at the "
        "date (construction, intact … destroyed; unknown and unobserved structures are not sampled), "
        "optionally crossed with the compound. The size comes from the margin of error (Cochran, 95 %, "
        "finite population), spread in proportion to the strata with at least two per stratum."
    )
    PARAMETER_HELP = {
        "ASSESSMENT": "the assessment GeoPackage (.gpkg).",
        "DATE": "the date of the first review to check (YYYY-MM-DD).",
        "MARGIN": "wanted margin of error of a proportion at 95 % (default 0.1 = ±10 points).",
        "SIZE": "optional sample size overriding the margin (0 = use the margin).",
        "SEED": "random seed: the same seed gives the same sample (the sample id is VS-<date>-<seed>).",
        "BY_COMPOUND": "strata are status × compound instead of status.",
        "OUTPUT": "the sampled structures in review order (structure_id, stratum, stratum_size, position).",
    }

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(AssessmentParameter("ASSESSMENT", "Assessment"))
        self.addParameter(QgsProcessingParameterString("DATE", "Date (YYYY-MM-DD)"))
        self.addParameter(
            QgsProcessingParameterNumber(
                "MARGIN", "Margin of error", Qgis.ProcessingNumberParameterType.Double, 0.1, False, 0.001, 0.999
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber("SIZE", "Sample size", Qgis.ProcessingNumberParameterType.Integer, 0, True, 0)
        )
        self.addParameter(
            QgsProcessingParameterNumber("SEED", "Random seed", Qgis.ProcessingNumberParameterType.Integer, 1, False, 0)
        )
        self.addParameter(QgsProcessingParameterBoolean("BY_COMPOUND", "Strata by compound", defaultValue=False))
        self.addParameter(QgsProcessingParameterFeatureSink("OUTPUT", "Validation sample"))
        self.addOutput(QgsProcessingOutputString("SAMPLE_ID", "Sample id"))
        self.addOutput(QgsProcessingOutputNumber("SAMPLE_SIZE", "Sample size"))

    def processAlgorithm(
        self, parameters: Parameters, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> Results:
        store = store_of(self, parameters, context)
        size = self.parameterAsInt(parameters, "SIZE", context)
        try:
            sample_id, rows = draw_validation_sample(
                store,
                self.parameterAsString(parameters, "DATE", context).strip(),
                self.parameterAsDouble(parameters, "MARGIN", context),
                self.parameterAsInt(parameters, "SEED", context),
                self.parameterAsBoolean(parameters, "BY_COMPOUND", context),
                size or None,
            )
        except SiteWatchError as error:
            raise QgsProcessingException(str(error)) from None
        fields = QgsFields()
        for name in ("sample_id", "structure_id", "stratum"):
            fields.append(QgsField(name, QMetaType.Type.QString))
        for name in ("stratum_size", "position"):
            fields.append(QgsField(name, QMetaType.Type.Int))
        sink, sink_id = self.parameterAsSink(parameters, "OUTPUT", context, fields)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, "OUTPUT"))
        for row in rows:
            feature = QgsFeature(fields)
            feature.setAttributes([row.sample_id, row.structure_id, row.stratum, row.stratum_size, row.position])
            sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)
        feedback.pushInfo(f"Sample {sample_id}: {len(rows)} structure(s) to review blind.")
        return {"OUTPUT": sink_id, "SAMPLE_ID": sample_id, "SAMPLE_SIZE": len(rows)}
