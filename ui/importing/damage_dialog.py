"""SiteWatch ▸ Import damage assessment…: an earlier assessment (UNOSAT, Copernicus EMS, xBD, a
SiteWatch export) as observations, with a preview before anything is written.

A thin adapter over :mod:`...core.importing.damage`: the form becomes :class:`DamageOptions`;
the preview runs :func:`plan_damage` and the import :func:`import_damage` in a background task."""

from __future__ import annotations

from pathlib import Path

from qgis.core import Qgis, QgsVectorLayer
from qgis.gui import QgisInterface, QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QWidget

from ...core.assessment.observations import check_date
from ...core.errors import SiteWatchError
from ...core.importing.assessment_layers import AssessmentLayers
from ...core.importing.damage import CONFLICTS, UNMATCHED, DamageImport, DamageOptions, import_damage, plan_damage
from ...core.importing.damage_formats import FORMATS
from ...core.importing.sitewatch_export import is_sitewatch_export
from .. import settings
from ..assessment.session import AssessmentSession
from .runner import ImportDialogBase
from .source import describe, source_layer
from .task import Work

SOURCE_FILTER = "Damage assessments (*.gpkg *.shp *.geojson *.json *.fgb *.csv *.kml);;All files (*)"
FORMAT_LABELS = {
    "unosat": "UNOSAT damage sites",
    "ems": "Copernicus EMS gradings",
    "xbd": "xBD / xView2 labels (.json)",
    "sitewatch": "SiteWatch export",
}
UNMATCHED_LABELS = {"create": "become small square structures (flagged in notes)", "skip": "are left out"}
CONFLICT_LABELS = {
    "keep": "keep the existing one",
    "replace": "replace it (the old one goes to the history)",
    "refuse": "refuse the whole import",
}


class DamageImportDialog(ImportDialogBase):
    TITLE = "SiteWatch: Import damage assessment"

    def __init__(self, iface: QgisInterface, session: AssessmentSession, parent: QWidget | None = None):
        super().__init__(iface, session, parent)
        self.file = QgsFileWidget()
        self.file.setFilter(SOURCE_FILTER)
        self.file.setDefaultRoot(settings.last_folder())
        self.file.setToolTip("A vector file, an xBD label .json, or a SiteWatch export (its GeoPackage or CSV)")
        self.layer = QgsMapLayerComboBox()
        self.layer.setFilters(Qgis.LayerFilters(Qgis.LayerFilter.PointLayer | Qgis.LayerFilter.PolygonLayer))
        self.layer.setAllowEmptyLayer(True, "(choose a file instead)")
        self.layer.setLayer(None)
        self.format = QComboBox()
        self.format.addItem("detect from the fields", None)
        for code in FORMATS:
            self.format.addItem(FORMAT_LABELS[code], code)
        self.image_date = QLineEdit()
        self.image_date.setPlaceholderText("YYYY-MM-DD (for EMS and xBD without dates)")
        self.date_field = QLineEdit()
        self.date_field.setPlaceholderText("EMS: a field holding each grading's image date (optional)")
        self.distance = QDoubleSpinBox()
        self.distance.setRange(0.0, 1000.0)
        self.distance.setValue(10.0)
        self.distance.setSuffix(" m")
        self.distance.setToolTip("A point outside every structure is matched to the nearest one within this distance")
        self.unmatched = QComboBox()
        for code in UNMATCHED:
            self.unmatched.addItem(UNMATCHED_LABELS[code], code)
        self.conflict = QComboBox()
        for code in CONFLICTS:
            self.conflict.addItem(CONFLICT_LABELS[code], code)
        self.counts = QLabel("–")
        self.counts.setWordWrap(True)
        source = QFormLayout()
        source.addRow("File", self.file)
        source.addRow("or project layer", self.layer)
        source.addRow("Format", self.format)
        source.addRow("Image date", self.image_date)
        source.addRow("Date field", self.date_field)
        source_box = QGroupBox("Earlier assessment")
        source_box.setLayout(source)
        matching = QFormLayout()
        matching.addRow("Match points within", self.distance)
        matching.addRow("Unmatched sites", self.unmatched)
        matching.addRow("Existing observation on the same date", self.conflict)
        matching_box = QGroupBox("Matching to structures")
        matching_box.setLayout(matching)
        preview = QFormLayout()
        preview.addRow(self.counts)
        preview_box = QGroupBox("Preview")
        preview_box.setLayout(preview)
        for widget in (source_box, matching_box, preview_box):
            self.form.addWidget(widget)
        self.file.fileChanged.connect(lambda path: self.layer.setLayer(None) if path else None)
        self.layer.layerChanged.connect(lambda layer: self.file.setFilePath("") if layer is not None else None)
        self.resize(560, 480)

    def set_source(self, path: str | None = None, layer: QgsVectorLayer | None = None) -> None:
        if path:
            self.file.setFilePath(path)
        else:
            self.layer.setLayer(layer)

    def options(self) -> DamageOptions:
        image_date = self.image_date.text().strip()
        return DamageOptions(
            analyst=settings.analyst_name(),
            format=self.format.currentData(),
            image_date=check_date(image_date, "The image date") if image_date else None,
            date_field=self.date_field.text().strip() or None,
            match_distance_m=self.distance.value(),
            unmatched=self.unmatched.currentData(),
            conflict=self.conflict.currentData(),
        )

    def _inputs(self) -> tuple[str | QgsVectorLayer, DamageOptions, AssessmentLayers]:
        """Everything a task reads, made here on the main thread."""
        store = self.session.store
        if store is None:
            raise SiteWatchError("No assessment is open: use SiteWatch ▸ Open assessment or New assessment.")
        path = self.file.filePath().strip()
        layer = self.layer.currentLayer()
        if path:  # xBD JSON and SiteWatch exports are read as files; other layers opened here
            keep_path = path.lower().endswith(".json") or Path(path).is_dir() or is_sitewatch_export(Path(path))
            source: str | QgsVectorLayer = path if keep_path else source_layer(path, None)
        elif isinstance(layer, QgsVectorLayer):
            source = source_layer(None, layer)
        else:
            raise SiteWatchError("Choose the earlier assessment: a file, or a layer of the project.")
        return source, self.options(), AssessmentLayers.of(store)

    def preview_work(self) -> Work:
        store = self.session.store
        source, options, layers = self._inputs()
        return lambda progress: plan_damage(store, source, options, progress, layers)

    def import_work(self) -> Work:
        store = self.session.store
        source, options, layers = self._inputs()
        return lambda progress: import_damage(store, source, options, progress, layers)

    def show_preview(self, result: DamageImport) -> None:
        self.counts.setText("\n".join(result.summary()))

    def summary(self, result: DamageImport) -> str:
        source = describe(self.file.filePath().strip() or None, self.layer.currentLayer())
        return f"Imported from {source}: " + " ".join(result.summary())
