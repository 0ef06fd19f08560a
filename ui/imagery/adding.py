"""Adding images to the assessment from the Imagery panel: files chosen or dropped, raster
layers already in the project; a date that cannot be read from the file is asked for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qgis.core import Qgis, QgsCoordinateTransform, QgsRasterLayer
from qgis.gui import QgsMapCanvas
from qgis.PyQt.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox

from ...core.assessment.store import AssessmentStore
from ...core.errors import SiteWatchError
from ...core.imagery.dates import check_acquired
from ...core.imagery.layers import IMAGE_ID_PROPERTY
from ...core.imagery.registry import ImageRecord, available_path, inspect_image, register_image, site_extent
from .. import settings
from ..assessment.session import AssessmentSession
from .dock import ImageryPanel
from .overview_builds import OverviewBuilds

RASTER_FILTER = "Images (*.tif *.tiff *.vrt *.jp2 *.img *.ntf *.png *.jpg);;All files (*)"


class AddingImagesMixin:
    """Registering new images, for :class:`.part.ImageryPart` (which provides the state and the
    methods declared here)."""

    session: AssessmentSession
    canvas: QgsMapCanvas
    panel: ImageryPanel
    overviews: OverviewBuilds
    store: Callable[[], AssessmentStore]
    reload: Callable[..., list[ImageRecord]]
    image_layer: Callable[[str], QgsRasterLayer | None]
    _tell: Callable[..., None]

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self.panel, "Add images of the site", settings.last_folder(), RASTER_FILTER
        )
        if paths:
            settings.set_last_folder(str(Path(paths[0]).parent))
            self.add_paths(paths)

    def choose_layers(self) -> None:
        known = {
            layer.id() for layer in self.session.project.mapLayers().values() if layer.customProperty(IMAGE_ID_PROPERTY)
        }
        rasters = {
            layer.name(): layer.source().split("|")[0]
            for layer in self.session.project.mapLayers().values()
            if layer.type() == Qgis.LayerType.Raster and layer.id() not in known and layer.providerType() == "gdal"
        }
        if not rasters:
            self._tell("The project has no other raster layer read by GDAL to add.", Qgis.MessageLevel.Warning)
            return
        name, ok = QInputDialog.getItem(self.panel, "Add a project layer", "Raster layer:", sorted(rasters), 0, False)
        if ok and name:
            self.add_paths([rasters[name]])

    def add_paths(self, paths: list[str]) -> list[ImageRecord]:
        """Register each file (asking for dates that cannot be read); a bad file is reported
        and skipped, the others are still added."""
        added = []
        for path in paths:
            try:
                store = self.store()
                reading = inspect_image(path).date
                acquired = reading.date or self.ask_date(Path(path).name, reading.reason or "")
                record = register_image(store, path, acquired=acquired)
            except SiteWatchError as error:
                self._tell(str(error), Qgis.MessageLevel.Critical)
                continue
            added.append(record)
            self._tell(
                f"Added {record.image_id}: {record.label()} (date from {reading.origin})"
                if reading.date
                else f"Added {record.image_id}: {record.label()}",
                Qgis.MessageLevel.Success,
            )
        if added:
            self.reload(choose_pair=self.session.after is None)
            self._show_site(added[0])
            for record in added:
                try:
                    self.overviews.offer(
                        self.panel, record.image_id, record.label(), available_path(self.store(), record)
                    )
                except SiteWatchError as error:
                    self._tell(str(error), Qgis.MessageLevel.Warning)
        return added

    def _show_site(self, first: ImageRecord) -> None:
        """Zoom to the site when the map does not show it (a new assessment's map has no
        extent yet): to its structures and compounds, else to the first added image."""
        canvas, store = self.canvas, self.store()
        if not canvas.mapSettings().destinationCrs().isValid():
            canvas.setDestinationCrs(store.crs())
        site = site_extent(store)
        if site is not None:
            transform = QgsCoordinateTransform(store.crs(), canvas.mapSettings().destinationCrs(), self.session.project)
            target = transform.transformBoundingBox(site)
        else:
            layer = self.image_layer(first.image_id)
            if layer is None:
                return
            target = canvas.mapSettings().layerExtentToOutputExtent(layer, layer.extent())
        shown = canvas.extent()
        if shown.isNull() or shown.isEmpty() or not shown.intersects(target):
            canvas.setExtent(target)
            canvas.refresh()

    def ask_date(self, name: str, reason: str) -> str | None:
        """Ask the analyst for a date SiteWatch could not read; None leaves it undated."""
        text = ""
        while True:
            text, ok = QInputDialog.getText(
                self.panel,
                "Acquisition date",
                f"No date could be read for {name}: {reason}.\nWhen was it taken (YYYY-MM-DD)? "
                "Leave empty to set it later.",
                QLineEdit.EchoMode.Normal,
                text,
            )
            if not ok or not text.strip():
                return None
            try:
                return check_acquired(text)
            except SiteWatchError as error:
                QMessageBox.warning(self.panel, "Acquisition date", str(error))
