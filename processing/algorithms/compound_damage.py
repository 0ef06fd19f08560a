"""sitewatch:compounddamage — the damage table per compound, as a layer and as site totals."""

from __future__ import annotations

from pathlib import Path
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
    QgsProcessingParameterString,
    QgsProviderRegistry,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QMetaType

from ...core.assessment.observations import check_date
from ...core.damage.table import ROW_FIELDS, DamageRow, compound_damage, parse_weights, summary_sentence
from ...core.errors import SiteWatchError
from ...core.imagery.dates import check_not_future
from ...core.vector_files import why_unreadable
from ..algorithm import Parameters, Results, SiteWatchAlgorithm
from ..project_layer import ProjectLayerParameter
from .output_checks import AsideOutput, check_output

TEXT_FIELDS = ("compound", "name", "type")
REAL_FIELDS = ("pct_destr", "pct_damag", "pct_sev_de", "pct_area_d", "dmg_index", "area_asses", "area_destr")
SITE_KEYS = tuple(f"ALL_{name.upper()}" for name in ROW_FIELDS if name not in TEXT_FIELDS)
"""Result keys carrying the ALL row, e.g. ALL_N_STRUCT, ALL_PCT_DESTR."""


def output_fields() -> QgsFields:
    """The fields of the output layer, in ROW_FIELDS order."""
    result = QgsFields()
    for name in ROW_FIELDS:
        if name in TEXT_FIELDS:
            result.append(QgsField(name, QMetaType.Type.QString))
        elif name in REAL_FIELDS:
            result.append(QgsField(name, QMetaType.Type.Double))
        else:
            result.append(QgsField(name, QMetaType.Type.Int))
    return result


