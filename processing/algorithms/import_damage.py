"""sitewatch:importdamage — earlier damage assessments (UNOSAT, EMS, xBD, SiteWatch exports) as observations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qgis.core import (
    Qgis,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsVectorLayer,
)

from ...core.assessment.observations import check_date
from ...core.importing.damage import CONFLICTS, UNMATCHED, DamageImport, DamageOptions, import_damage
from ...core.importing.damage_formats import FORMATS
from ...core.importing.sitewatch_export import is_sitewatch_export
from ..algorithm import Parameters, Results, SiteWatchAlgorithm
from ..assessment_parameter import AssessmentParameter, open_assessment_parameter
from ..choice import ChoiceParameter
from .import_common import default_analyst, progress_of, run_reported, source_layer, unreadable_source


class ImportDamage(SiteWatchAlgorithm):
    NAME = "importdamage"
    DISPLAY_NAME = "Import damage assessment"
    GROUP = "Assessment"
    GROUP_ID = "assessment"
    HELP = (
        "Records an earlier damage assessment as observations of the assessment's structures, keeping "
        "the history: UNOSAT damage sites (wide format: SiteID, SensorDate, Main_Damage_Site_Class, "
        "SensorDate_2…_14 with Main_Damage_Site_Class_2…_14; class codes 1, 2, 3, 4, 6, 11 or their "
        "labels), Copernicus EMS gradings (damage_gra), xBD / xView2 label JSON (lng_lat features, "
        "subtype) and SiteWatch's own exports (their observations with image, confidence, analyst and "
        "time, in any label scheme). Everything is checked first and written in one transaction."
    )
    PARAMETER_HELP = {
        "INPUT": (
            "the earlier assessment: a vector file or layer (UNOSAT, EMS), an xBD label .json, or a SiteWatch "
            "export (its folder, GeoPackage, structures layer or observations CSV)."
        ),
        "ASSESSMENT": "the SiteWatch assessment to record the observations in: a .gpkg, or a PostGIS location "
        "(postgresql://…?schema=NAME or service=NAME schema=NAME).",
        "FORMAT": "unosat, ems, xbd or sitewatch (default: detected from the fields).",
        "IMAGE_DATE": ("the image date (YYYY-MM-DD) for sources without dates (EMS, xBD without capture_date)."),
        "DATE_FIELD": "for EMS: a field holding each grading's image date (overrides IMAGE_DATE where set).",
        "MATCH_DISTANCE_M": (
            "a point outside every structure is matched to the nearest structure within this distance "
            "in metres (default 10); polygons are matched by intersection over union ≥ 0.5."
        ),
        "UNMATCHED": (
            "create (default): an unmatched point becomes a 10 m square structure, an unmatched polygon a "
            "structure, flagged in notes; skip: they are left out and counted."
        ),
        "CONFLICT": (
            "an imported observation on a structure and date that already has one: keep the existing "
            "(default), replace it (the old one goes to the history) or refuse the whole import."
        ),
        "ANALYST": "the name written in analyst and created_by (default: the user's login name).",
    }
    HELP_NOTES = (
        "Class codes, grades or dates that cannot be read are listed with their counts and nothing is "
        "written. Dates may be YYYY-MM-DD, date-times, YYYY/MM/DD or day-first DD/MM/YYYY. EMS "
        "'Damaged' is read as moderate; UNOSAT class 11 as possible with the code kept in notes. "
        "A SiteWatch export brings its current observations as they were, the history rows they replaced "
        "(into the history, as replaced) and the compounds the assessment lacks (by id, with names; "
        "structures in none are assigned); its images are not carried (no footprint or path). "
        "Results: RECORDED, REPLACED, UNMATCHED, CREATED, KEPT and REPORT."
    )

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(QgsProcessingParameterFile("INPUT", "Earlier assessment"))
        self.addParameter(AssessmentParameter("ASSESSMENT", "Assessment"))
        self.addParameter(ChoiceParameter("FORMAT", "Format", FORMATS, optional=True))
        self.addParameter(QgsProcessingParameterString("IMAGE_DATE", "Image date", optional=True))
        self.addParameter(QgsProcessingParameterString("DATE_FIELD", "Date field", optional=True))
        self.addParameter(
            QgsProcessingParameterNumber(
                "MATCH_DISTANCE_M",
                "Match distance (m)",
                Qgis.ProcessingNumberParameterType.Double,
                defaultValue=10.0,
                minValue=0.0,
            )
        )
        self.addParameter(ChoiceParameter("UNMATCHED", "Unmatched sites", UNMATCHED, default=0))
        self.addParameter(ChoiceParameter("CONFLICT", "Existing observation on the same date", CONFLICTS, default=0))
        self.addParameter(QgsProcessingParameterString("ANALYST", "Analyst", optional=True))
        for name in ("RECORDED", "REPLACED", "UNMATCHED", "CREATED", "KEPT"):
            self.addOutput(QgsProcessingOutputNumber(name, name.capitalize()))
        self.addOutput(QgsProcessingOutputString("REPORT", "Report"))

    def _options(self, parameters: Parameters, context: QgsProcessingContext) -> DamageOptions:
        formats = (
            self.parameterDefinition("FORMAT").names(parameters, context)
            if parameters.get("FORMAT") not in (None, "")
            else []
        )
        image_date = self.parameterAsString(parameters, "IMAGE_DATE", context).strip() or None
        return DamageOptions(
            analyst=self.parameterAsString(parameters, "ANALYST", context).strip() or default_analyst(),
            format=formats[0] if formats else None,
            image_date=check_date(image_date, "IMAGE_DATE") if image_date else None,
            date_field=self.parameterAsString(parameters, "DATE_FIELD", context).strip() or None,
            match_distance_m=self.parameterAsDouble(parameters, "MATCH_DISTANCE_M", context),
            unmatched=self.parameterDefinition("UNMATCHED").names(parameters, context)[0],
            conflict=self.parameterDefinition("CONFLICT").names(parameters, context)[0],
        )

    @staticmethod
    def _read_as_it_is(value: str) -> bool:
        """An xBD label file, a folder or a SiteWatch export: read by its own reader, not as a layer."""
        path = Path(value.split("|", 1)[0])
        return path.suffix.lower() == ".json" or path.is_dir() or (path.is_file() and is_sitewatch_export(path))

    def _source(self, parameters: Parameters, context: QgsProcessingContext) -> str | QgsVectorLayer:
        value = str(parameters.get("INPUT") or "")
        return value if self._read_as_it_is(value) else source_layer(parameters, "INPUT", context)

    def checkParameterValues(self, parameters: Parameters, context: QgsProcessingContext) -> tuple[bool, str]:
        refused = (
            None
            if self._read_as_it_is(str(parameters.get("INPUT") or ""))
            else unreadable_source(parameters, "INPUT", context)
        )
        return (False, refused) if refused else super().checkParameterValues(parameters, context)

    def check_inputs(self, parameters: Parameters, context: QgsProcessingContext) -> None:
        open_assessment_parameter(parameters, "ASSESSMENT", context)
        self._options(parameters, context)

    def _run(
        self, parameters: Parameters, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> DamageImport:
        store = open_assessment_parameter(parameters, "ASSESSMENT", context)
        source = self._source(parameters, context)
        return import_damage(store, source, self._options(parameters, context), progress_of(feedback))

    def processAlgorithm(
        self, parameters: Parameters, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> Results:
        result = run_reported(lambda: self._run(parameters, context, feedback), feedback)
        return {
            "RECORDED": result.recorded,
            "REPLACED": result.replaced,
            "UNMATCHED": result.unmatched,
            "CREATED": result.created,
            "KEPT": result.kept,
            "REPORT": "\n".join(result.summary()),
        }
