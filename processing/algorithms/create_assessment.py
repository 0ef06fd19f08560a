"""sitewatch:createassessment — a new, empty assessment GeoPackage."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from ...core.assessment.geopackage import GeoPackageStore
from ...core.assessment.location import is_database_location
from ...core.assessment.postgis import PostgisStore
from ...core.assessment.store import AssessmentStore
from ...core.errors import SiteWatchError
from ..algorithm import Parameters, Results, SiteWatchAlgorithm


class CreateAssessment(SiteWatchAlgorithm):
    NAME = "createassessment"
    DISPLAY_NAME = "Create assessment"
    GROUP = "Assessment"
    GROUP_ID = "assessment"
    ICON = "new_assessment"
    HELP = (
        "Creates an empty SiteWatch assessment: one GeoPackage per site holding the layers "
        "imagery, compounds, structures, observations, observation_history, linear_features and "
        "point_features, with default QGIS styles (value-map dropdowns, structures drawn by type) "
        "so the file also works in QGIS without the plugin."
    )
    PARAMETER_HELP = {
        "OUTPUT": (
            "the .gpkg file to create. It is written beside the target first and moved into place, so "
            "a failure leaves nothing half-written. For a team assessment in PostGIS give a new schema as "
            "postgresql://USER@HOST:PORT/DBNAME?schema=NAME or service=NAME schema=NAME (created in one "
            "transaction)."
        ),
        "CRS": (
            "the CRS of the geometry layers; a projected CRS of the site (e.g. its UTM zone) makes "
            "drawing in metres natural. Areas are always computed on the ellipsoid. Default: the CRS of "
            "the open project; without a project (qgis_process) give it, e.g. CRS=EPSG:32637."
        ),
        "SITE_NAME": ("shown in the layer tree and reports (default: the file name)."),
        "OVERWRITE": (
            "replace an existing file of that name; without it an existing file is an error and is left untouched."
        ),
    }

    OUTPUT = "OUTPUT"
    CRS = "CRS"
    SITE_NAME = "SITE_NAME"
    OVERWRITE = "OVERWRITE"

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(QgsProcessingParameterCrs(self.CRS, "CRS", defaultValue="ProjectCrs"))
        self.addParameter(QgsProcessingParameterString(self.SITE_NAME, "Site name", optional=True))
        self.addParameter(
            QgsProcessingParameterBoolean(self.OVERWRITE, "Overwrite an existing file", defaultValue=False)
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(self.OUTPUT, "Output assessment", fileFilter="GeoPackage (*.gpkg)")
        )

    def check_inputs(self, parameters: Parameters, context: QgsProcessingContext) -> None:
        value = parameters.get(self.CRS)
        if isinstance(value, str) and value.strip().lower() in ("", "projectcrs"):
            value = None
        if value is None and (context.project() is None or not context.project().crs().isValid()):
            raise QgsProcessingException(
                "No CRS given and no QGIS project open to take it from: give CRS=EPSG:…, e.g. the site's "
                "UTM zone (CRS=EPSG:32637 for UTM zone 37N)."
            )

    def processAlgorithm(
        self, parameters: Parameters, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> Results:
        given = parameters.get(self.OUTPUT)
        database = isinstance(given, str) and is_database_location(given)
        path = str(given).strip() if database else self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        crs: QgsCoordinateReferenceSystem = self.parameterAsCrs(parameters, self.CRS, context)
        site_name = self.parameterAsString(parameters, self.SITE_NAME, context) or None
        overwrite = self.parameterAsBoolean(parameters, self.OVERWRITE, context)
        try:
            store: AssessmentStore
            if database:
                store = PostgisStore.create(path, crs, overwrite=overwrite, site_name=site_name)
            else:
                store = GeoPackageStore.create(path, crs, overwrite=overwrite, site_name=site_name)
        except SiteWatchError as error:
            raise QgsProcessingException(str(error)) from None
        feedback.pushInfo(f"Created assessment {store.location} in {crs.authid()}")
        return {self.OUTPUT: store.location}
