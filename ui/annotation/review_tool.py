"""The review map tool: click a structure to make it current, then keys record its state.

Keys (status keys come from ``core.values.STATUSES``): ``1`` intact, ``2`` possible,
``3`` moderate, ``4`` severe, ``5`` destroyed, ``0`` unknown, ``C`` construction,
``X`` absent; ``H`` / ``M`` / ``L`` confidence; ``Enter`` confirms the carried-forward
state; ``Y`` records the status *Score changes* suggests for the structure
(yes to the suggestion; warns and records nothing without one or when it is ``unknown``);
``N`` / ``→`` / ``↓`` next and ``P`` / ``←`` / ``↑`` previous structure in the queue;
``Delete`` deletes the structure (asks first); ``Ctrl+Z`` / ``Ctrl+Shift+Z`` undo / redo.
"""

from __future__ import annotations

from qgis.gui import QgsMapCanvas, QgsMapMouseEvent
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QKeyEvent

from ...core import values
from ...core.assessment import schema
from ..messages import warns
from .controller import AnnotationController
from .draw_tools import SiteWatchTool, consume, feature_at


def _key(character: str) -> int:
    return getattr(Qt.Key, f"Key_{character.upper()}")


STATUS_KEYS: dict[int, str] = {_key(status.key): status.code for status in values.STATUSES}
CONFIDENCE_KEYS: dict[int, str] = {_key(value.code[0]): value.code for value in values.CONFIDENCES}
NEXT_KEYS = {Qt.Key.Key_N, Qt.Key.Key_Right, Qt.Key.Key_Down}
PREVIOUS_KEYS = {Qt.Key.Key_P, Qt.Key.Key_Left, Qt.Key.Key_Up}
CONFIRM_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter}
ACCEPT_SUGGESTION_KEY = Qt.Key.Key_Y
"""Y as in "yes" to the suggestion. Free while the review tool is active: not a status,
confidence or queue key, not one of the compare keys (B A S F V [ ]) the tool passes on, and
not one of QGIS 3.40's own one-letter shortcuts (R stream digitizing, S snapping, T tracing;
listed from a running QGIS). Ctrl+Y (redo) stays with the Ctrl keys."""
REVIEW_KEYS = frozenset({*STATUS_KEYS, *CONFIDENCE_KEYS, Qt.Key.Key_N, Qt.Key.Key_P, ACCEPT_SUGGESTION_KEY})
"""The review tool's single keys that need it chosen; typed in a SiteWatch panel while it is
not, a message says so (:mod:`..panel_keys`)."""


def key_help() -> str:
    """The review keys, for tooltips and the docs."""
    statuses = ", ".join(f"{s.key} {s.code}" for s in values.STATUSES)
    confidences = "/".join(v.code[0].upper() for v in values.CONFIDENCES)
    return (
        f"Review states: click a structure, then {statuses}; {confidences} confidence; "
        "Enter confirms the carried-forward state; Y records the change score's suggestion; "
        "N/P or arrows next/previous; Delete deletes; Ctrl+Z / Ctrl+Shift+Z undo / redo"
    )


class ReviewTool(SiteWatchTool):
    """Selects structures and turns key presses into recorded observations."""

    def __init__(self, canvas: QgsMapCanvas, controller: AnnotationController):
        super().__init__(canvas, on_undo=self._undo)
        self.controller = controller

    def _undo(self, step: int) -> None:
        if step < 0:
            self.controller.undo()
        else:
            self.controller.redo()

    def warn(self, text: str) -> None:
        self.controller.warn(text)

    @warns
    def canvasReleaseEvent(self, event: QgsMapMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.controller.store is None:
            return
        layer = self.controller.session.layer(schema.STRUCTURES.name)
        self.controller.select(feature_at(self, layer, event, "structure_id"))

    def claimed_keys(self) -> set[int]:
        return (
            super().claimed_keys()
            | set(STATUS_KEYS)
            | set(CONFIDENCE_KEYS)
            | CONFIRM_KEYS
            | NEXT_KEYS
            | PREVIOUS_KEYS
            | {ACCEPT_SUGGESTION_KEY, Qt.Key.Key_Delete}
        )

    @warns
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            super().keyPressEvent(event)
            return
        key = event.key()
        controller = self.controller
        if key in STATUS_KEYS:
            controller.record_status(STATUS_KEYS[key])
        elif key in CONFIDENCE_KEYS:
            controller.set_confidence(CONFIDENCE_KEYS[key])
        elif key in CONFIRM_KEYS:
            controller.confirm_carried_forward()
        elif key == ACCEPT_SUGGESTION_KEY:
            controller.accept_suggestion()
        elif key in NEXT_KEYS:
            controller.step(1)
        elif key in PREVIOUS_KEYS:
            controller.step(-1)
        elif key == Qt.Key.Key_Delete:
            controller.delete()
        else:
            super().keyPressEvent(event)
            return
        consume(event)  # the canvas must not also pan (arrows) or delete the selection (Delete)
