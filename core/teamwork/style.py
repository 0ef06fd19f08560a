"""How work cells are drawn: an outline per state (grey dashed unassigned, blue in progress,
orange awaiting review, green certified) with a light fill, labelled with their name."""

from __future__ import annotations

from qgis.core import (
    Qgis,
    QgsCategorizedSymbolRenderer,
    QgsFillSymbol,
    QgsPalLayerSettings,
    QgsRendererCategory,
    QgsTextFormat,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor

from .. import values
from ..colours import rgba

STATE_COLOURS = {
    "unassigned": "#8a8a8a",
    "in_progress": "#2b6cd6",
    "awaiting_review": "#f28c1b",
    "certified": "#2ca02c",
}


def cells_renderer() -> QgsCategorizedSymbolRenderer:
    categories = []
    for state in values.CELL_STATES:
        colour = STATE_COLOURS[state.code]
        symbol = QgsFillSymbol.createSimple(
            {
                "color": rgba(colour, 28),
                "outline_color": rgba(colour),
                "outline_width": "0.9",
                "outline_style": "dash" if state.code == "unassigned" else "solid",
            }
        )
        categories.append(QgsRendererCategory(state.code, symbol, state.label))
    return QgsCategorizedSymbolRenderer("state", categories)


def cells_labeling() -> QgsVectorLayerSimpleLabeling:
    """The cell's name (else id) and its analyst, in the cell's upper part."""
    settings = QgsPalLayerSettings()
    settings.fieldName = 'coalesce("name", "cell_id") || coalesce(\' · \' || "assignee", \'\')'
    settings.isExpression = True
    text = QgsTextFormat()
    text.setSize(9)
    text.setColor(QColor("#202020"))
    buffer = text.buffer()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    settings.setFormat(text)
    settings.placement = Qgis.LabelPlacement.Horizontal
    return QgsVectorLayerSimpleLabeling(settings)
