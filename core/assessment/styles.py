"""Default QGIS styles stored in the assessment (its ``layer_styles`` table), so that plain
QGIS, without the plugin, shows value-map dropdowns and structures drawn by type."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsEditorWidgetSetup,
    QgsFeatureRenderer,
    QgsFillSymbol,
    QgsLineSymbol,
    QgsMarkerSymbol,
    QgsRendererCategory,
    QgsVectorLayer,
)

from .. import values
from ..colours import rgba
from . import schema

if TYPE_CHECKING:
    from .store import AssessmentStore

STYLE_NAME = "SiteWatch default"

TYPE_COLOURS = {
    "warehouse": "#c9a227",
    "fortified_storehouse": "#8c5a2b",
    "tunnel_entrance": "#5b2c83",
    "revetment": "#3d7a3d",
    "barracks": "#2f6f9f",
    "bunker": "#6b6b6b",
    "hangar": "#1f9e9a",
    "building": "#d2691e",
    "other": "#a0a0a0",
}


def value_map_setup(value_list: tuple[values.Value, ...]) -> QgsEditorWidgetSetup:
    """A QGIS value-map editor widget (dropdown of labels storing codes)."""
    return QgsEditorWidgetSetup("ValueMap", {"map": [{v.label: v.code} for v in value_list]})


def apply_value_maps(layer: QgsVectorLayer, layer_def: schema.LayerDef) -> None:
    """Give every field with a value list its dropdown."""
    for field in layer_def.fields:
        if field.value_list is not None:
            index = layer.fields().indexOf(field.name)
            if index >= 0:
                layer.setEditorWidgetSetup(index, value_map_setup(field.value_list))


def structures_by_type_renderer() -> QgsCategorizedSymbolRenderer:
    """Structures filled by type, with a dark outline."""
    categories = []
    for value in values.STRUCTURE_TYPES:
        symbol = QgsFillSymbol.createSimple(
            {"color": rgba(TYPE_COLOURS[value.code], 160), "outline_color": "#202020", "outline_width": "0.4"}
        )
        categories.append(QgsRendererCategory(value.code, symbol, value.label))
    return QgsCategorizedSymbolRenderer("type", categories)


def _default_renderer(layer_def: schema.LayerDef) -> QgsFeatureRenderer | None:
    if layer_def is schema.STRUCTURES:
        return structures_by_type_renderer()
    if layer_def is schema.COMPOUNDS:
        symbol = QgsFillSymbol.createSimple(
            {"style": "no", "outline_color": "#ffd400", "outline_width": "0.8", "outline_style": "dash"}
        )
    elif layer_def is schema.IMAGERY:
        symbol = QgsFillSymbol.createSimple({"style": "no", "outline_color": "#00b4ff", "outline_width": "0.5"})
    elif layer_def is schema.LINEAR_FEATURES:
        symbol = QgsLineSymbol.createSimple({"color": "#e8e0c8", "width": "0.6"})
    elif layer_def is schema.POINT_FEATURES:
        symbol = QgsMarkerSymbol.createSimple(
            {"name": "circle", "color": "255,0,0,0", "outline_color": "#ff3030", "outline_width": "0.5", "size": "2.4"}
        )
    else:
        return None
    from qgis.core import QgsSingleSymbolRenderer

    return QgsSingleSymbolRenderer(symbol)


def default_style_layers(store: AssessmentStore) -> Iterator[QgsVectorLayer]:
    """Every contract layer of ``store`` with its value maps and default renderer set, ready
    for the store to keep as the layer's default style."""
    for layer_def in schema.LAYERS:
        layer = store.layer(layer_def.name)
        apply_value_maps(layer, layer_def)
        renderer = _default_renderer(layer_def)
        if renderer is not None:
            layer.setRenderer(renderer)
        yield layer
