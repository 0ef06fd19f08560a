"""SiteWatch ▸ Import footprints…: building footprints from a file or a project layer, with a
preview of what the import will do before anything is written.

A thin adapter over :mod:`...core.importing.structures`: the form becomes
:class:`StructureOptions`; the preview runs :func:`plan_structures` and the import
:func:`import_structures` in a background task (:mod:`.runner`)."""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    Qgis,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsProject,
    QgsVectorLayer,
)
from qgis.gui import QgisInterface, QgsExtentGroupBox, QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from ...core.errors import SiteWatchError
from ...core.importing.assessment_layers import AssessmentLayers
from ...core.importing.geometry import area_of_interest
from ...core.importing.structures import (
    DUPLICATE_MODES,
    NAME_FIELD,
    OSM_TYPE_FIELD,
    StructureImport,
    StructureOptions,
    import_structures,
    plan_structures,
)
from .. import settings
from ..assessment.session import AssessmentSession
from .runner import ImportDialogBase
from .source import describe, source_layer
from .task import Work
from .type_map_table import TypeMapTable

SOURCE_FILTER = (
    "Footprints (*.gpkg *.shp *.geojson *.json *.geojsons *.geojsonl *.fgb *.osm *.pbf *.csv);;All files (*)"
)
NO_FIELD = "(none)"
MAX_EXTENT = 1e8
"""Wider than this (map units) the canvas shows no real extent yet (an empty project)."""
COUNTS = (
    ("new", "New structures"),
    ("duplicates", "Duplicates"),
    ("repaired", "Invalid, repaired"),
    ("refused", "Refused"),
    ("outside", "Outside the extent / area"),
)


