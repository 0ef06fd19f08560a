"""sitewatch:importstructures — building footprints from any polygon source into an assessment."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    Qgis,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
)

from ...core.assessment.store import AssessmentStore
from ...core.importing.geometry import area_of_interest
from ...core.importing.structures import (
    DUPLICATE_MODES,
    StructureImport,
    StructureOptions,
    check_source,
    import_structures,
)
from ...core.importing.type_map import parse_type_map
from ..algorithm import Parameters, Results, SiteWatchAlgorithm
from ..assessment_parameter import AssessmentParameter, open_assessment_parameter
from ..choice import ChoiceParameter
from .import_common import default_analyst, progress_of, run_reported, source_layer, unreadable_source


class ImportStructures(SiteWatchAlgorithm):
    NAME = "importstructures"
    DISPLAY_NAME = "Import structures"
    GROUP = "Assessment"
    GROUP_ID = "assessment"
    ICON = "sitewatch"
    HELP = (
        "Adds building footprints you already have (OpenStreetMap, Microsoft or Google open building "
        "footprints, a colleague's shapefile) to an assessment as structures, with ids, type, compound, "
        "author and time as for drawn ones. Any polygon source GDAL reads works, in any CRS: GeoPackage, "
        "Shapefile, GeoJSON, GeoJSONSeq, FlatGeobuf, OSM extracts (.osm.pbf, their multipolygons layer) "
        "and CSV files with a WKT column named WKT or geometry (read as EPSG:4326). Everything is "
        "written in one transaction: a failure or cancel leaves the assessment as it was."
    )
    PARAMETER_HELP = {
        "INPUT": "the footprints: a vector file or a polygon layer of the project.",
        "ASSESSMENT": "the SiteWatch assessment to add the structures to: a .gpkg, or a PostGIS location "
        "(postgresql://…?schema=NAME or service=NAME schema=NAME).",
        "TYPE_FIELD": (
            "the field holding each footprint's type (default: 'building' when the source has it, as OSM "
            "extracts do; without a type field every footprint is a 'building')."
        ),
        "TYPE_MAP": (
            "source value=SiteWatch type pairs separated by ';', e.g. warehouse=warehouse;depot=warehouse. "
            "OSM building=* values and SiteWatch's own type codes are mapped by default; values still "
            "unmapped become 'other' and are reported with their counts."
        ),
        "DEDUPE_IOU": (
            "a footprint whose intersection over union with a structure already in the assessment (or one "
            "imported earlier in the same run) reaches this value is a duplicate (default 0.5): skipped or "
            "merged, as DUPLICATES_MODE says."
        ),
        "DUPLICATES_MODE": (
            "skip (default): a duplicate is left out; merge: the source's type (when its value is mapped) "
            "and name (when not empty) are written to the structure already there, which keeps its id, "
            "geometry and observations. MERGED counts the structures changed."
        ),
        "NAME_FIELD": (
            "the field holding each footprint's name, written to the structure's name (default: 'name' when "
            "the source has it, as OSM extracts do)."
        ),
        "EXTENT": "only footprints intersecting this extent are imported (default: all).",
        "AOI": (
            "an area of interest: only footprints intersecting its polygons are imported (with EXTENT too: "
            "those intersecting both); the others are counted in OUTSIDE."
        ),
        "ANALYST": "the name written in created_by (default: the user's login name).",
    }
    HELP_NOTES = (
        "Invalid geometries are repaired (make valid) and counted in REPAIRED; empty and non-polygon "
        "features are refused one by one and counted in REFUSED; a multipart footprint stays one "
        "structure. OSM extracts: only buildings (building=* other than no) are read; a file without "
        "any is refused with that message. Results: IMPORTED, DUPLICATES, MERGED, REPAIRED, REFUSED, OUTSIDE "
        "and REPORT (the summary)."
    )

    INPUT = "INPUT"
    ASSESSMENT = "ASSESSMENT"
    TYPE_FIELD = "TYPE_FIELD"
    TYPE_MAP = "TYPE_MAP"
    DEDUPE_IOU = "DEDUPE_IOU"
    EXTENT = "EXTENT"
    ANALYST = "ANALYST"
    DUPLICATES_MODE = "DUPLICATES_MODE"
    NAME_FIELD = "NAME_FIELD"
    AOI = "AOI"

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(QgsProcessingParameterVectorLayer(self.INPUT, "Footprints"))
        self.addParameter(AssessmentParameter(self.ASSESSMENT, "Assessment"))
        self.addParameter(QgsProcessingParameterString(self.TYPE_FIELD, "Type field", optional=True))
        self.addParameter(QgsProcessingParameterString(self.TYPE_MAP, "Type map", optional=True))
        self.addParameter(
            QgsProcessingParameterNumber(
                self.DEDUPE_IOU,
                "Duplicate when IoU ≥",
                Qgis.ProcessingNumberParameterType.Double,
                defaultValue=0.5,
                minValue=0.01,
                maxValue=1.0,
            )
        )
        self.addParameter(QgsProcessingParameterExtent(self.EXTENT, "Extent", optional=True))
        self.addParameter(QgsProcessingParameterString(self.ANALYST, "Analyst", optional=True))
        self.addParameter(ChoiceParameter(self.DUPLICATES_MODE, "Duplicates", DUPLICATE_MODES, default=0))
        self.addParameter(QgsProcessingParameterString(self.NAME_FIELD, "Name field", optional=True))
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.AOI, "Area of interest", [Qgis.ProcessingSourceType.VectorPolygon], optional=True
            )
        )
        for name in ("IMPORTED", "DUPLICATES", "MERGED", "REPAIRED", "REFUSED", "OUTSIDE"):
            self.addOutput(QgsProcessingOutputNumber(name, name.capitalize()))
        self.addOutput(QgsProcessingOutputString("REPORT", "Report"))

    def options(
        self, parameters: Parameters, context: QgsProcessingContext, store: AssessmentStore
    ) -> StructureOptions:
        """The parameters as core options (the extent moved into the assessment's CRS)."""
        extent = None
        if parameters.get(self.EXTENT):
            rectangle = self.parameterAsExtent(parameters, self.EXTENT, context)
            extent_crs = self.parameterAsExtentCrs(parameters, self.EXTENT, context)
            extent = QgsGeometry.fromRect(rectangle)
            if extent_crs.isValid() and extent_crs != store.crs():
                extent.transform(QgsCoordinateTransform(extent_crs, store.crs(), context.transformContext()))
        aoi = None
        if parameters.get(self.AOI):
            source = self.parameterAsSource(parameters, self.AOI, context)
            aoi = area_of_interest(source, store.crs(), context.transformContext(), source.sourceName())
        return StructureOptions(
            analyst=self.parameterAsString(parameters, self.ANALYST, context).strip() or default_analyst(),
            type_field=self.parameterAsString(parameters, self.TYPE_FIELD, context).strip() or None,
            type_map=parse_type_map(self.parameterAsString(parameters, self.TYPE_MAP, context)),
            dedupe_iou=self.parameterAsDouble(parameters, self.DEDUPE_IOU, context),
            extent=extent,
            aoi=aoi,
            duplicates=self.parameterDefinition(self.DUPLICATES_MODE).names(parameters, context)[0],
            name_field=self.parameterAsString(parameters, self.NAME_FIELD, context).strip() or None,
        )

    def checkParameterValues(self, parameters: Parameters, context: QgsProcessingContext) -> tuple[bool, str]:
        refused = unreadable_source(parameters, self.INPUT, context)
        return (False, refused) if refused else super().checkParameterValues(parameters, context)

    def check_inputs(self, parameters: Parameters, context: QgsProcessingContext) -> None:
        store = open_assessment_parameter(parameters, self.ASSESSMENT, context)
        check_source(source_layer(parameters, self.INPUT, context), self.options(parameters, context, store))

    def _run(
        self, parameters: Parameters, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> StructureImport:
        store = open_assessment_parameter(parameters, self.ASSESSMENT, context)
        layer = source_layer(parameters, self.INPUT, context)
        return import_structures(store, layer, self.options(parameters, context, store), progress_of(feedback))

    def processAlgorithm(
        self, parameters: Parameters, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> Results:
        result = run_reported(lambda: self._run(parameters, context, feedback), feedback)
        return {
            "IMPORTED": result.imported,
            "DUPLICATES": result.duplicates,
            "MERGED": result.merged,
            "REPAIRED": result.repaired,
            "REFUSED": sum(result.refused.values()),
            "OUTSIDE": result.outside,
            "REPORT": "\n".join(result.summary()),
        }
