"""The imagery interface part: the Imagery panel, the compare tool and their image layers.

It adapts the panel's requests to :mod:`..core.imagery` and keeps one raster layer per
registered image in the "SiteWatch imagery" group of the layer tree; adding images is in
:mod:`.adding`.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import Qgis, QgsLayerTreeGroup, QgsRasterLayer
from qgis.PyQt.QtCore import QFileSystemWatcher, Qt
from qgis.PyQt.QtGui import QAction
from qgis.PyQt.QtWidgets import QFileDialog, QMessageBox

from ...core.assessment.store import AssessmentStore
from ...core.errors import SiteWatchError
from ...core.imagery.layers import IMAGE_ID_PROPERTY, load_image_layer, set_temporal_range
from ...core.imagery.overviews import BuildOverviewsTask
from ...core.imagery.registry import (
    ImageRecord,
    available_path,
    check_pair,
    default_pair,
    find_image,
    list_images,
    relink_image,
    remove_image,
    update_image,
)
from .. import settings
from ..annotation.draw_tools import SiteWatchTool
from ..compare.canvas_overlay import CompareMode
from ..compare.comparison import Comparison
from ..compare.side_by_side import SideBySideDock, dock_beside_map
from ..compare.tool import CompareMapTool
from ..context import InterfacePart, PluginContext
from ..dock_layout import size_to_content_when_shown
from ..icons import icon
from ..messages import notify, warns
from .adding import RASTER_FILTER, AddingImagesMixin
from .dock import ImageryPanel
from .overview_builds import OverviewBuilds

GROUP_NAME = "SiteWatch imagery"


__all__ = ["GROUP_NAME", "RASTER_FILTER", "ImageryPart"]


class ImageryPart(AddingImagesMixin, InterfacePart):
    def __init__(self, context: PluginContext):
        super().__init__(context)
        iface = context.iface
        self.session = context.session
        self.canvas = iface.mapCanvas()
        self.panel = ImageryPanel(iface.mainWindow())
        iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.panel)
        size_to_content_when_shown(iface.mainWindow(), self.panel)
        self.comparison = Comparison(self.canvas, self._dock_beside_map)
        self.tool = CompareMapTool(self.canvas, self.comparison)
        self.panel_action = self.panel.toggleViewAction()
        self.panel_action.setIcon(icon("imagery"))
        self.panel_action.setText("Imagery panel")
        self.panel_action.setToolTip("Imagery panel: the site's dated images, the before/after pair and the comparison")
        self.compare_action = QAction(icon("compare"), "Compare before/after", iface.mainWindow())
        self.compare_action.setCheckable(True)
        self.compare_action.setToolTip(self.tool.tooltip())
        self.compare_action.triggered.connect(self._compare_triggered)
        self.tool.setAction(self.compare_action)
        for action in (self.panel_action, self.compare_action):
            context.toolbar.addAction(action)
            context.menu.addAction(action)
        self.watcher = QFileSystemWatcher()
        self.watcher.fileChanged.connect(self._file_changed)
        self.overviews = OverviewBuilds(self._tell, self.image_layer)
        self._connect()
        if self.session.store is not None:
            self.reload()

    def _connect(self) -> None:
        self._connections = [
            (self.session.opened, self.session.opened.connect(lambda _store: self.reload(choose_pair=True))),
            (self.session.closed, self.session.closed.connect(self._closed)),
            (self.session.pair_changed, self.session.pair_changed.connect(self._pair_changed)),
            (
                self.session.project.layersWillBeRemoved,
                self.session.project.layersWillBeRemoved.connect(self._layers_removed),
            ),
        ]
        panel = self.panel
        panel.add_files_requested.connect(self.choose_files)
        panel.add_layers_requested.connect(self.choose_layers)
        panel.files_dropped.connect(self.add_paths)
        panel.relink_requested.connect(self.choose_relink)
        panel.remove_requested.connect(self.remove)
        panel.overviews_requested.connect(self.build_overviews)
        panel.edited.connect(self.edit)
        panel.pair_chosen.connect(self.choose_pair)
        panel.mode_chosen.connect(self.set_mode)
        panel.side_by_side_toggled.connect(self._side_by_side)
        panel.vertical_toggled.connect(self.comparison.set_vertical)
        panel.opacity_changed.connect(self.comparison.set_after_opacity)
        panel.blink_changed.connect(self.comparison.set_blink_interval)
        self.comparison.changed.connect(self._comparison_changed)
        self.comparison.step_requested.connect(self.step_pair)

    def warn(self, text: str) -> None:
        self._tell(text, Qgis.MessageLevel.Warning)

    def _tell(self, text: str, level: Qgis.MessageLevel = Qgis.MessageLevel.Info) -> None:
        notify(self.context.iface, text, level, 0 if level == Qgis.MessageLevel.Critical else 6)

    # -- the list and the layers ------------------------------------------------------------

    def store(self) -> AssessmentStore:
        if self.session.store is None:
            raise SiteWatchError("No assessment is open: use SiteWatch ▸ Open assessment or New assessment.")
        return self.session.store

    def reload(self, choose_pair: bool = False) -> list[ImageRecord]:
        """Re-read the imagery layer, make sure each present image has its layer, show the list."""
        store = self.store()
        records = list_images(store)
        missing = set()
        for record in records:
            try:
                path = available_path(store, record)
                self._ensure_layer(record, path)
            except SiteWatchError as error:
                missing.add(record.image_id)
                if record.image_id not in self.panel.missing:  # say it once, not on every refresh
                    self._tell(str(error), Qgis.MessageLevel.Warning)
                continue
            if path not in self.watcher.files() and Path(path).is_file():
                self.watcher.addPath(path)
        self.panel.show_records(records, missing)
        if choose_pair:
            self.session.set_pair(*default_pair([r for r in records if r.image_id not in missing]))
        self._pair_changed(self.session.before, self.session.after)
        return records

    def _group(self) -> QgsLayerTreeGroup:
        root = self.session.project.layerTreeRoot()
        group = root.findGroup(GROUP_NAME)
        if group is None:
            group = root.insertGroup(len(root.children()), GROUP_NAME)
        return group

    def image_layer(self, image_id: str) -> QgsRasterLayer | None:
        for layer in self.session.project.mapLayers().values():
            if layer.customProperty(IMAGE_ID_PROPERTY) == image_id:
                return layer
        return None

    def _ensure_layer(self, record: ImageRecord, path: str) -> QgsRasterLayer:
        layer = self.image_layer(record.image_id)
        if layer is not None and layer.source() == path:
            layer.setName(f"{record.label()} [{record.image_id}]")
            set_temporal_range(layer, record.acquired)
            return layer
        if layer is not None:
            self.session.project.removeMapLayer(layer.id())
        layer = load_image_layer(path, record)
        self.session.project.addMapLayer(layer, False)
        group = self._group()
        group.insertLayer(0, layer)
        return layer

    def _remove_layer(self, image_id: str) -> None:
        layer = self.image_layer(image_id)
        if layer is not None:
            self.session.project.removeMapLayer(layer.id())

    def _closed(self) -> None:
        self.comparison.stop()
        for layer in list(self.session.project.mapLayers().values()):
            if layer.customProperty(IMAGE_ID_PROPERTY):
                self.session.project.removeMapLayer(layer.id())
        root = self.session.project.layerTreeRoot()
        group = root.findGroup(GROUP_NAME)
        if group is not None and not group.children():
            root.removeChildNode(group)
        if self.watcher.files():
            self.watcher.removePaths(self.watcher.files())
        self.panel.show_records([], set())

    def _layers_removed(self, layer_ids: list[str]) -> None:
        """A compared image layer is going away (removed by the analyst, or relinked):
        the comparison lets go of it before it is deleted."""
        compared = {layer.id() for layer in self.comparison.layers if layer is not None}
        if compared & set(layer_ids):
            self.comparison.stop()
            self.comparison.set_pair(None, None, ("", ""))

    def _file_changed(self, path: str) -> None:
        if not Path(path).exists() and self.session.store is not None:
            self._tell(
                f"The image file '{path}' was removed or moved while loaded. Its registration is kept; "
                "select it in the Imagery panel and use Relink.",
                Qgis.MessageLevel.Warning,
            )
            self.watcher.removePath(path)
            self.reload()

    # -- editing, relinking, removing (adding: AddingImagesMixin) ---------------------------

    def build_overviews(self, image_id: str) -> BuildOverviewsTask | None:
        try:
            record = find_image(self.store(), image_id)
            return self.overviews.start(image_id, record.label(), available_path(self.store(), record))
        except SiteWatchError as error:
            self._tell(str(error), Qgis.MessageLevel.Critical)
            return None

    def edit(self, image_id: str, field: str, text: str) -> None:
        try:
            current = find_image(self.store(), image_id)
            values = {"acquired": current.acquired, "source": current.source, "sensor": current.sensor}
            values[field] = text or None
            updated = update_image(self.store(), image_id, **values)
        except SiteWatchError as error:
            self._tell(str(error), Qgis.MessageLevel.Critical)
            self.reload()
            return
        self.reload()
        if image_id in (getattr(self.session.before, "image_id", None), getattr(self.session.after, "image_id", None)):
            before, after = (
                updated if r and r.image_id == image_id else r for r in (self.session.before, self.session.after)
            )
            if before and after and before.acquired and after.acquired and before.acquired > after.acquired:
                before, after = after, before
                self._tell(
                    f"{before.image_id} is now the earlier image: it became the before image and "
                    f"{after.image_id} the after image.",
                    Qgis.MessageLevel.Warning,
                )
            self.session.set_pair(before, after)

    def choose_relink(self, image_id: str) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.panel, f"Where is image {image_id} now?", settings.last_folder(), RASTER_FILTER
        )
        if path:
            self.relink(image_id, path)

    def relink(self, image_id: str, path: str) -> ImageRecord | None:
        try:
            record = relink_image(self.store(), image_id, path)
        except SiteWatchError as error:
            self._tell(str(error), Qgis.MessageLevel.Critical)
            return None
        comparing = self.comparison.active
        self._remove_layer(image_id)
        self.reload()
        if comparing and self.comparison.layers[0] is not None and self.comparison.layers[1] is not None:
            self.comparison.start()
        self._tell(f"Relinked {image_id} to {path}.", Qgis.MessageLevel.Success)
        return record

    @warns
    def remove(self, image_id: str) -> None:
        record = find_image(self.store(), image_id)
        answer = QMessageBox.question(
            self.panel, "Remove image", f"Unregister {record.label()} ({image_id})? The file itself is kept."
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        remove_image(self.store(), image_id)
        self._remove_layer(image_id)
        if image_id in (getattr(self.session.before, "image_id", None), getattr(self.session.after, "image_id", None)):
            self.session.set_pair(None, None)
        self.reload(choose_pair=True)

    # -- the pair and the comparison --------------------------------------------------------

    def choose_pair(self, before_id: str, after_id: str) -> bool:
        try:
            before, after = find_image(self.store(), before_id), find_image(self.store(), after_id)
            if (before.acquired or "") > (after.acquired or ""):
                before, after = after, before
            check_pair(self.store(), before, after)
            for record in (before, after):
                available_path(self.store(), record)
        except SiteWatchError as error:
            self._tell(str(error), Qgis.MessageLevel.Warning)
            self.panel.show_pair(self.session.before, self.session.after)
            return False
        self.session.set_pair(before, after)
        return True

    def step_pair(self, step: int) -> None:
        """Move to the previous (-1) or next (+1) pair of consecutive dated images."""
        dated = [r for r in self.panel.records if r.acquired and r.image_id not in self.panel.missing]
        ids = [r.image_id for r in dated]
        after = self.session.after
        index = ids.index(after.image_id) + step if after is not None and after.image_id in ids else len(ids) - 1
        if not 1 <= index < len(ids):
            self._tell("No earlier pair of dates." if step < 0 else "No later pair of dates.")
            return
        self.choose_pair(ids[index - 1], ids[index])

    def _pair_changed(self, before: ImageRecord | None, after: ImageRecord | None) -> None:
        self.panel.show_pair(before, after)
        layers = [self.image_layer(r.image_id) if r else None for r in (before, after)]
        root = self.session.project.layerTreeRoot()
        shown = {layer.id() for layer in layers if layer is not None}
        for layer in self.session.project.mapLayers().values():
            node = root.findLayer(layer.id()) if layer.customProperty(IMAGE_ID_PROPERTY) else None
            if node is not None:
                node.setItemVisibilityChecked(layer.id() in shown)
        labels = tuple(r.label() if r else "" for r in (before, after))
        self.comparison.set_pair(layers[0], layers[1], labels)
        if None in layers and self.comparison.active:
            self.comparison.stop()

    def set_mode(self, mode: CompareMode | None) -> None:
        if mode is None:
            self.comparison.stop()
            if self.canvas.mapTool() is self.tool:
                self.canvas.unsetMapTool(self.tool)
            return
        try:
            check_pair(self.store(), self.session.before, self.session.after)
        except SiteWatchError as error:
            self._tell(str(error), Qgis.MessageLevel.Warning)
            return
        self.comparison.set_mode(mode)
        if not isinstance(self.canvas.mapTool(), SiteWatchTool):
            # a drawing or the review tool stays: its keys keep working over the comparison
            # (it hands the compare keys on); the compare tool is for dragging the divider
            self.canvas.setMapTool(self.tool)

    def _compare_triggered(self, checked: bool) -> None:
        if checked:
            self.set_mode(self.comparison.mode)
            self.compare_action.setChecked(self.canvas.mapTool() is self.tool)
        else:
            self.set_mode(None)

    def _side_by_side(self, shown: bool) -> None:
        if shown:
            self.set_mode(self.comparison.mode)
        if self.comparison.active or not shown:
            self.comparison.show_side_by_side(shown)

    def _dock_beside_map(self, dock: SideBySideDock) -> None:
        window = self.context.iface.mainWindow()
        dock_beside_map(window, dock, window.centralWidget() or self.canvas)

    def _comparison_changed(self) -> None:
        self.panel.show_mode(
            self.comparison.mode if self.comparison.active else None,
            self.comparison.side_by_side is not None,
            self.comparison.vertical,
        )

    # -- unloading --------------------------------------------------------------------------

    def unload(self) -> None:
        self.overviews.cancel_all()
        for signal, handle in self._connections:
            signal.disconnect(handle)
        self.comparison.unload()
        if self.canvas.mapTool() is self.tool:
            self.canvas.unsetMapTool(self.tool)
        for action in (self.panel_action, self.compare_action):
            self.context.toolbar.removeAction(action)
            self.context.menu.removeAction(action)
        self.compare_action.deleteLater()
        self.context.iface.removeDockWidget(self.panel)
        self.panel.deleteLater()
        self.watcher.deleteLater()
