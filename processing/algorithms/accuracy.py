"""sitewatch:accuracy — agreement between the first review and the blind validation, and totals
corrected by the confusion matrix with 95 % confidence intervals."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QMetaType

from ...core.errors import SiteWatchError
from ...core.validation.accuracy import CLASSES, accuracy_report
from ..algorithm import Parameters, Results, SiteWatchAlgorithm
from ..assessment_parameter import AssessmentParameter
from .validation_algorithms import store_of


class Accuracy(SiteWatchAlgorithm):
    NAME = "accuracy"
    DISPLAY_NAME = "Accuracy and agreement"
    GROUP = "Reporting"
    GROUP_ID = "reporting"
    HELP = (
        "Compares the first review at a date with the blind validation answers of that date (table "
        "validations): confusion matrix, overall agreement, Cohen's kappa, linearly weighted kappa over "
        "the damage scale, precision and recall per status; and the site totals corrected by the "
        "confusion matrix with 95 % confidence intervals (stratified estimator of Olofsson et al. 2014). "
        "Validation answers 'unknown' are left out and counted."
    )
    PARAMETER_HELP = {
        "ASSESSMENT": "the assessment GeoPackage (.gpkg).",
        "DATE": "the date of the first review and the validation (YYYY-MM-DD).",
        "OUTPUT": "the confusion matrix: one row per first-review status (field first), one column per "
        "validation status, plus the corrected estimate and its 95 % interval for that status.",
    }

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(AssessmentParameter("ASSESSMENT", "Assessment"))
        self.addParameter(QgsProcessingParameterString("DATE", "Date (YYYY-MM-DD)"))
        self.addParameter(QgsProcessingParameterFeatureSink("OUTPUT", "Confusion matrix"))
        for key in ("AGREEMENT", "KAPPA", "WEIGHTED_KAPPA", "PAIRS", "UNKNOWN_ANSWERS"):
            self.addOutput(QgsProcessingOutputNumber(key, key.replace("_", " ").title()))
        for code in CLASSES:
            self.addOutput(QgsProcessingOutputNumber(f"PRECISION_{code}", f"Precision {code}"))
            self.addOutput(QgsProcessingOutputNumber(f"RECALL_{code}", f"Recall {code}"))
        self.addOutput(QgsProcessingOutputString("SUMMARY", "Corrected totals"))

    def processAlgorithm(
        self, parameters: Parameters, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> Results:
        store = store_of(self, parameters, context)
        try:
            report = accuracy_report(store, self.parameterAsString(parameters, "DATE", context).strip())
        except SiteWatchError as error:
            raise QgsProcessingException(str(error)) from None
        fields = QgsFields()
        fields.append(QgsField("first", QMetaType.Type.QString))
        for code in CLASSES:
            fields.append(QgsField(code, QMetaType.Type.Int))
        for name in ("mapped", "estimate", "ci_low", "ci_high"):
            fields.append(QgsField(name, QMetaType.Type.Double))
        sink, sink_id = self.parameterAsSink(parameters, "OUTPUT", context, fields)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, "OUTPUT"))
        for number, code in enumerate(CLASSES):
            feature = QgsFeature(fields)
            estimate = report.site.of(code) if report.site is not None else None
            extra = (
                [None] * 4 if estimate is None else [estimate.mapped, estimate.estimate, estimate.low, estimate.high]
            )
            feature.setAttributes([code, *(int(v) for v in report.agreement.matrix[number]), *extra])
            sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)
        if report.not_estimated:
            feedback.pushWarning(report.not_estimated)
        summary = "; ".join(report.sentences())
        if summary:
            feedback.pushInfo(summary)
        results: Results = {
            "OUTPUT": sink_id,
            "AGREEMENT": report.agreement.agreement,
            "KAPPA": report.agreement.kappa,
            "WEIGHTED_KAPPA": report.agreement.weighted_kappa,
            "PAIRS": report.agreement.pairs,
            "UNKNOWN_ANSWERS": report.unknown_answers,
            "SUMMARY": summary,
        }
        for code in CLASSES:
            results[f"PRECISION_{code}"] = report.agreement.precision[code]
            results[f"RECALL_{code}"] = report.agreement.recall[code]
        return results
