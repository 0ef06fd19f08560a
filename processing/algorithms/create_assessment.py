"""sitewatch:createassessment — a new, empty assessment GeoPackage."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterProviderConnection,
    QgsProcessingParameterString,
)

from ...core.assessment.geopackage import GeoPackageStore
from ...core.assessment.location import is_database_location
from ...core.assessment.postgis import PostgisStore
from ...core.assessment.postgis_connect import location_from_connection
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
        "CONNECTION": (
            "instead of OUTPUT: a QGIS saved PostgreSQL connection (Browser ▸ PostgreSQL) to create the "
            "assessment in, with SCHEMA; its credentials stay in QGIS (an authentication configuration or "
            "~/.pgpass), a connection keeping its password in the QGIS settings is refused. The result "
            "OUTPUT is then the assessment's location."
        ),
        "SCHEMA": "with CONNECTION: the new schema holding the assessment (lower-case letters, digits and _).",
    }

    OUTPUT = "OUTPUT"
    CRS = "CRS"
    SITE_NAME = "SITE_NAME"
    OVERWRITE = "OVERWRITE"
    CONNECTION = "CONNECTION"
    SCHEMA = "SCHEMA"

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(QgsProcessingParameterCrs(self.CRS, "CRS", defaultValue="ProjectCrs"))
        self.addParameter(QgsProcessingParameterString(self.SITE_NAME, "Site name", optional=True))
        self.addParameter(
            QgsProcessingParameterBoolean(self.OVERWRITE, "Overwrite an existing file", defaultValue=False)
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT, "Output assessment", fileFilter="GeoPackage (*.gpkg)", optional=True
            )
        )
        connection = QgsProcessingParameterProviderConnection(
            self.CONNECTION, "Or in the database connection", "postgres", optional=True
        )
        schema = QgsProcessingParameterString(self.SCHEMA, "Schema (with the connection)", optional=True)
        for parameter in (connection, schema):
            parameter.setFlags(parameter.flags() | Qgis.ProcessingParameterFlag.Advanced)
            self.addParameter(parameter)

    def _database_target(self, parameters: Parameters, context: QgsProcessingContext) -> str | None:
        """The location CONNECTION and SCHEMA name (None when neither is given)."""
        connection = self.parameterAsConnectionName(parameters, self.CONNECTION, context) or ""
        schema = self.parameterAsString(parameters, self.SCHEMA, context).strip()
        if not connection and not schema:
            return None
        if not connection or not schema:
            raise QgsProcessingException(
                "Give CONNECTION and SCHEMA together (a saved PostgreSQL connection and the new schema), or OUTPUT."
            )
        given = parameters.get(self.OUTPUT)
        if isinstance(given, str) and given.strip() and given.strip() != QgsProcessing.TEMPORARY_OUTPUT:
            raise QgsProcessingException(
                f"Give either OUTPUT ({given}) or CONNECTION and SCHEMA, not both: one assessment is created."
            )
        return location_from_connection(connection, schema).text()

    def check_inputs(self, parameters: Parameters, context: QgsProcessingContext) -> None:
        given = parameters.get(self.OUTPUT)
        if self._database_target(parameters, context) is None and (given is None or not str(given).strip()):
            raise QgsProcessingException(
                "Give OUTPUT, the .gpkg file (or database location) to create, or CONNECTION and SCHEMA."
            )
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
        try:
            target = self._database_target(parameters, context)
        except SiteWatchError as error:
            raise QgsProcessingException(str(error)) from None
        database = target is not None or (isinstance(given, str) and is_database_location(given))
        if target is None:
            target = str(given).strip() if database else self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        crs: QgsCoordinateReferenceSystem = self.parameterAsCrs(parameters, self.CRS, context)
        site_name = self.parameterAsString(parameters, self.SITE_NAME, context) or None
        overwrite = self.parameterAsBoolean(parameters, self.OVERWRITE, context)
        try:
            store: AssessmentStore
            if database:
                store = PostgisStore.create(target, crs, overwrite=overwrite, site_name=site_name)
            else:
                store = GeoPackageStore.create(target, crs, overwrite=overwrite, site_name=site_name)
        except SiteWatchError as error:
            raise QgsProcessingException(str(error)) from None
        feedback.pushInfo(f"Created assessment {store.location} in {crs.authid()}")
        return {self.OUTPUT: store.location}
