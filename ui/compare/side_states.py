"""Each side of the comparison draws the structures' states at its own image's date.

The status style (:mod:`..annotation.status_style`) draws the review date's states (the after
image's) unless the map's expression context holds a side's own codes (``SIDE_CODES_VARIABLE``,
or ``SIDE_STATUSES_VARIABLE`` when the style looks statuses up by structure id);
the swipe's before side, the before mode, flicker's before image and the side-by-side before
map used to show those after-date colours over the before image. :class:`SideStates` gives
each side an expression-context scope with the states at that side's date: the comparison
appends it to the side's render settings, the side-by-side map sets it on its canvas.

A side's scope is built once per pair (one pass over the status book); after a key only the
structures it changed are looked up again at that side's date (one character of its codes
replaced), and the layer's repaint (already triggered by the status style) draws them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qgis.core import QgsExpressionContextScope
from qgis.PyQt.QtCore import QObject, pyqtSignal

from ..annotation.status_style import SIDE_CODES_VARIABLE, SIDE_STATUSES_VARIABLE

if TYPE_CHECKING:
    from ..annotation.controller import AnnotationController

BEFORE, AFTER = 0, 1
SCOPE_NAME = "SiteWatch comparison side"


class SideStates(QObject):
    """Expression-context scopes holding each side's states (see the module docstring)."""

    changed = pyqtSignal()
    """The sides' dates or the assessment changed: render both sides again."""
    updated = pyqtSignal()
    """A few states changed in the scopes; the structures layer's repaint is already on its way."""

    def __init__(self, controller: AnnotationController):
        super().__init__(controller)
        self.controller = controller
        self._sides: dict[int, tuple[str | None, QgsExpressionContextScope]] = {}
        """side → (its date, its scope)."""
        session = controller.session
        self._connections = [
            (session.opened, session.opened.connect(self._reset)),
            (session.closed, session.closed.connect(self._reset)),
            (session.pair_changed, session.pair_changed.connect(self._reset)),
            (controller.states_changed, controller.states_changed.connect(self._states_changed)),
            (controller.canvas.temporalRangeChanged, controller.canvas.temporalRangeChanged.connect(self._reset)),
        ]

    def date_of(self, side: int) -> str | None:
        """The acquisition date of the side's image (None: no image or undated)."""
        record = (self.controller.session.before, self.controller.session.after)[side]
        return record.acquired if record is not None else None

    def scope(self, side: int) -> QgsExpressionContextScope | None:
        """The scope to append to ``side``'s expression context, or None when the map's own
        variables already hold that side's states (the after side at the review date) or no
        assessment is open."""
        if self.controller.store is None:
            return None
        on = self.date_of(side)
        if side == AFTER and on is not None and on == self.controller.display_date():
            return None
        kept = self._sides.get(side)
        if kept is None or kept[0] != on:
            book, style = self.controller.book, self.controller.style
            scope = QgsExpressionContextScope(SCOPE_NAME)
            codes = style.codes_at(book, on)
            if codes is not None:
                scope.setVariable(SIDE_CODES_VARIABLE, codes)
            else:
                scope.setVariable(SIDE_STATUSES_VARIABLE, book.status_map(on) if on else {})
            kept = (on, scope)
            self._sides[side] = kept
        return QgsExpressionContextScope(kept[1])

    def _reset(self, *_args: object) -> None:
        self._sides = {}
        self.changed.emit()

    def _states_changed(self, structure_ids: list[str]) -> None:
        """Look the changed structures up at each side's date (the repaint follows)."""
        book, style = self.controller.book, self.controller.style
        for on, scope in self._sides.values():
            if scope.hasVariable(SIDE_CODES_VARIABLE):
                codes = str(scope.variable(SIDE_CODES_VARIABLE))
                for structure_id in structure_ids:
                    codes = style.with_side_status(
                        codes, structure_id, book.status_at(structure_id, on) if on else None
                    )
                scope.setVariable(SIDE_CODES_VARIABLE, codes)
            else:
                statuses = dict(scope.variable(SIDE_STATUSES_VARIABLE))
                for structure_id in structure_ids:
                    status = book.status_at(structure_id, on) if on else None
                    if status is None:
                        statuses.pop(structure_id, None)
                    else:
                        statuses[structure_id] = status
                scope.setVariable(SIDE_STATUSES_VARIABLE, statuses)
        if self._sides:
            self.updated.emit()

    def unload(self) -> None:
        for signal, handle in self._connections:
            signal.disconnect(handle)
        self._connections = []
        self._sides = {}
