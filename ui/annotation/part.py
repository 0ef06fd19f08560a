"""The annotation part of the SiteWatch toolbar: drawing tools, the type picker, the review
tool, the review queue dock, undo / redo."""

from __future__ import annotations

from collections.abc import Callable, Collection

from qgis.core import Qgis, QgsGeometry, QgsVectorLayer
from qgis.gui import QgsMapTool
from qgis.PyQt import sip
from qgis.PyQt.QtGui import QAction, QKeyEvent
from qgis.PyQt.QtWidgets import QComboBox, QInputDialog, QLineEdit, QMessageBox

from ...core import values
from ...core.assessment import schema
from ..assessment.conflict import ask_keep_mine
from ..context import InterfacePart, PluginContext
from ..dock_layout import size_to_content_when_shown
from ..icons import icon
from ..messages import notify
from ..validation.panel import ValidationPanel
from .controller import AnnotationController
from .draw_tools import LineTool, MoveTool, PointCollectorTool, PointTool, PolygonTool, RectangleTool
from .navigation import ContextZoom
from .review_queue_dock import ReviewQueueDock, StructureFocus, dock_area
from .review_tool import ReviewTool, key_help

COMPOUND = "__compound__"
"""Type-picker entry that makes the polygon tools draw compounds."""
DRAW_KEYS = (
    "left click adds a point, right click or Enter finishes, Backspace removes the last point, "
    "Esc cancels, 1-9 pick the type, Ctrl+Z / Ctrl+Shift+Z undo / redo"
)
TYPE_LISTS: dict[str, tuple[values.Value, ...]] = {
    "polygon": values.STRUCTURE_TYPES + (values.Value(COMPOUND, "Compound (outline)"),),
    "line": values.LINEAR_TYPES,
    "point": values.POINT_TYPES,
}


def ask_for_name(question: str, default: str) -> str | None:
    """Ask the analyst for a name; None when cancelled."""
    text, ok = QInputDialog.getText(None, "SiteWatch", question, QLineEdit.EchoMode.Normal, default)
    return text if ok else None


def ask_to_confirm(question: str) -> bool:
    """Ask the analyst yes / no in a message box."""
    answer = QMessageBox.question(None, "SiteWatch", question)
    return answer == QMessageBox.StandardButton.Yes