class StructureImportDialog(ImportDialogBase):
    TITLE = "SiteWatch: Import footprints"

    def __init__(self, iface: QgisInterface, session: AssessmentSession, parent: QWidget | None = None):
        super().__init__(iface, session, parent)
        self.file = QgsFileWidget()
        self.file.setFilter(SOURCE_FILTER)
        self.file.setDefaultRoot(settings.last_folder())
        self.file.setToolTip(
            "A vector file: GeoPackage, Shapefile, GeoJSON(Seq), FlatGeobuf, OSM (.osm.pbf), CSV with WKT"
        )
        self.layer = QgsMapLayerComboBox()
        self.layer.setFilters(Qgis.LayerFilter.PolygonLayer)
        self.layer.setAllowEmptyLayer(True, "(choose a file instead)")
        self.layer.setLayer(None)
        self.type_field = QComboBox()
        self.name_field = QComboBox()
        self.types = TypeMapTable()
        self.types.setMinimumHeight(120)
        add_row = QPushButton("Add value")
        add_row.clicked.connect(lambda: self.types.add_row())
        remove_row = QPushButton("Remove")
        remove_row.clicked.connect(self.types.remove_selected)
        self.iou = QDoubleSpinBox()
        self.iou.setRange(0.01, 1.0)
        self.iou.setSingleStep(0.05)
        self.iou.setValue(0.5)
        self.iou.setToolTip(
            "A footprint overlapping a structure already there by this intersection over union is a duplicate"
        )
        self.duplicates = QComboBox()
        self.duplicates.addItem("skip them", DUPLICATE_MODES[0])
        self.duplicates.addItem("merge type and name into the existing structure", DUPLICATE_MODES[1])
        self.extent = QgsExtentGroupBox()
        self.extent.setTitleBase("Only within an extent")
        self.extent.setCheckable(True)
        self.extent.setChecked(False)
        self.extent.setCollapsed(True)
        self.extent.setMapCanvas(iface.mapCanvas())
        self.extent.setOutputCrs(session.store.crs() if session.store is not None else QgsProject.instance().crs())
        canvas = iface.mapCanvas()
        if canvas.extent().isFinite() and canvas.extent().width() < MAX_EXTENT:  # not the empty project's
            crs = canvas.mapSettings().destinationCrs()
            self.extent.setOriginalExtent(canvas.extent(), crs)
            self.extent.setCurrentExtent(canvas.extent(), crs)
        self.aoi = QgsMapLayerComboBox()
        self.aoi.setFilters(Qgis.LayerFilter.PolygonLayer)
        self.aoi.setAllowEmptyLayer(True, "(none: everything)")
        self.aoi.setLayer(None)
        self.aoi.setToolTip("Only footprints intersecting this layer's polygons are imported")
        self.counts = {key: QLabel("–") for key, _ in COUNTS}
        self.details = QLabel()
        self.details.setWordWrap(True)
        self._source_layer: QgsVectorLayer | None = None

        source = QFormLayout()
        source.addRow("File", self.file)
        source.addRow("or project layer", self.layer)
        source_box = QGroupBox("Footprints")
        source_box.setLayout(source)
        types = QFormLayout()
        fields = QHBoxLayout()
        fields.addWidget(self.type_field, 1)
        fields.addWidget(QLabel("Name field"))
        fields.addWidget(self.name_field, 1)
        types.addRow("Type field", fields)
        types.addRow(self.types)
        rows = QHBoxLayout()
        rows.addWidget(add_row)
        rows.addWidget(remove_row)
        rows.addStretch(1)
        types.addRow(rows)
        types_box = QGroupBox("Types")
        types_box.setLayout(types)
        area = QFormLayout()
        dedupe = QHBoxLayout()
        dedupe.addWidget(self.iou)
        dedupe.addWidget(self.duplicates, 1)
        area.addRow("Duplicate when IoU ≥", dedupe)
        area.addRow("Area of interest", self.aoi)
        area_box = QGroupBox("Duplicates and area")
        area_box.setLayout(area)
        preview = QGridLayout()
        for number, (key, label) in enumerate(COUNTS):
            preview.addWidget(QLabel(label), number // 3, 2 * (number % 3))
            preview.addWidget(self.counts[key], number // 3, 2 * (number % 3) + 1)
        preview.addWidget(self.details, 2, 0, 1, 6)
        for column in (1, 3, 5):
            preview.setColumnStretch(column, 1)
        preview_box = QGroupBox("Preview")
        preview_box.setLayout(preview)
        for widget in (source_box, types_box, area_box, self.extent, preview_box):
            self.form.addWidget(widget)
        self.file.fileChanged.connect(self._file_chosen)
        self.layer.layerChanged.connect(self._layer_chosen)
        self.resize(620, 680)

    # -- the source and its fields ----------------------------------------------------------

    def _file_chosen(self, path: str) -> None:
        if path:
            self.layer.setLayer(None)
            settings.set_last_folder(str(Path(path).parent))
        self._read_fields()

    def _layer_chosen(self, layer: QgsVectorLayer | None) -> None:
        if layer is not None:
            self.file.setFilePath("")
        self._read_fields()

    def set_source(self, path: str | None = None, layer: QgsVectorLayer | None = None) -> None:
        """Choose the footprints (as picking them in the form does)."""
        if path:
            self.file.setFilePath(path)
        else:
            self.layer.setLayer(layer)

    def _read_fields(self) -> None:
        """Fill the field lists from the source; type field 'building' and name field 'name'
        when it has them (OSM)."""
        self._source_layer = None
        names: list[str] = []
        try:
            layer = self._open_source()
        except SiteWatchError as error:
            self.status.setText(str(error))
        else:
            self.status.setText("")
            self._source_layer = layer
            names = layer.fields().names() if layer is not None else []
        for combo, default in ((self.type_field, OSM_TYPE_FIELD), (self.name_field, NAME_FIELD)):
            combo.clear()
            combo.addItem(NO_FIELD, None)
            for name in names:
                combo.addItem(name, name)
            combo.setCurrentIndex(max(0, combo.findData(default)))
        for label in self.counts.values():
            label.setText("–")
        self.details.setText("")

    def _open_source(self) -> QgsVectorLayer | None:
        path = self.file.filePath().strip() or None
        layer = self.layer.currentLayer()
        if not path and layer is None:
            return None
        return source_layer(path, layer if isinstance(layer, QgsVectorLayer) else None)

    # -- the form as core options ---------------------------------------------------------

    def options(self) -> StructureOptions:
        """The form as the import's options (the extent and area moved into the assessment's CRS)."""
        store = self.session.store
        if store is None:
            raise SiteWatchError("No assessment is open: use SiteWatch ▸ Open assessment or New assessment.")
        crs, transforms = store.crs(), QgsProject.instance().transformContext()
        extent = None
        if self.extent.isChecked():
            extent = QgsGeometry.fromRect(self.extent.outputExtent())
            if self.extent.outputCrs().isValid() and self.extent.outputCrs() != crs:
                extent.transform(QgsCoordinateTransform(self.extent.outputCrs(), crs, transforms))
        aoi_layer = self.aoi.currentLayer()
        aoi = None
        if isinstance(aoi_layer, QgsVectorLayer):
            aoi = area_of_interest(aoi_layer, crs, transforms, aoi_layer.name())
        return StructureOptions(
            analyst=settings.analyst_name(),
            type_field=self.type_field.currentData(),
            type_map=self.types.mapping(),
            dedupe_iou=self.iou.value(),
            extent=extent,
            aoi=aoi,
            duplicates=self.duplicates.currentData(),
            name_field=self.name_field.currentData(),
        )

    def _inputs(self) -> tuple[QgsVectorLayer, StructureOptions, AssessmentLayers]:
        """Everything a task reads, made here on the main thread."""
        store = self.session.store
        if store is None:
            raise SiteWatchError("No assessment is open: use SiteWatch ▸ Open assessment or New assessment.")
        layer = self._open_source()  # a fresh copy per run: the task owns it
        if layer is None:
            raise SiteWatchError("Choose the footprints: a file, or a polygon layer of the project.")
        return layer, self.options(), AssessmentLayers.of(store)

    def preview_work(self) -> Work:
        store = self.session.store
        layer, options, layers = self._inputs()
        return lambda progress: plan_structures(store, layer, options, progress, layers)

    def import_work(self) -> Work:
        store = self.session.store
        layer, options, layers = self._inputs()
        return lambda progress: import_structures(store, layer, options, progress, layers)

    # -- results ----------------------------------------------------------------------------

    def show_preview(self, result: StructureImport) -> None:
        merging = self.duplicates.currentData() == "merge"
        handled = f"merged, {result.merged} updated" if merging else "skipped"
        refused = ", ".join(f"{reason} {count}" for reason, count in sorted(result.refused.items()))
        texts = {
            "new": str(result.imported),
            "duplicates": f"{result.duplicates} ({handled})",
            "repaired": str(result.repaired),
            "refused": f"{sum(result.refused.values())}" + (f" ({refused})" if refused else ""),
            "outside": str(result.outside),
        }
        for key, text in texts.items():
            self.counts[key].setText(text)
        unmapped = ", ".join(f"'{value}' {count}" for value, count in result.unmapped.most_common())
        self.details.setText(
            f"{result.read} footprints read."
            + (
                f" Type values not mapped (imported as 'other'): {unmapped} — give them a type above."
                if unmapped
                else ""
            )
        )
        self.types.show_unmapped(dict(result.unmapped))

    def summary(self, result: StructureImport) -> str:
        source = describe(self.file.filePath().strip() or None, self.layer.currentLayer())
        merged = f", {result.merged} existing structures updated" if result.merged else ""
        return (
            f"Imported {result.imported} structures from {source}{merged}: {result.duplicates} duplicates, "
            f"{result.repaired} repaired, {sum(result.refused.values())} refused, {result.outside} outside."
        )