class CompoundDamage(SiteWatchAlgorithm):
    NAME = "compounddamage"
    DISPLAY_NAME = "Damage per compound"
    GROUP = "Reporting"
    GROUP_ID = "reporting"
    ICON = "compound_damage"
    HELP = (
        "Counts, percentages and an area-weighted damage index per compound at a date, from the "
        "recorded observations; optionally the change since an earlier date and one row per "
        "structure type. The status of a structure at a date is its latest observation on or "
        "before it; a structure belongs to the compound holding the largest part of its footprint "
        "(ties: lowest compound_id). Percentages are of assessed structures (construction, "
        "intact, possible, moderate, severe, destroyed) and are NULL when none is assessed; "
        "unknown and unobserved structures are never counted as undamaged."
    )
    PARAMETER_HELP = {
        "STRUCTURES": (
            "polygon layer with the fields structure_id and type (default: the project layer named "
            "structures, as the open assessment shows it; elsewhere e.g. site.gpkg|layername=structures)."
        ),
        "OBSERVATIONS": (
            "table with structure_id, observed_on (YYYY-MM-DD) and status (default: the project layer "
            "named observations)."
        ),
        "COMPOUNDS": (
            "polygon layer with compound_id (and name) (default: the project layer named compounds); "
            "optional: without it (or with no compounds) every structure is UNASSIGNED."
        ),
        "AFTER_DATE": (
            "the date the statuses are taken at (YYYY-MM-DD). A date in the future is refused as a typo; "
            "a date before any observation is fine (every structure is then unobserved)."
        ),
        "BEFORE_DATE": (
            "optional earlier date; adds n_newdmg (newly damaged: moderate, severe or destroyed, "
            "not before), n_rebuilt and n_new."
        ),
        "BY_TYPE": ("adds, under each compound, a row per structure type (field type)."),
        "WEIGHTS": (
            "optional overrides of the weights of dmg_index, e.g. possible=0.2,moderate=0.5 (defaults "
            "construction 0, intact 0, possible 0.1, moderate 0.4, severe 0.7, destroyed 1)."
        ),
        "OUTPUT": (
            "one feature per compound (field compound: its compound_id) with its polygon and the "
            "statistics, then the rows UNASSIGNED (structures in no compound) and ALL (the whole "
            "site) without geometry."
        ),
    }
    HELP_NOTES = (
        "The results also give the ALL row as ALL_N_STRUCT, ALL_PCT_DESTR, ... and the summary "
        "sentence as SUMMARY; observations naming unknown structures are counted in "
        "UNKNOWN_OBSERVATIONS and invalid footprints are repaired and listed in the log."
    )

    STRUCTURES = "STRUCTURES"
    OBSERVATIONS = "OBSERVATIONS"
    COMPOUNDS = "COMPOUNDS"
    AFTER_DATE = "AFTER_DATE"
    BEFORE_DATE = "BEFORE_DATE"
    BY_TYPE = "BY_TYPE"
    WEIGHTS = "WEIGHTS"
    OUTPUT = "OUTPUT"

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        polygon = [Qgis.ProcessingSourceType.VectorPolygon]
        # Defaults are layer names: QGIS picks the project layers of the open assessment by name.
        self.addParameter(ProjectLayerParameter(self.STRUCTURES, "Structures layer", polygon, "structures"))
        self.addParameter(
            ProjectLayerParameter(
                self.OBSERVATIONS, "Observations table", [Qgis.ProcessingSourceType.Vector], "observations"
            )
        )
        self.addParameter(ProjectLayerParameter(self.COMPOUNDS, "Compounds layer", polygon, "compounds", optional=True))
        self.addParameter(QgsProcessingParameterString(self.AFTER_DATE, "After date (YYYY-MM-DD)"))
        self.addParameter(QgsProcessingParameterString(self.BEFORE_DATE, "Before date (YYYY-MM-DD)", optional=True))
        self.addParameter(QgsProcessingParameterBoolean(self.BY_TYPE, "One row per structure type", defaultValue=False))
        self.addParameter(QgsProcessingParameterString(self.WEIGHTS, "Damage index weights", optional=True))
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, "Damage per compound", Qgis.ProcessingSourceType.VectorPolygon
            )
        )
        for key in SITE_KEYS:
            self.addOutput(QgsProcessingOutputNumber(key, key.replace("_", " ").title()))
        self.addOutput(QgsProcessingOutputString("SUMMARY", "Summary sentence"))
        self.addOutput(QgsProcessingOutputNumber("UNKNOWN_OBSERVATIONS", "Observations of unknown structures"))

    def _layer(
        self, parameters: Parameters, name: str, context: QgsProcessingContext, optional: bool = False
    ) -> QgsVectorLayer | None:
        """The layer of parameter ``name``, named by its layer name (a layer loaded from
        ``site.gpkg|layername=compounds`` is called 'compounds', not 'site', in messages)."""
        description = self.parameterDefinition(name).description()
        layer = self.parameterAsVectorLayer(parameters, name, context)
        if optional and parameters.get(name) in (None, "") and (layer is None or not layer.isValid()):
            return None  # omitted, and no project layer has the default name
        if layer is None or not layer.isValid():
            value = parameters.get(name) or self.parameterDefinition(name).defaultValue()
            raise QgsProcessingException(
                f"Cannot open the {description.lower()} '{value}'{_why_not(str(value))}. Give the layer (e.g. "
                f"site.gpkg|layername={self.parameterDefinition(name).defaultValue()}) or open the "
                "assessment in QGIS."
            )
        project = context.project()
        if project is None or project.mapLayer(layer.id()) is None:  # loaded for this run only
            table = QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source()).get("layerName")
            if table:
                layer.setName(table)
        return layer

    def _dates(self, parameters: Parameters, context: QgsProcessingContext) -> tuple[str, str | None]:
        after = self.parameterAsString(parameters, self.AFTER_DATE, context).strip()
        before = self.parameterAsString(parameters, self.BEFORE_DATE, context).strip() or None
        after = check_not_future(check_date(after, "after date"), "after date")
        if before is not None:
            before = check_not_future(check_date(before, "before date"), "before date")
            if before >= after:
                raise SiteWatchError(f"The before date {before} must be earlier than the after date {after}.")
        return after, before

    def checkParameterValues(self, parameters: Parameters, context: QgsProcessingContext) -> tuple[bool, str]:
        """A layer that cannot be opened is named with the reason, before QGIS's own check
        reports only "Incorrect parameter value"."""
        for name in (self.STRUCTURES, self.OBSERVATIONS, self.COMPOUNDS):
            if parameters.get(name) not in (None, ""):
                try:
                    self._layer(parameters, name, context, optional=name == self.COMPOUNDS)
                except QgsProcessingException as error:
                    return False, str(error)
        return super().checkParameterValues(parameters, context)

    def check_inputs(self, parameters: Parameters, context: QgsProcessingContext) -> None:
        self._dates(parameters, context)
        inputs = []
        for name in (self.STRUCTURES, self.OBSERVATIONS, self.COMPOUNDS):
            layer = self._layer(parameters, name, context, optional=name == self.COMPOUNDS)
            if layer is None:
                continue
            inputs.append((name, str(layer.source())))
            if name != self.OBSERVATIONS and layer.geometryType() != Qgis.GeometryType.Polygon:
                raise QgsProcessingException(
                    f"The {self.parameterDefinition(name).description().lower()} '{layer.source()}' holds "
                    f"{QgsWkbTypes.displayString(layer.wkbType())} features, not polygons: give the "
                    f"assessment's {self.parameterDefinition(name).defaultValue()} layer "
                    f"(e.g. site.gpkg|layername={self.parameterDefinition(name).defaultValue()})."
                )
        check_output(self.parameterAsOutputLayer(parameters, self.OUTPUT, context), self.OUTPUT, inputs)

    def processAlgorithm(
        self, parameters: Parameters, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> Results:
        structures = self._layer(parameters, self.STRUCTURES, context)
        observations = self._layer(parameters, self.OBSERVATIONS, context)
        compounds = self._layer(parameters, self.COMPOUNDS, context, optional=True)
        try:
            after, before = self._dates(parameters, context)
            table = compound_damage(
                structures,
                observations,
                compounds,
                after=after,
                before=before,
                by_type=self.parameterAsBoolean(parameters, self.BY_TYPE, context),
                weights=parse_weights(self.parameterAsString(parameters, self.WEIGHTS, context)),
                feedback=feedback,
            )
        except SiteWatchError as error:
            raise QgsProcessingException(str(error)) from None
        for warning in table.warnings:
            feedback.pushWarning(warning)

        fields = output_fields()
        if structures is None:  # a mandatory layer: _layer raised if it could not be opened
            raise QgsProcessingException("Structures: choose a polygon layer.")
        output = AsideOutput(self, parameters, self.OUTPUT, context)
        sink, sink_id = output.sink(fields, Qgis.WkbType.MultiPolygon, (compounds or structures).crs())
        geometries = {}
        for feature in compounds.getFeatures() if compounds is not None else ():
            geometry = feature.geometry()
            if not geometry.isNull():
                geometry.convertToMultiType()
            geometries[str(feature["compound_id"])] = geometry
        features = []
        for row in table.rows:
            feature = QgsFeature(fields)
            feature.setAttributes([getattr(row, name) for name in ROW_FIELDS])
            geometry = geometries.get(row.compound)
            if geometry is not None:
                feature.setGeometry(geometry)
            features.append(feature)
        if not sink.addFeatures(features, QgsFeatureSink.Flag.FastInsert):
            last_error = sink.lastError()
            del sink
            raise output.failed(last_error or "the features could not be written")
        del sink  # closes the file
        sink_id = output.commit(len(features))
        summary = summary_sentence(table)
        feedback.pushInfo(summary)
        return {
            self.OUTPUT: sink_id,
            "SUMMARY": summary,
            "UNKNOWN_OBSERVATIONS": table.unknown_observations,
            **site_results(table.site),
        }


def site_results(site: DamageRow) -> dict[str, object]:
    """The ALL row as result keys ALL_N_STRUCT, ALL_PCT_DESTR, ..."""
    return {f"ALL_{name.upper()}": getattr(site, name) for name in ROW_FIELDS if name not in TEXT_FIELDS}


def _why_not(value: str) -> str:
    """Why a layer given as ``path|layername=…`` did not open (no such file, cut short, not a
    GeoPackage, no such layer), as ``: <cause>``."""
    if not Path(value.split("|")[0]).suffix:
        return ""  # a layer name, not a path
    return f": {why_unreadable(value)}"
