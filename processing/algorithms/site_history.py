"""sitewatch:sitehistory — counts per compound for every image date and the changes between dates."""

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
    QgsProcessingOutputString,
    QgsProcessingParameterFeatureSink,
)
from qgis.PyQt.QtCore import QMetaType

from ...core.errors import SiteWatchError
from ...core.history.events import event_sentences
from ...core.history.series import HISTORY_FIELDS, site_history
from ..algorithm import Parameters, Results, SiteWatchAlgorithm
from ..assessment_parameter import AssessmentParameter
from .validation_algorithms import store_of

TEXT_FIELDS = ("observed_on", "compound", "name")


class SiteHistoryAlgorithm(SiteWatchAlgorithm):
    NAME = "sitehistory"
    DISPLAY_NAME = "Site history"
    GROUP = "Reporting"
    GROUP_ID = "reporting"
    HELP = (
        "One row per date × compound (and UNASSIGNED, ALL): the dates are those of the registered "
        "images and of the observations (n_images says how many images a date has). The count fields "
        "are those of sitewatch:compounddamage at that date; n_newdmg, n_rebuilt, n_new and n_removed "
        "count the changes since the previous date (NULL at the first date). The events are also "
        "written as sentences (result EVENTS and the log)."
    )
    PARAMETER_HELP = {
        "ASSESSMENT": "the assessment GeoPackage (.gpkg).",
        "OUTPUT": "the history table (no geometry).",
    }

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(AssessmentParameter("ASSESSMENT", "Assessment"))
        self.addParameter(QgsProcessingParameterFeatureSink("OUTPUT", "Site history"))
        self.addOutput(QgsProcessingOutputString("EVENTS", "Events"))

    def processAlgorithm(
        self, parameters: Parameters, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> Results:
        store = store_of(self, parameters, context)
        try:
            history = site_history(store, feedback)
        except SiteWatchError as error:
            raise QgsProcessingException(str(error)) from None
        fields = QgsFields()
        for name in HISTORY_FIELDS:
            kind = QMetaType.Type.QString if name in TEXT_FIELDS else QMetaType.Type.Int
            fields.append(QgsField(name, kind))
        sink, sink_id = self.parameterAsSink(parameters, "OUTPUT", context, fields)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, "OUTPUT"))
        for row in history.rows:
            feature = QgsFeature(fields)
            feature.setAttributes([getattr(row, name) for name in HISTORY_FIELDS])
            sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)
        events = event_sentences(history)
        for sentence in events:
            feedback.pushInfo(sentence)
        return {"OUTPUT": sink_id, "EVENTS": "\n".join(events)}