class AnnotationPart(InterfacePart):
    def __init__(
        self,
        context: PluginContext,
        confirm: Callable[[str], bool] = ask_to_confirm,
        ask_name: Callable[[str, str], str | None] = ask_for_name,
        keep_mine: Callable[[str], bool] = ask_keep_mine,
    ):
        super().__init__(context)
        iface, toolbar = context.iface, context.toolbar
        self.canvas = iface.mapCanvas()
        self.controller = AnnotationController(context.session, self.canvas, confirm, ask_name, keep_mine)
        self.controller.message.connect(lambda text, level: notify(iface, text, level))
        self.focus = StructureFocus(self.canvas, self.controller)
        self.controller.current_changed.connect(self.focus.show)
        self.zoom = ContextZoom(self.canvas, self.controller)
        self.controller.navigated.connect(self.zoom.zoom_to)
        self.type_combo = QComboBox()
        self.type_combo.setToolTip("Type of the next drawn feature: keys 1-9 while drawing")
        self.type_kind = ""
        self._chosen: dict[str, int] = {}
        keys = {"on_type_key": self.pick_type, "on_undo": self._undo_step, "on_warning": self._warn}
        error = self._warn
        self.tools: dict[str, QgsMapTool] = {
            "polygon": PolygonTool(self.canvas, self._polygon_layer, self._drawn, error, **keys),
            "rectangle": RectangleTool(self.canvas, self._polygon_layer, self._drawn, error, **keys),
            "line": LineTool(self.canvas, lambda: self._layer(schema.LINEAR_FEATURES.name), self._drawn, error, **keys),
            "point": PointTool(
                self.canvas, lambda: self._layer(schema.POINT_FEATURES.name), self._drawn, error, **keys
            ),
            "move": MoveTool(self.canvas, lambda: self._layer(schema.STRUCTURES.name), self.controller.move, **keys),
            "review": ReviewTool(self.canvas, self.controller),
        }
        specs = (
            (
                "polygon",
                "draw_polygon",
                "Draw footprint",
                f"Draw a structure footprint or compound outline: {DRAW_KEYS}",
            ),
            (
                "rectangle",
                "draw_rectangle",
                "Draw rotated rectangle",
                "Draw a rectangular footprint: two clicks along one wall, a third click sets the width; "
                "1-9 pick the type, Esc cancels, Ctrl+Z / Ctrl+Shift+Z undo / redo",
            ),
            ("line", "draw_line", "Draw linear feature", f"Draw a road, trail, rail, berm or fence: {DRAW_KEYS}"),
            (
                "point",
                "draw_point",
                "Draw point feature",
                "Mark an impact crater, vehicle or equipment: one click; 1-9 pick the type, Ctrl+Z undo",
            ),
            (
                "move",
                "move_structure",
                "Move structure",
                "Move a structure: press on it and release where it belongs; its compound follows; Ctrl+Z undo",
            ),
            ("review", "review_states", "Review states", key_help()),
        )
        self.tool_actions: dict[str, QAction] = {}
        window = iface.mainWindow()
        for name, icon_name, text, tip in specs:
            action = QAction(icon(icon_name), text, window)
            action.setCheckable(True)
            action.setToolTip(tip)
            action.triggered.connect(lambda _checked, n=name: self.activate(n))
            self.tools[name].setAction(action)
            self.tool_actions[name] = action
            toolbar.addAction(action)
            if name == "point":
                self.combo_action = toolbar.addWidget(self.type_combo)
                self.combo_action.setToolTip(self.type_combo.toolTip())
        self.dock = ReviewQueueDock(self.controller, window)
        self.dock.hide()
        dock = self.dock
        self.validation = ValidationPanel(
            self.controller, [dock.unreviewed, dock.compound, dock.type, dock.status, dock.order], self._review_tool
        )
        dock.add_section(self.validation)
        iface.addDockWidget(dock_area(), self.dock)
        size_to_content_when_shown(window, self.dock)
        self.queue_action = self.dock.toggleViewAction()
        self.queue_action.setIcon(icon("review_queue"))
        self.queue_action.setText("Review queue")
        self.queue_action.setToolTip("Review queue: structures to review at the after image's date; N/P next/previous")
        self.undo_action = QAction(icon("undo"), "Undo SiteWatch edit", window)
        self.undo_action.setToolTip("Undo the last SiteWatch drawing, move, delete or state: Ctrl+Z in SiteWatch tools")
        self.undo_action.triggered.connect(self.controller.undo)
        self.redo_action = QAction(icon("redo"), "Redo SiteWatch edit", window)
        self.redo_action.setToolTip("Redo the last undone SiteWatch edit: Ctrl+Shift+Z in SiteWatch tools")
        self.redo_action.triggered.connect(self.controller.redo)
        self.intact_action = QAction("New structures are intact on the before image", window)
        self.intact_action.setCheckable(True)
        self.intact_action.setChecked(self.controller.intact_on_before)
        self.intact_action.setToolTip(
            "A structure drawn while the before image is shown is recorded intact at the before image's date"
        )
        self.intact_action.toggled.connect(self._set_intact_on_before)
        self.delete_action = QAction("Delete current structure…", window)
        self.delete_action.setToolTip(
            "Delete the structure under review, asking first; its states are kept in "
            "observation_history. Key in the review tool: Delete"
        )
        self.delete_action.triggered.connect(lambda: self.controller.delete())
        for action in (self.queue_action, self.undo_action, self.redo_action):
            toolbar.addAction(action)
        for action in (
            *self.tool_actions.values(),
            self.queue_action,
            self.undo_action,
            self.redo_action,
            self.intact_action,
            self.delete_action,
        ):
            context.menu.addAction(action)
        self._watched: list[tuple[QgsVectorLayer, str, Callable[..., object]]] = []
        context.session.opened.connect(self._watch_native_edits)
        context.session.closed.connect(self._unwatch_native_edits)
        context.session.opened.connect(self._update_enabled)
        context.session.closed.connect(self._update_enabled)
        if context.session.store is not None:
            self._watch_native_edits()
        self._update_enabled()
        self.show_types("polygon")

    def _assessment_actions(self) -> tuple[QAction, ...]:
        """The actions that work on the open assessment."""
        return (*self.tool_actions.values(), self.undo_action, self.redo_action, self.delete_action)

    def _update_enabled(self, *_args: object) -> None:
        """Drawing, reviewing, undo and redo only while an assessment is open; closing it
        also puts down a SiteWatch tool in use."""
        is_open = self.context.session.store is not None
        if not is_open and self.canvas.mapTool() in self.tools.values():
            self.canvas.unsetMapTool(self.canvas.mapTool())
        for action in self._assessment_actions():
            action.setEnabled(is_open)

    # -- tools and types -----------------------------------------------------------------------

    def activate(self, name: str) -> QgsMapTool:
        tool = self.tools[name]
        self.canvas.setMapTool(tool)
        kind = {"rectangle": "polygon", "line": "line", "point": "point"}.get(name, "polygon")
        if name != "review":
            self.show_types(kind)
        return tool

    def _review_tool(self) -> None:
        self.activate("review")

    def show_types(self, kind: str) -> None:
        """Fill the type picker with the value list of ``kind`` (polygon, line, point)."""
        if kind == self.type_kind:
            return
        if self.type_kind:
            self._chosen[self.type_kind] = self.type_combo.currentIndex()
        self.type_kind = kind
        self.type_combo.clear()
        for value in TYPE_LISTS[kind]:
            self.type_combo.addItem(value.label, value.code)
        self.type_combo.setCurrentIndex(self._chosen.get(kind, 0))

    def pick_type(self, number: int) -> None:
        """Key ``number`` (1-9) picks the number-th type of the picker."""
        if number <= self.type_combo.count():
            self.type_combo.setCurrentIndex(number - 1)
            notify(self.context.iface, f"Drawing: {self.type_combo.currentText()}", duration=2)

    def forward_other_keys(self, handler: Callable[[QKeyEvent], None] | None, keys: Collection[int] = ()) -> None:
        """Send the keys SiteWatch's drawing and review tools do not use to ``handler``
        (e.g. the compare tool's ``keyPressEvent``), which acts on ``keys`` (B / A / S / F / V / [ / ])."""
        for tool in self.tools.values():
            tool.other_keys = handler
            tool.other_key_set = frozenset(keys)

    def offer_change_score(self, action: QAction) -> None:
        """Put ``action`` (the toolbar's *Score changes*) on the review queue dock too."""
        self.dock.set_change_score_action(action)

    def current_type(self) -> str | None:
        return self.type_combo.currentData()

    def _layer(self, name: str) -> QgsVectorLayer:
        return self.context.session.layer(name)

    def _polygon_layer(self) -> QgsVectorLayer:
        name = schema.COMPOUNDS.name if self.current_type() == COMPOUND else schema.STRUCTURES.name
        return self._layer(name)

    def _drawn(self, geometry: QgsGeometry) -> None:
        kind = self.type_kind
        if kind == "polygon":
            compound = self.current_type() == COMPOUND
            layer_name = schema.COMPOUNDS.name if compound else schema.STRUCTURES.name
            type_code = None if compound else self.current_type()
        else:
            layer_name = schema.LINEAR_FEATURES.name if kind == "line" else schema.POINT_FEATURES.name
            type_code = self.current_type()
        feature_id = self.controller.draw(layer_name, type_code, geometry)
        if feature_id is not None:
            notify(self.context.iface, f"Saved {feature_id} ({self.type_combo.currentText()})", duration=2)

    def _warn(self, text: str) -> None:
        notify(self.context.iface, text, Qgis.MessageLevel.Warning)

    def _undo_step(self, step: int) -> None:
        if step < 0:
            self.controller.undo()
        else:
            self.controller.redo()

    def _set_intact_on_before(self, checked: bool) -> None:
        self.controller.intact_on_before = checked

    # -- edits made with QGIS's own tools ----------------------------------------------------

    def _watch_native_edits(self, *_args: object) -> None:
        self._unwatch_native_edits()
        structures = self._layer(schema.STRUCTURES.name)
        compounds = self._layer(schema.COMPOUNDS.name)
        self._watch(structures, "committedGeometriesChanges", self._structures_reshaped)
        for signal_name in ("committedFeaturesAdded", "committedFeaturesRemoved", "committedGeometriesChanges"):
            self._watch(compounds, signal_name, self._compounds_edited)

    def _watch(self, layer: QgsVectorLayer, signal_name: str, slot: Callable[..., object]) -> None:
        getattr(layer, signal_name).connect(slot)
        self._watched.append((layer, signal_name, slot))

    def _unwatch_native_edits(self) -> None:
        for layer, signal_name, slot in self._watched:
            # When the project was cleared the layers are already deleted: touching their
            # signals then would crash QGIS.
            if not sip.isdeleted(layer):
                getattr(layer, signal_name).disconnect(slot)
        self._watched = []

    def _structures_reshaped(self, _layer_id: str, geometries: dict[int, QgsGeometry]) -> None:
        by_fid = {fid: sid for sid, fid in self.controller.fids.items()}
        self.controller.compound_follows([by_fid[fid] for fid in geometries if fid in by_fid])

    def _compounds_edited(self, *_args: object) -> None:
        self.controller.compounds_edited()

    # -- unloading ---------------------------------------------------------------------------

    def unload(self) -> None:
        if self.canvas.mapTool() in self.tools.values():
            self.canvas.unsetMapTool(self.canvas.mapTool())
        self._unwatch_native_edits()
        self.context.session.opened.disconnect(self._watch_native_edits)
        self.context.session.closed.disconnect(self._unwatch_native_edits)
        self.context.session.opened.disconnect(self._update_enabled)
        self.context.session.closed.disconnect(self._update_enabled)
        self.focus.clear()
        self.validation.unload()
        for tool in self.tools.values():
            if isinstance(tool, PointCollectorTool):
                tool.clean()
        self.controller.unload()
        toolbar, menu = self.context.toolbar, self.context.menu
        for action in (
            *self.tool_actions.values(),
            self.combo_action,
            self.queue_action,
            self.undo_action,
            self.redo_action,
            self.intact_action,
            self.delete_action,
        ):
            toolbar.removeAction(action)
            menu.removeAction(action)
        self.context.iface.removeDockWidget(self.dock)
        self.dock.deleteLater()
        for action in (
            *self.tool_actions.values(),
            self.undo_action,
            self.redo_action,
            self.intact_action,
            self.delete_action,
        ):
            action.deleteLater()
