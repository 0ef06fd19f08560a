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
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QMetaType

from ...core.assessment.store import AssessmentStore
from ...core.errors import SiteWatchError
from ...core.validation.accuracy import CLASSES, accuracy_report
from ...core.validation.agreement import Agreement
from ...core.validation.pre_score import pre_score_agreement
from ...core.validation.totals import TOTALS_COLUMNS, Row, totals_rows
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
        "Validation answers 'unknown' are left out and counted. Optionally (PRE_SCORE) also the agreement "
        "between the analyst's first review and the change score's suggested statuses (the pre-score) of the "
        "image pair ending at the date, with the same measures as results named PRE_SCORE_*."
    )
    PARAMETER_HELP = {
        "ASSESSMENT": "the assessment GeoPackage (.gpkg).",
        "DATE": "the date of the first review and the validation (YYYY-MM-DD).",
        "OUTPUT": "the confusion matrix: one row per first-review status (field first), one column per "
        "validation status, plus the corrected estimate and its 95 % interval for that status.",
        "COMPOUND_OUTPUT": "optional: the corrected totals of the site (scope ALL) and of each compound, one row "
        "per scope and status: scope, status, first_review (count), estimate, ci_low, ci_high (95 %), std_error. "
        "Compound totals apply the site's error rates to the compound's counts.",
        "PRE_SCORE": "also compare the first review with the change score's suggestions (default false); results "
        "PRE_SCORE_PAIRS, PRE_SCORE_AGREEMENT, PRE_SCORE_KAPPA, PRE_SCORE_WEIGHTED_KAPPA, "
        "PRE_SCORE_PRECISION_<status> (share of the suggestions of a status the analyst recorded), "
        "PRE_SCORE_RECALL_<status> (share of the analyst's statuses the change score had suggested), "
        "PRE_SCORE_UNKNOWN (suggestions 'unknown', left out) and PRE_SCORE_PAIR (before and after image ids).",
        "BEFORE_IMAGE": "optional image_id of the pair's before image (default: the latest earlier image with "
        "stored change scores); the after image is the one acquired on DATE.",
        "PRE_SCORE_OUTPUT": "optional: the confusion matrix of the pre-score, one row per suggested status (field "
        "suggested), one column per status the analyst recorded.",
    }

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(AssessmentParameter("ASSESSMENT", "Assessment"))
        self.addParameter(QgsProcessingParameterString("DATE", "Date (YYYY-MM-DD)"))
        self.addParameter(QgsProcessingParameterFeatureSink("OUTPUT", "Confusion matrix"))
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                "COMPOUND_OUTPUT", "Corrected totals per compound", optional=True, createByDefault=False
            )
        )
        self.addParameter(QgsProcessingParameterBoolean("PRE_SCORE", "Compare with the pre-score", False, True))
        self.addParameter(QgsProcessingParameterString("BEFORE_IMAGE", "Pre-score before image id", optional=True))
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                "PRE_SCORE_OUTPUT", "Pre-score confusion matrix", optional=True, createByDefault=False
            )
        )
        for prefix in ("", "PRE_SCORE_"):
            for key in ("AGREEMENT", "KAPPA", "WEIGHTED_KAPPA", "PAIRS"):
                self.addOutput(QgsProcessingOutputNumber(prefix + key, (prefix + key).replace("_", " ").title()))
            for code in CLASSES:
                self.addOutput(QgsProcessingOutputNumber(f"{prefix}PRECISION_{code}", f"{prefix}Precision {code}"))
                self.addOutput(QgsProcessingOutputNumber(f"{prefix}RECALL_{code}", f"{prefix}Recall {code}"))
        self.addOutput(QgsProcessingOutputNumber("UNKNOWN_ANSWERS", "Unknown answers"))
        self.addOutput(QgsProcessingOutputNumber("PRE_SCORE_UNKNOWN", "Pre-score unknown suggestions"))
        self.addOutput(QgsProcessingOutputString("PRE_SCORE_PAIR", "Pre-score image pair"))
        self.addOutput(QgsProcessingOutputString("SUMMARY", "Corrected totals"))

    def processAlgorithm(
        self, parameters: Parameters, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> Results:
        store = store_of(self, parameters, context)
        try:
            report = accuracy_report(store, self.parameterAsString(parameters, "DATE", context).strip())
        except SiteWatchError as error:
            raise QgsProcessingException(str(error)) from None
        extras: dict[str, list[float | int | None]] = {}
        for estimate in report.site.classes if report.site is not None else ():
            extras[estimate.code] = [estimate.mapped, estimate.estimate, estimate.low, estimate.high]
        sink_id = self._matrix(parameters, context, "OUTPUT", "first", report.agreement, extras)
        compound_id = self._totals(parameters, context, totals_rows(report))
        if report.not_estimated:
            feedback.pushWarning(report.not_estimated)
        summary = "; ".join(report.sentences())
        if summary:
            feedback.pushInfo(summary)
        results: Results = {"OUTPUT": sink_id, "UNKNOWN_ANSWERS": report.unknown_answers, "SUMMARY": summary}
        results.update(_measures("", report.agreement))
        if compound_id is not None:
            results["COMPOUND_OUTPUT"] = compound_id
        if self.parameterAsBoolean(parameters, "PRE_SCORE", context):
            results.update(self._pre_score(parameters, context, feedback, store, report.on))
        return results

    def _pre_score(
        self,
        parameters: Parameters,
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
        store: AssessmentStore,
        on: str,
    ) -> Results:
        before = self.parameterAsString(parameters, "BEFORE_IMAGE", context).strip() or None
        try:
            compared = pre_score_agreement(store, on, before)
        except SiteWatchError as error:
            raise QgsProcessingException(str(error)) from None
        feedback.pushInfo(
            f"Pre-score of {compared.before_image} → {compared.after_image} against the analyst: "
            f"{compared.agreement.pairs} structures compared, {compared.unknown_suggestions} suggested unknown, "
            f"{compared.not_scored} reviewed but not scored, {compared.not_reviewed} scored but not reviewed."
        )
        results = _measures("PRE_SCORE_", compared.agreement)
        results["PRE_SCORE_UNKNOWN"] = compared.unknown_suggestions
        results["PRE_SCORE_PAIR"] = f"{compared.before_image} {compared.after_image}"
        matrix_id = self._matrix(parameters, context, "PRE_SCORE_OUTPUT", "suggested", compared.agreement, {})
        if matrix_id is not None:
            results["PRE_SCORE_OUTPUT"] = matrix_id
        return results

    def _matrix(
        self,
        parameters: Parameters,
        context: QgsProcessingContext,
        name: str,
        rows_field: str,
        agreement: Agreement,
        extras: dict[str, list[float | int | None]],
    ) -> str | None:
        """Write ``agreement``'s confusion matrix to sink ``name`` (None when not asked for); the
        main matrix also carries the corrected estimate of each row's status (``extras``)."""
        optional = name != "OUTPUT"
        if optional and not parameters.get(name):
            return None
        fields = QgsFields()
        fields.append(QgsField(rows_field, QMetaType.Type.QString))
        for code in CLASSES:
            fields.append(QgsField(code, QMetaType.Type.Int))
        estimated = name == "OUTPUT"
        if estimated:
            for field_name in ("mapped", "estimate", "ci_low", "ci_high"):
                fields.append(QgsField(field_name, QMetaType.Type.Double))
        sink, sink_id = self.parameterAsSink(parameters, name, context, fields)
        if sink is None:
            if optional:
                return None
            raise QgsProcessingException(self.invalidSinkError(parameters, name))
        for number, code in enumerate(CLASSES):
            feature = QgsFeature(fields)
            extra = (extras.get(code) or [None] * 4) if estimated else []
            feature.setAttributes([code, *(int(v) for v in agreement.matrix[number]), *extra])
            sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)
        return str(sink_id)

    def _totals(self, parameters: Parameters, context: QgsProcessingContext, rows: list[Row]) -> str | None:
        if not parameters.get("COMPOUND_OUTPUT"):
            return None
        fields = QgsFields()
        for name in TOTALS_COLUMNS:
            kind = QMetaType.Type.QString if name in ("scope", "status") else QMetaType.Type.Double
            fields.append(QgsField(name, QMetaType.Type.Int if name == "first_review" else kind))
        sink, sink_id = self.parameterAsSink(parameters, "COMPOUND_OUTPUT", context, fields)
        if sink is None:
            return None
        for row in rows:
            feature = QgsFeature(fields)
            feature.setAttributes(list(row))
            sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)
        return str(sink_id)


def _measures(prefix: str, agreement: Agreement) -> Results:
    results: Results = {
        f"{prefix}AGREEMENT": agreement.agreement,
        f"{prefix}KAPPA": agreement.kappa,
        f"{prefix}WEIGHTED_KAPPA": agreement.weighted_kappa,
        f"{prefix}PAIRS": agreement.pairs,
    }
    for code in CLASSES:
        results[f"{prefix}PRECISION_{code}"] = agreement.precision[code]
        results[f"{prefix}RECALL_{code}"] = agreement.recall[code]
    return results
