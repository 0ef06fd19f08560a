"""sitewatch:exportreport — the assessment as files for reports: vector package, CSV tables,
PDF map product and manifest."""

from __future__ import annotations

import os
from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputFile,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from ...core import values
from ...core.assessment.store import open_assessment
from ...core.errors import SiteWatchError
from ...core.export.formats import FORMATS
from ...core.export.manifest import MANIFEST_NAME
from ...core.export.package import COMPOUND_PAGES_UP_TO, ExportRequest, check_request, export_assessment
from ...core.export.panel_images import check_panel_image
from ..algorithm import Parameters, Results, SiteWatchAlgorithm
from ..assessment_parameter import LOCATION_HELP, AssessmentParameter, assessment_location
from ..choice import ChoiceParameter
from ..main_thread import layout_runner


class ExportReport(SiteWatchAlgorithm):
    NAME = "exportreport"
    DISPLAY_NAME = "Export for reports"
    GROUP = "Reporting"
    GROUP_ID = "reporting"
    ICON = "export_report"

    ASSESSMENT = "ASSESSMENT"
    AFTER_DATE = "AFTER_DATE"
    BEFORE_DATE = "BEFORE_DATE"
    FORMATS = "FORMATS"
    SCHEME = "SCHEME"
    REPORT = "REPORT"
    COMPOUND_PAGES = "COMPOUND_PAGES"
    HISTORY_PAGE = "HISTORY_PAGE"
    ACCURACY_PAGE = "ACCURACY_PAGE"
    BEFORE_IMAGE = "BEFORE_IMAGE"
    AFTER_IMAGE = "AFTER_IMAGE"
    OVERWRITE = "OVERWRITE"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"
    REPORT_PDF = "REPORT_PDF"
    MANIFEST = "MANIFEST"

    HELP = (
        "Writes a SiteWatch assessment as files other people open: a vector package "
        "(structures with their status on both dates, compounds with the damage statistics, "
        "linear and point features) in GeoPackage, shapefile, GeoJSON, KML and CSV, the tables "
        "observations, summary and imagery as CSV, an optional PDF map product with before/after "
        "panels, and manifest.json listing every file with its SHA-256 and these parameters. File "
        "names are [site]_[after date]_[layer]; field names are at most 10 "
        "characters and the same in every format."
    )
    PARAMETER_HELP = {
        "ASSESSMENT": f"the SiteWatch assessment to export: {LOCATION_HELP}.",
        "AFTER_DATE": (
            "the date (YYYY-MM-DD) whose status each structure is exported with; it must lie within "
            "the assessment's imagery dates."
        ),
        "BEFORE_DATE": (
            "the earlier date for the change columns and the before panel (default: the latest image "
            "date before the after date)."
        ),
        "FORMATS": (
            "any of GeoPackage, ESRI Shapefile, GeoJSON, KML, CSV (default: all), by number or by name in "
            "any case, comma-separated: FORMATS=1,4 or FORMATS=csv,kml."
        ),
        "SCHEME": (
            "how status values are written: sitewatch codes (default) or the unosat, ems (Copernicus EMS) or "
            "xbd class names, by number or by name in any case: SCHEME=1 or SCHEME=UNOSAT."
        ),
        "REPORT": (
            "also write the A3 map product (resources/report.qpt filled with this export) as "
            "[site]_[after date]_report.pdf."
        ),
        "COMPOUND_PAGES": (
            "with the PDF report, also write an A4 page per compound (resources/report_compound.qpt as an "
            "atlas: panels zoomed on the compound and its figures) as "
            "[site]_[after date]_report_compounds.pdf. Default: on with the PDF report for sites of at most "
            f"{COMPOUND_PAGES_UP_TO} compounds, off above (given explicitly, it is obeyed). Refused without the "
            "PDF report."
        ),
        "HISTORY_PAGE": (
            "with the PDF report, also write the site's history (counts by status at every date, the "
            "stacked chart over time, linear lengths, events as sentences) as "
            "[site]_[after date]_report_history.pdf when the site has two dates or more."
        ),
        "CERTIFIED_ONLY": (
            "export only the structures of certified work cells (sitewatch:cellstate), with their "
            "observations; the summary (and the PDF) then says 'N of M cells certified (x % of structures)'. "
            "Refused when the assessment has no work cells. Default: off, the whole assessment."
        ),
        "ACCURACY_PAGE": (
            "with the PDF report, also write the agreement with the blind validation (confusion matrix, "
            "kappa, weighted kappa, corrected totals with 95 % CIs; the 'preliminary, not field validated' "
            "caveat without answers) as [site]_[after date]_report_accuracy.pdf when a validation sample "
            "or answers exist at the after date."
        ),
        "BEFORE_IMAGE": (
            "raster for the report's before panel (default: the assessment's image on, or latest "
            "before, the before date). It must read whole, have a CRS and cover the site; otherwise the "
            "export is refused before anything is written."
        ),
        "AFTER_IMAGE": (
            "raster for the report's after panel (default: the assessment's image on, or latest "
            "before, the after date); checked like the before image."
        ),
        "OVERWRITE": (
            "replace an existing output folder; without it an existing folder is an error and is left "
            "untouched. Only an empty folder or a previous export (with manifest.json) is replaced; any "
            "other folder is refused, so its files are never deleted."
        ),
        "OUTPUT_FOLDER": (
            "the folder to create. Everything is written beside it first and moved into place at the "
            "end, so a failure or cancel leaves no partial folder."
        ),
    }

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(AssessmentParameter(self.ASSESSMENT, "Assessment"))
        self.addParameter(QgsProcessingParameterString(self.AFTER_DATE, "After date"))
        self.addParameter(QgsProcessingParameterString(self.BEFORE_DATE, "Before date", optional=True))
        self.addParameter(
            ChoiceParameter(self.FORMATS, "Formats", FORMATS, allow_multiple=True, default=list(range(len(FORMATS))))
        )
        self.addParameter(
            ChoiceParameter(
                self.SCHEME, "Status labels", values.SCHEMES, default=list(values.SCHEMES).index("sitewatch")
            )
        )
        self.addParameter(QgsProcessingParameterBoolean(self.REPORT, "PDF report", defaultValue=True))
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.COMPOUND_PAGES,
                f"One page per compound (default: up to {COMPOUND_PAGES_UP_TO} compounds)",
                defaultValue=True,
            )
        )
        self.addParameter(QgsProcessingParameterBoolean(self.HISTORY_PAGE, "Site history page", defaultValue=True))
        self.addParameter(
            QgsProcessingParameterBoolean(self.ACCURACY_PAGE, "Accuracy page (with a validation)", defaultValue=True)
        )
        self.addParameter(
            QgsProcessingParameterBoolean("CERTIFIED_ONLY", "Certified work cells only", defaultValue=False)
        )
        self.addParameter(QgsProcessingParameterRasterLayer(self.BEFORE_IMAGE, "Before image", optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(self.AFTER_IMAGE, "After image", optional=True))
        self.addParameter(
            QgsProcessingParameterBoolean(self.OVERWRITE, "Overwrite an existing folder", defaultValue=False)
        )
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER, "Output folder"))
        self.addOutput(QgsProcessingOutputFile(self.REPORT_PDF, "PDF report"))
        self.addOutput(QgsProcessingOutputFile(self.MANIFEST, "Manifest"))

    def _image(self, parameters: Parameters, name: str, context: QgsProcessingContext) -> str | None:
        if not parameters.get(name):
            return None
        layer = self.parameterAsRasterLayer(parameters, name, context)
        if layer is None:
            raise QgsProcessingException(
                f"The {name.split('_')[0].lower()} image '{parameters[name]}' cannot be opened as a raster."
            )
        return str(layer.source())

    def _compound_pages(self, parameters: Parameters, context: QgsProcessingContext) -> bool | None:
        """None when not given: the export decides by the number of compounds."""
        if parameters.get(self.COMPOUND_PAGES) is None:
            return None
        return bool(self.parameterAsBoolean(parameters, self.COMPOUND_PAGES, context))

    def _request(self, parameters: Parameters, context: QgsProcessingContext) -> ExportRequest:
        return ExportRequest(
            output_folder=self.parameterAsString(parameters, self.OUTPUT_FOLDER, context),
            after_date=self.parameterAsString(parameters, self.AFTER_DATE, context).strip(),
            before_date=self.parameterAsString(parameters, self.BEFORE_DATE, context).strip() or None,
            formats=tuple(self.parameterDefinition(self.FORMATS).names(parameters, context)),
            scheme=self.parameterDefinition(self.SCHEME).names(parameters, context)[0],
            report=self.parameterAsBoolean(parameters, self.REPORT, context),
            compound_pages=self._compound_pages(parameters, context),
            before_image=self._image(parameters, self.BEFORE_IMAGE, context),
            after_image=self._image(parameters, self.AFTER_IMAGE, context),
            overwrite=self.parameterAsBoolean(parameters, self.OVERWRITE, context),
            history_page=self.parameterAsBoolean(parameters, self.HISTORY_PAGE, context),
            accuracy_page=self.parameterAsBoolean(parameters, self.ACCURACY_PAGE, context),
            certified_only=self.parameterAsBoolean(parameters, "CERTIFIED_ONLY", context),
        )

    def checkParameterValues(self, parameters: Parameters, context: QgsProcessingContext) -> tuple[bool, str]:
        """An image given as a file that GDAL cannot read whole (or place on the map) is named
        with what is wrong with it, before QGIS's own check reports it as "not found"."""
        for name in (self.BEFORE_IMAGE, self.AFTER_IMAGE):
            value = parameters.get(name)
            if isinstance(value, str) and os.path.isfile(value):
                try:
                    check_panel_image(value, name.split("_")[0].lower())
                except SiteWatchError as error:
                    return False, str(error)
        return super().checkParameterValues(parameters, context)

    def check_inputs(self, parameters: Parameters, context: QgsProcessingContext) -> None:
        check_request(
            open_assessment(assessment_location(parameters, self.ASSESSMENT, context)),
            self._request(parameters, context),
        )

    def processAlgorithm(
        self, parameters: Parameters, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> Results:
        request = self._request(parameters, context)
        try:
            store = open_assessment(assessment_location(parameters, self.ASSESSMENT, context))
            result = export_assessment(store, request, feedback, layout_runner(feedback))
        except SiteWatchError as error:
            raise QgsProcessingException(str(error)) from None
        feedback.pushInfo(
            f"Exported {result.structures} structures to {result.folder} "
            f"({len(result.files)} files; before date {result.before_date or 'none'})."
        )
        return {
            self.OUTPUT_FOLDER: str(result.folder),
            self.REPORT_PDF: str(result.report) if result.report else None,
            self.MANIFEST: str(result.folder / MANIFEST_NAME),
        }
