"""Structures drawn by their status at the review date, in the standard colours (outline
in the colour, light fill of it).

The renderer is categorized on ``substr(sitewatch_status_codes(), $id + 1001, 1)`` (with a
GeoPackage's fid column in place of ``$id``): one character per feature id
(:mod:`...core.annotation.status_codes`). The function takes no feature argument and says it
is static, so QGIS calls it once when a render starts (in any map: the canvas, a print layout,
another map view) and then looks each feature up in C++ in constant time: the whole site draws
about as fast as by type, and a recorded state restyles the map by replacing one character and
repainting — no layer edit, no join, no Python per feature. When feature ids are too large for
such a string (a file made elsewhere), the renderer falls back to the Python function
``sitewatch_status(structure_id)``, which also stays available to the analyst's own expressions.
Absent structures are hidden (their category draws nothing on a map: see :func:`_hide_on_maps`);
structures not yet observed are drawn as a white outline.

The status renderer never reaches a saved project: without the plugin (and its functions) no
structure would draw. The layer's own renderer is written in its place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
    QgsProperty,
    QgsReadWriteContext,
    QgsRendererCategory,
    QgsSymbolLayer,
    QgsVectorLayer,
)
from qgis.PyQt import sip
from qgis.PyQt.QtXml import QDomDocument, QDomElement

from ...core import values
from ...core.annotation.status_book import StatusBook
from ...core.annotation.status_codes import FID_OFFSET, LETTERS, feature_codes, status_of_letter, with_status
from ...core.colours import rgba

FUNCTION_NAME = "sitewatch_status"
CODES_FUNCTION_NAME = "sitewatch_status_codes"
EXPRESSION = f"substr({CODES_FUNCTION_NAME}(), $id + {FID_OFFSET + 1}, 1)"
"""One character per feature id (substr counts from 1)."""


def codes_expression(layer: QgsVectorLayer | None) -> str:
    """:data:`EXPRESSION`, reading the feature id from a GeoPackage's fid column when the layer
    shows it as a field (a column read per feature costs less than ``$id``'s function call)."""
    if layer is None or layer.providerType() != "ogr" or len(layer.primaryKeyAttributes()) != 1:
        return EXPRESSION
    column = QgsExpression.quotedColumnRef(layer.fields().at(layer.primaryKeyAttributes()[0]).name())
    return EXPRESSION.replace("$id", column)


BY_ID_EXPRESSION = f'{FUNCTION_NAME}("structure_id")'
"""The fallback (and the renderer's expression before version 0.3): a Python call per feature."""
OLD_EXPRESSIONS = (
    BY_ID_EXPRESSION,
    'if(@sitewatch_statuses IS NULL, sitewatch_status("structure_id"), '
    'coalesce(map_get(@sitewatch_changed, "structure_id"), map_get(@sitewatch_statuses, "structure_id")))',
)
"""Status renderers of earlier versions (recognised in a project saved by one)."""
NOT_OBSERVED_LABEL = "Not yet observed"
FILL_ALPHA = 70
"""A light fill in the status colour keeps the roof visible on the image underneath."""
OUTLINE_MM = "0.8"
SIDE_CODES_VARIABLE = "sitewatch_side_codes"
"""A map side drawn at another date than the review date (the comparison's before side) holds
its own status codes in this expression-context variable; the codes function returns them."""
SIDE_STATUSES_VARIABLE = "sitewatch_side_statuses"
"""The same for the by-structure-id fallback: that side's structure_id → status map."""


def _nothing(_structure_id: str) -> str | None:
    return None


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
        self.lookup: Callable[[str], str | None] = _nothing

    def func(  # noqa: ARG002 - QGIS's signature
        self,
        arguments: list[Any],
        context: QgsExpressionContext,
        parent: QgsExpression,
        node: QgsExpressionNodeFunction,
    ) -> str | None:
        if not isinstance(arguments[0], str):
            return None
        if context is not None and context.hasVariable(SIDE_STATUSES_VARIABLE):
            return context.variable(SIDE_STATUSES_VARIABLE).get(arguments[0])
        return self.lookup(arguments[0])

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


class StatusCodesFunction(QgsExpressionFunction):
    """``sitewatch_status_codes()``: every feature's status at the review date, one character
    per feature id. Static: QGIS calls it once per render (when the expression is prepared)."""

    def __init__(self) -> None:
        super().__init__(
            CODES_FUNCTION_NAME,
            0,
            "SiteWatch",
            f"<h3>{CODES_FUNCTION_NAME}()</h3>The status of every structure at the SiteWatch review date, "
            f"one character per feature id: the character at position $id + {FID_OFFSET + 1} "
            f"({', '.join(f'{letter} {code}' for code, letter in LETTERS.items())}, - not observed).",
        )
        self.codes = ""

    def func(  # noqa: ARG002 - QGIS's signature
        self,
        arguments: list[Any],
        context: QgsExpressionContext,
        parent: QgsExpression,
        node: QgsExpressionNodeFunction,
    ) -> str:
        if context is not None and context.hasVariable(SIDE_CODES_VARIABLE):
            return str(context.variable(SIDE_CODES_VARIABLE))
        return self.codes

    def referencedColumns(self, node: QgsExpressionNodeFunction) -> set[str]:  # noqa: ARG002, N802
        return set()

    def isStatic(  # noqa: ARG002
        self, node: QgsExpressionNodeFunction, parent: QgsExpression, context: QgsExpressionContext
    ) -> bool:
        return True


def status_renderer(by_feature_id: bool = True, expression: str = EXPRESSION) -> QgsCategorizedSymbolRenderer:
    """One category per status with its standard colour; absent hidden; others outlined. By
    feature id (the fast expression, categories are the status characters) or by structure id
    (the Python function, categories are the status codes)."""
    categories = []
    for status in values.STATUSES:
        colour = status.colour[:7]
        symbol = QgsFillSymbol.createSimple(
            {"color": rgba(colour, FILL_ALPHA), "outline_color": rgba(colour), "outline_width": OUTLINE_MM}
        )
        if status.code == "absent":
            _hide_on_maps(symbol)
        value = LETTERS[status.code] if by_feature_id else status.code
        categories.append(QgsRendererCategory(value, symbol, status.label))
    outline = QgsFillSymbol.createSimple({"style": "no", "outline_color": "#ffffff", "outline_width": OUTLINE_MM})
    categories.append(QgsRendererCategory("", outline, NOT_OBSERVED_LABEL))  # every other value
    return QgsCategorizedSymbolRenderer(expression if by_feature_id else BY_ID_EXPRESSION, categories)


def _hide_on_maps(symbol: QgsFillSymbol) -> None:
    """Draw nothing of ``symbol`` on a map (its legend icon keeps the colour). Hiding absent
    structures so, rather than by an unticked category, keeps every category ticked: QGIS then
    asks the data source for no filter. An unticked one makes it filter every feature by
    ``(expression) NOT IN (...)``, in QGIS (a custom function cannot go to SQL): a second
    status look-up per feature, a fifth of a whole-site render."""
    for layer in symbol.symbolLayers():
        layer.setDataDefinedProperty(QgsSymbolLayer.Property.LayerEnabled, QgsProperty.fromValue(False))


def is_status_renderer(renderer: QgsFeatureRenderer | None) -> bool:
    if not isinstance(renderer, QgsCategorizedSymbolRenderer):
        return False
    attribute = renderer.classAttribute()
    return attribute.startswith(f"substr({CODES_FUNCTION_NAME}(),") or attribute in OLD_EXPRESSIONS


class StatusStyle:
    """Registers the status functions and styles one structures layer of ``project`` by status."""

    def __init__(self, project: QgsProject) -> None:
        self.function = StatusFunction()
        self.codes_function = StatusCodesFunction()
        for function in (self.function, self.codes_function):
            if QgsExpression.isFunctionName(function.name()):
                QgsExpression.unregisterFunction(function.name())
            QgsExpression.registerFunction(function)
        self.project = project
        self.layer: QgsVectorLayer | None = None
        self._previous: QgsFeatureRenderer | None = None
        self._fids: Mapping[str, int] = {}
        """structure_id → feature id of the structures drawn."""
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
        layer.setRenderer(status_renderer(expression=codes_expression(layer)))
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

    def show(self, book: StatusBook, on: str | None, fids: Mapping[str, int]) -> None:
        """Show every feature (``fids``: structure_id → feature id) in its state at ``on``."""
        self._fids = fids
        self.function.lookup = (lambda structure_id: book.status_at(structure_id, on)) if on else _nothing
        codes = feature_codes(book, on, fids)
        self.codes_function.codes = codes or ""
        self._use_renderer(by_feature_id=codes is not None)
        self.repaint()

    def _use_renderer(self, by_feature_id: bool) -> None:
        layer = self.layer
        if layer is None or sip.isdeleted(layer):
            return
        expression = codes_expression(layer)
        wanted = expression if by_feature_id else BY_ID_EXPRESSION
        renderer = layer.renderer()
        if not isinstance(renderer, QgsCategorizedSymbolRenderer) or renderer.classAttribute() != wanted:
            layer.setRenderer(status_renderer(by_feature_id, expression))

    def set_status(self, structure_id: str, status: str | None) -> None:
        """Show one structure's new status (one character of the codes replaced); the status
        book already holds it (sitewatch_status reads the book)."""
        fid = self._fids.get(structure_id)
        if fid is not None and self.codes_function.codes:
            self.codes_function.codes = with_status(self.codes_function.codes, fid, status)
        self.repaint()

    def codes_at(self, book: StatusBook, on: str | None) -> str | None:
        """Every drawn feature's status at ``on`` as the renderer's codes (None: feature ids too
        large, the by-structure-id fallback is in use)."""
        return feature_codes(book, on, self._fids) if self.codes_function.codes else None

    def with_side_status(self, codes: str, structure_id: str, status: str | None) -> str:
        """``codes`` (of :meth:`codes_at`) with one structure's status replaced."""
        fid = self._fids.get(structure_id)
        return codes if fid is None else with_status(codes, fid, status)

    def status_of(self, structure_id: str) -> str | None:
        """The status the map draws ``structure_id`` in (None: not observed or not drawn)."""
        fid = self._fids.get(structure_id)
        codes = self.codes_function.codes
        if fid is None or not codes:
            return self.function.lookup(structure_id)
        position = fid + FID_OFFSET
        return status_of_letter(codes[position]) if position < len(codes) else None

    def repaint(self) -> None:
        if self.layer is not None and not sip.isdeleted(self.layer):
            self.layer.triggerRepaint()

    def release(self) -> None:
        """Give the layer its previous renderer back."""
        if self.layer is not None and not sip.isdeleted(self.layer) and self._previous is not None:
            self.layer.setRenderer(self._previous)
        self.layer, self._previous = None, None
        self._fids = {}
        self.codes_function.codes = ""
        self.function.lookup = _nothing

    def unload(self) -> None:
        self.project.writeMapLayer.disconnect(self._write_own_renderer)
        self.release()
        for name in (FUNCTION_NAME, CODES_FUNCTION_NAME):
            QgsExpression.unregisterFunction(name)
