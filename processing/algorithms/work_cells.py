"""sitewatch:workcells — split an assessment into work cells for a team (grid, compounds or polygons)."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    Qgis,
    QgsCoordinateTransform,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
)

from ...core.attributes import text
from ...core.errors import SiteWatchError
from ...core.teamwork.split import split_by_compounds, split_by_grid, split_by_polygons
from ..algorithm import Parameters, Results, SiteWatchAlgorithm
from ..assessment_parameter import LOCATION_HELP, AssessmentParameter
from ..choice import ChoiceParameter
from .validation_algorithms import store_of

METHODS = ("grid", "compounds", "polygons")


class WorkCells(SiteWatchAlgorithm):
    NAME = "workcells"
    DISPLAY_NAME = "Make work cells"
    GROUP = "Team"
    GROUP_ID = "team"
    HELP = (
        "Splits an assessment into work cells that a lead assigns to analysts and a second analyst "
        "reviews (sitewatch:cellstate): a grid of COLUMNS × ROWS cells over the site (named A1, B1, … "
        "from the top left), one cell per compound, or one per polygon of POLYGONS. New cells are "
        "unassigned, with ids W-0001, W-0002, …; they are kept in the assessment's work_cells layer "
        "(on PostGIS with their rules checked by the database). A structure belongs to the cell "
        "holding the largest part of its footprint."
    )
    PARAMETER_HELP = {
        "ASSESSMENT": f"the assessment to split: {LOCATION_HELP}.",
        "METHOD": "grid (default), compounds, or polygons.",
        "COLUMNS": "grid: the number of columns (default 4).",
        "ROWS": "grid: the number of rows (default 4).",
        "EXTENT": "grid: the area to cover (default: the extent of the site's structures and compounds).",
        "POLYGONS": "polygons: the polygon layer whose features become cells (reprojected to the assessment CRS).",
        "NAME_FIELD": "polygons: the field naming each cell (default: none).",
        "REPLACE": (
            "remove the existing cells first; refused when any cell has been assigned or reviewed "
            "(their transitions stay recorded). Without it new cells are added beside the existing ones."
        ),
    }

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(AssessmentParameter("ASSESSMENT", "Assessment"))
        self.addParameter(ChoiceParameter("METHOD", "Cells from", METHODS, default=0))
        self.addParameter(QgsProcessingParameterNumber("COLUMNS", "Columns", defaultValue=4, minValue=1))
        self.addParameter(QgsProcessingParameterNumber("ROWS", "Rows", defaultValue=4, minValue=1))
        self.addParameter(QgsProcessingParameterExtent("EXTENT", "Grid extent", optional=True))
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                "POLYGONS", "Polygons", [Qgis.ProcessingSourceType.VectorPolygon], optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterField("NAME_FIELD", "Name field", parentLayerParameterName="POLYGONS", optional=True)
        )
        self.addParameter(QgsProcessingParameterBoolean("REPLACE", "Replace the existing cells", False))
        self.addOutput(QgsProcessingOutputNumber("CELLS", "Cells made"))
        self.addOutput(QgsProcessingOutputString("CELL_IDS", "Cell ids"))

    def check_inputs(self, parameters: Parameters, context: QgsProcessingContext) -> None:
        method = self.parameterDefinition("METHOD").names(parameters, context)[0]
        if method == "polygons" and parameters.get("POLYGONS") in (None, ""):
            raise QgsProcessingException("METHOD=polygons needs POLYGONS, the layer whose polygons become cells.")

    def processAlgorithm(
        self, parameters: Parameters, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> Results:
        store = store_of(self, parameters, context)
        method = self.parameterDefinition("METHOD").names(parameters, context)[0]
        replace = self.parameterAsBoolean(parameters, "REPLACE", context)
        try:
            if method == "grid":
                extent = None
                if parameters.get("EXTENT") not in (None, ""):
                    extent = self.parameterAsExtent(parameters, "EXTENT", context, store.crs())
                columns = self.parameterAsInt(parameters, "COLUMNS", context)
                rows = self.parameterAsInt(parameters, "ROWS", context)
                cells = split_by_grid(store, columns, rows, extent, replace)
            elif method == "compounds":
                cells = split_by_compounds(store, replace)
            else:
                cells = split_by_polygons(store, self._polygons(parameters, context, store.crs()), replace)
        except SiteWatchError as error:
            raise QgsProcessingException(str(error)) from None
        feedback.pushInfo(
            f"Made {len(cells)} work cells in {store.location} ({cells[0].cell_id} to {cells[-1].cell_id})."
        )
        return {"CELLS": len(cells), "CELL_IDS": ",".join(c.cell_id for c in cells)}

    def _polygons(
        self, parameters: Parameters, context: QgsProcessingContext, crs: Any
    ) -> list[tuple[str | None, Any]]:
        source = self.parameterAsSource(parameters, "POLYGONS", context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, "POLYGONS"))
        name_field = self.parameterAsString(parameters, "NAME_FIELD", context)
        transform = QgsCoordinateTransform(source.sourceCrs(), crs, context.transformContext())
        polygons = []
        for feature in source.getFeatures():
            geometry = feature.geometry()
            geometry.transform(transform)
            polygons.append((text(feature[name_field]) if name_field else None, geometry))
        return polygons
