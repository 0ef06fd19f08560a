"""The "Export for reports" action: sitewatch:exportreport's dialog, prefilled for the open
assessment, the before/after pair chosen in the session and the label scheme of the last
export; the export then runs in the background (:mod:`.run`)."""

from __future__ import annotations

from pathlib import Path

from qgis.core import Qgis, QgsApplication, QgsProcessingContext
from qgis.PyQt.QtGui import QAction

from ...core import values
from ...core.assessment import schema
from ...core.assessment.location import is_database_location
from ...core.errors import SiteWatchError
from ...core.export.package import COMPOUND_PAGES_UP_TO, file_prefix
from ...core.imagery.registry import list_images
from .. import settings
from ..context import InterfacePart, PluginContext
from ..icons import icon
from ..messages import notify
from .dialog import export_dialog
from .run import ALGORITHM, ExportRun


class ExportAction(InterfacePart):
    def __init__(self, context: PluginContext):
        super().__init__(context)
        self.action = QAction(icon("export_report"), "Export for reports…", context.iface.mainWindow())
        self.action.setToolTip(
            "Export for reports: shapefiles, GeoPackage, GeoJSON, KML, CSV and a PDF map product with "
            "before/after panels for the open assessment; no key"
        )
        self.action.triggered.connect(self.run)
        context.toolbar.addAction(self.action)
        context.menu.addAction(self.action)
        context.session.opened.connect(self._update_enabled)
        context.session.closed.connect(self._update_enabled)
        self.runs: list[ExportRun] = []
        self._update_enabled()

    def _update_enabled(self, *_args: object) -> None:
        self.action.setEnabled(self.context.session.store is not None)

    def initial_parameters(self) -> dict:
        """The dialog's starting values: the open assessment, the session's image pair (or the
        latest image date), the last export's label scheme, compound pages for a site of at most
        COMPOUND_PAGES_UP_TO compounds, and a folder beside the assessment."""
        session = self.context.session
        store = session.store
        if store is None:
            raise SiteWatchError("No assessment is open: use SiteWatch ▸ Open assessment first.")
        dates = [image.acquired for image in list_images(store) if image.acquired]
        after = session.after.acquired if session.after and session.after.acquired else (dates[-1] if dates else "")
        before = session.before.acquired if session.before and session.before.acquired else ""
        on_disk = not is_database_location(store.location)
        site = store.metadata().get("site_name") or (Path(store.location).stem if on_disk else "assessment")
        parameters: dict[str, object] = {
            "ASSESSMENT": store.location,
            "AFTER_DATE": after,
            "BEFORE_DATE": before,
            "SCHEME": values.SCHEMES.index(settings.export_scheme()),
            "COMPOUND_PAGES": store.layer(schema.COMPOUNDS.name).featureCount() <= COMPOUND_PAGES_UP_TO,
        }
        if after:
            parameters["OUTPUT_FOLDER"] = str(
                self._output_parent(store.location) / f"{file_prefix(site, after)}_export"
            )
        return parameters

    @staticmethod
    def _output_parent(location: str) -> Path:
        """Beside a GeoPackage; for a database assessment, the folder last used in SiteWatch
        (else the home folder): a database location is not a folder."""
        if not is_database_location(location):
            return Path(location).parent
        return Path(settings.last_folder() or Path.home())

    def run(self) -> None:
        try:
            parameters = self.initial_parameters()
        except SiteWatchError as error:
            notify(self.context.iface, str(error), Qgis.MessageLevel.Warning)
            return
        dialog = export_dialog(ALGORITHM, parameters, self.context.iface.mainWindow())
        dialog.exec()
        chosen = dialog.chosen
        dialog.deleteLater()
        if chosen is not None:
            self.start(chosen)

    def start(self, parameters: dict) -> ExportRun:
        """Remember the label scheme and run the export in the background."""
        algorithm = QgsApplication.processingRegistry().algorithmById(ALGORITHM)
        settings.set_export_scheme(algorithm.parameterDefinition("SCHEME").names(parameters, QgsProcessingContext())[0])
        self.runs = [run for run in self.runs if not run.done]
        export = ExportRun(self.context.iface, parameters)
        self.runs.append(export)
        export.start()
        return export

    def unload(self) -> None:
        self.context.session.opened.disconnect(self._update_enabled)
        self.context.session.closed.disconnect(self._update_enabled)
        self.context.toolbar.removeAction(self.action)
        self.context.menu.removeAction(self.action)
        self.action.deleteLater()
