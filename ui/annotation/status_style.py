"""Structures drawn by their status at the review date, in the standard colours (outline
in the colour, light fill of it).

The renderer is categorized on ``map_get(@sitewatch_statuses, "structure_id")``, with a
small map of the states recorded since (``@sitewatch_changed``) taking precedence: two
variables of the map canvas's expression scope that SiteWatch keeps current. QGIS evaluates
that in C++ (a map look-up per feature), so the whole site draws about as fast as by type, and
a recorded state restyles the map by changing one entry of the small map and repainting — no
layer edit, no join, no Python per feature. Maps without the variables (a print layout, another
map view) fall back to the Python function ``sitewatch_status(structure_id)``, which also stays
available to the analyst's own expressions.
Absent structures are hidden; structures not yet observed are drawn as a white outline.

The status renderer never reaches a saved project: without the plugin (and its function) no
structure would draw. The layer's own renderer is written in its place.
"""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionFunction,
    QgsExpressionNodeFunction,
    QgsFeatureRenderer,
    QgsFillSymbol,
    QgsMapLayer,
    QgsProject,
    QgsReadWriteContext,
    QgsRendererCategory,
    QgsVectorLayer,
)
from qgis.gui import QgsMapCanvas
from qgis.PyQt import sip
from qgis.PyQt.QtXml import QDomDocument, QDomElement

from ...core import values
from ...core.colours import rgba

FUNCTION_NAME = "sitewatch_status"
STATUSES_VARIABLE = "sitewatch_statuses"
CHANGED_VARIABLE = "sitewatch_changed"
EXPRESSION = (
    f'if(@{STATUSES_VARIABLE} IS NULL, {FUNCTION_NAME}("structure_id"), '
    f'coalesce(map_get(@{CHANGED_VARIABLE}, "structure_id"), map_get(@{STATUSES_VARIABLE}, "structure_id")))'
)
OLD_EXPRESSION = f'{FUNCTION_NAME}("structure_id")'
"""The renderer's expression before version 0.3 (a Python function per feature)."""
FOLD_AT = 2000
"""Recorded states kept in the small map before it is folded into the large one."""
NOT_OBSERVED_LABEL = "Not yet observed"
FILL_ALPHA = 70
"""A light fill in the status colour keeps the roof visible on the image underneath."""
OUTLINE_MM = "0.8"


class StatusFunction(QgsExpressionFunction):
    """``sitewatch_status(structure_id)``: the structure's status at the SiteWatch review date."""

    def __init__(self) -> None:
        super().__init__(
            FUNCTION_NAME,
            1,
            "SiteWatch",
            "<h3>sitewatch_status(structure_id)</h3>The status of a structure at the SiteWatch review "
            "date (the after image's date, or the Temporal Controller's), or NULL when not yet observed.",
        )
        self.statuses: dict[str, str] = {}

    def func(  # noqa: ARG002 - QGIS's signature
        self,
        arguments: list[Any],
        context: QgsExpressionContext,
        parent: QgsExpression,
        node: QgsExpressionNodeFunction,
    ) -> str | None:
        return self.statuses.get(arguments[0])

    def referencedColumns(self, node: QgsExpressionNodeFunction) -> set[str]:  # noqa: N802 - QGIS override
        """Only the argument's columns: QGIS would otherwise fetch every attribute of every
        feature drawn (the default for a Python function)."""
        columns: set[str] = set()
        for argument in node.args().list():
            columns |= set(argument.referencedColumns())
        return columns

    def isStatic(  # noqa: ARG002
        self, node: QgsExpressionNodeFunction, parent: QgsExpression, context: QgsExpressionContext
    ) -> bool:
        return False


def status_renderer() -> QgsCategorizedSymbolRenderer:
    """One category per status with its standard colour; absent hidden; others outlined."""
    categories = []
    for status in values.STATUSES:
        colour = status.colour[:7]
        symbol = QgsFillSymbol.createSimple(
            {"color": rgba(colour, FILL_ALPHA), "outline_color": rgba(colour), "outline_width": OUTLINE_MM}
        )
        categories.append(QgsRendererCategory(status.code, symbol, status.label, status.code != "absent"))
    outline = QgsFillSymbol.createSimple({"style": "no", "outline_color": "#ffffff", "outline_width": OUTLINE_MM})
    categories.append(QgsRendererCategory("", outline, NOT_OBSERVED_LABEL))
    return QgsCategorizedSymbolRenderer(EXPRESSION, categories)


