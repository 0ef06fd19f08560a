"""The "Image series (GIF)…" menu action: sitewatch:imageseries's dialog (not modal), prefilled
with the open assessment, the map's current extent (what the analyst sees is what is
published) and a folder beside the assessment; the dialog runs it like any algorithm."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qgis.core import Qgis, QgsApplication
from qgis.PyQt.QtGui import QAction

from ...core.assessment.location import is_database_location
from .. import settings
from ..context import InterfacePart, PluginContext
from ..messages import notify

ALGORITHM = "sitewatch:imageseries"


class ImageSeriesAction(InterfacePart):
    def __init__(self, context: PluginContext):
        super().__init__(context)
        self.action = QAction("Image series (GIF and PNG frames)…", context.iface.mainWindow())
        self.action.setToolTip(
            "Every dated image over the map's extent with the structures in the status colours of each "
            "date, date labels and a legend: PNG frames and an animated GIF for publication"
        )
        self.action.triggered.connect(self.show_dialog)
        context.menu.addAction(self.action)
        context.session.opened.connect(self._update_enabled)
        context.session.closed.connect(self._update_enabled)
        self.dialog: Any = None
        self._update_enabled()

    def _update_enabled(self, *_args: object) -> None:
        self.action.setEnabled(self.context.session.store is not None)

    def initial_parameters(self) -> dict[str, object]:
        store = self.context.session.store
        if store is None:
            return {}
        canvas = self.context.iface.mapCanvas()
        extent, crs = canvas.extent(), canvas.mapSettings().destinationCrs()
        location = store.location
        parent = (
            Path(settings.last_folder() or Path.home()) if is_database_location(location) else Path(location).parent
        )
        parameters: dict[str, object] = {"ASSESSMENT": location, "OUTPUT": str(parent / "image_series")}
        if not extent.isEmpty() and crs.isValid():
            parameters["EXTENT"] = (
                f"{extent.xMinimum()},{extent.xMaximum()},{extent.yMinimum()},{extent.yMaximum()} [{crs.authid()}]"
            )
        return parameters

    def show_dialog(self) -> None:
        from processing.gui.AlgorithmDialog import AlgorithmDialog  # QGIS's own module; only inside QGIS

        algorithm = QgsApplication.processingRegistry().createAlgorithmById(ALGORITHM)
        if algorithm is None:
            notify(self.context.iface, f"The algorithm {ALGORITHM} is not available.", Qgis.MessageLevel.Warning)
            return
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = AlgorithmDialog(algorithm, parent=self.context.iface.mainWindow())
        self.dialog.setParameters(self.initial_parameters())
        self.dialog.show()

    def unload(self) -> None:
        self.context.session.opened.disconnect(self._update_enabled)
        self.context.session.closed.disconnect(self._update_enabled)
        self.context.menu.removeAction(self.action)
        if self.dialog is not None:
            self.dialog.close()
            self.dialog = None
        self.action.deleteLater()