def is_status_renderer(renderer: QgsFeatureRenderer | None) -> bool:
    return isinstance(renderer, QgsCategorizedSymbolRenderer) and renderer.classAttribute() in (
        EXPRESSION,
        OLD_EXPRESSION,
    )


class StatusStyle:
    """Registers the status function and styles one structures layer of ``project`` by status."""

    def __init__(self, project: QgsProject, canvas: QgsMapCanvas | None = None) -> None:
        self.function = StatusFunction()
        if QgsExpression.isFunctionName(FUNCTION_NAME):
            QgsExpression.unregisterFunction(FUNCTION_NAME)
        QgsExpression.registerFunction(self.function)
        self.project = project
        self.layer: QgsVectorLayer | None = None
        self._previous: QgsFeatureRenderer | None = None
        self.canvas = canvas
        """The map canvas whose scope holds the statuses (other maps use the function)."""
        self._changed: dict[str, str] = {}
        """States recorded since the large map was set (structure_id → status, "" unobserved)."""
        project.writeMapLayer.connect(self._write_own_renderer)

    def apply(self, layer: QgsVectorLayer) -> None:
        """Style ``layer`` by status (its own renderer comes back on :meth:`release`)."""
        self.release()
        if is_status_renderer(layer.renderer()):  # e.g. a project saved by an older SiteWatch
            _, loaded = layer.loadDefaultStyle()  # the assessment's default style (layer_styles)
            if not loaded or is_status_renderer(layer.renderer()):
                layer.setRenderer(QgsFeatureRenderer.defaultRenderer(layer.geometryType()))
        self.layer = layer
        self._previous = layer.renderer().clone() if layer.renderer() else None
        layer.setRenderer(status_renderer())
        self._changed = {}
        self._set_variables(self.function.statuses)
        layer.triggerRepaint()

    def _write_own_renderer(self, layer: QgsMapLayer, element: QDomElement, document: QDomDocument) -> None:
        """While the project is written: put the layer's own renderer in place of the status one."""
        if self.layer is None or self._previous is None or sip.isdeleted(self.layer) or layer.id() != self.layer.id():
            return
        written = element.firstChildElement("renderer-v2")
        if written.isNull():
            return
        context = QgsReadWriteContext()
        context.setPathResolver(self.project.pathResolver())
        element.replaceChild(self._previous.save(document, context), written)

    def set_statuses(self, statuses: dict[str, str]) -> None:
        """Show ``statuses`` (all of them, for a new date)."""
        self.function.statuses = statuses
        self._changed = {}
        self._set_variables(statuses)
        self.repaint()

    def set_status(self, structure_id: str, status: str | None) -> None:
        """Show one structure's new status (a look-up in a small map: the large one is left)."""
        if status is None:
            self.function.statuses.pop(structure_id, None)
        else:
            self.function.statuses[structure_id] = status
        self._changed[structure_id] = status or ""  # "": not yet observed (coalesce stops there)
        if len(self._changed) > FOLD_AT:
            self._changed = {}
            self._set_variables(self.function.statuses)
        elif self.canvas is not None:
            self.canvas.expressionContextScope().setVariable(CHANGED_VARIABLE, self._changed)
        self.repaint()

    def _set_variables(self, statuses: dict[str, str]) -> None:
        if self.canvas is not None:
            scope = self.canvas.expressionContextScope()
            scope.setVariable(STATUSES_VARIABLE, statuses)
            scope.setVariable(CHANGED_VARIABLE, self._changed)

    def repaint(self) -> None:
        if self.layer is not None:
            self.layer.triggerRepaint()

    def release(self) -> None:
        """Give the layer its previous renderer back."""
        if self.layer is not None and not sip.isdeleted(self.layer) and self._previous is not None:
            self.layer.setRenderer(self._previous)
        self.layer, self._previous = None, None
        if self.canvas is not None and not sip.isdeleted(self.canvas):
            for name in (STATUSES_VARIABLE, CHANGED_VARIABLE):
                self.canvas.expressionContextScope().removeVariable(name)

    def unload(self) -> None:
        self.project.writeMapLayer.disconnect(self._write_own_renderer)
        self.release()
        QgsExpression.unregisterFunction(FUNCTION_NAME)
