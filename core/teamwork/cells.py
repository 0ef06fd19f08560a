"""Work cells: how a team splits an assessment and reviews it (GeoQ / HOT Tasking Manager style).

A work cell is an area (a compound, a grid cell or a polygon the lead draws) with a state:

``unassigned`` → (assign) → ``in_progress`` → (submit) → ``awaiting_review`` → (certify) →
``certified``; a reviewer may instead *reject* it with a comment (back to ``in_progress``); a
certified cell may be *reopened* with a comment; the lead may *unassign* a cell in progress or
*assign* it to someone else. :data:`TRANSITIONS` is the one definition of these moves: the
GeoPackage store checks them with :func:`plan_transition`, the PostGIS store's trigger is
generated from the same table (:mod:`..assessment.postgis_cells`).

Who may do what: only the cell's analyst submits it; a review (certify, reject) is never by the
cell's analyst nor by whoever submitted it — on PostGIS also never from the database role that
submitted it, checked by the database. Every transition is recorded (who, which account, when,
comment) in ``cell_transitions``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from qgis.core import QgsGeometry

from .. import values
from ..errors import SiteWatchError

UNASSIGNED, IN_PROGRESS, AWAITING_REVIEW, CERTIFIED = values.codes(values.CELL_STATES)

TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "assign": ((UNASSIGNED, IN_PROGRESS), IN_PROGRESS),
    "unassign": ((IN_PROGRESS,), UNASSIGNED),
    "submit": ((IN_PROGRESS,), AWAITING_REVIEW),
    "certify": ((AWAITING_REVIEW,), CERTIFIED),
    "reject": ((AWAITING_REVIEW,), IN_PROGRESS),
    "reopen": ((CERTIFIED,), IN_PROGRESS),
}
"""action → (the states it starts from, the state it leads to)."""
ACTIONS: tuple[str, ...] = tuple(TRANSITIONS)
REVIEW_ACTIONS: tuple[str, ...] = ("certify", "reject")
"""Actions never done by the cell's analyst nor by whoever submitted it."""
COMMENT_ACTIONS: tuple[str, ...] = ("reject", "reopen")
"""Actions that need a comment saying why."""

CELL_ID_PREFIX = "W-"
_OPTIONAL = ("name", "assignee", "comment", "changed_by", "changed_at")


@dataclass(frozen=True)
class WorkCell:
    """One work cell as stored."""

    cell_id: str
    geometry: QgsGeometry = field(compare=False)
    name: str | None = None
    state: str = UNASSIGNED
    assignee: str | None = None
    comment: str | None = None
    changed_by: str | None = None
    changed_at: str | None = None

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any], geometry: QgsGeometry) -> WorkCell:
        """A cell from its stored fields (``cell_id``, ``name``, ``state``, …) and geometry."""
        text = {name: None if fields.get(name) is None else str(fields[name]) for name in _OPTIONAL}
        return cls(str(fields["cell_id"]), geometry, state=str(fields.get("state") or UNASSIGNED), **text)

    @property
    def state_label(self) -> str:
        return values.label_of(values.CELL_STATES, self.state)


@dataclass(frozen=True)
class CellTransition:
    """One recorded change of a cell's state or analyst (``account``: the database role on
    PostGIS, the computer login on a GeoPackage)."""

    cell_id: str
    action: str
    from_state: str | None
    to_state: str
    assignee: str | None
    analyst: str | None
    account: str | None
    at: str
    comment: str | None = None


TRANSITION_COLUMNS = (
    "cell_id",
    "action",
    "from_state",
    "to_state",
    "assignee",
    "analyst",
    "account",
    "at",
    "comment",
)


def action_between(before: str, after: str, reassigned: bool) -> str | None:
    """The action that moves a cell from ``before`` to ``after`` (None: no such move)."""
    if before == after == IN_PROGRESS:
        return "assign" if reassigned else None
    for action, (sources, target) in TRANSITIONS.items():
        if before in sources and after == target and before != after:
            return action
    return None


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and str(a).strip().casefold() == str(b).strip().casefold()


def plan_transition(
    cell: WorkCell,
    action: str,
    analyst: str,
    assignee: str | None = None,
    comment: str | None = None,
    submitted_by: str | None = None,
) -> WorkCell:
    """The cell after ``analyst`` does ``action`` on it; a SiteWatchError says why not.

    ``assignee``: the analyst an *assign* gives the cell to; ``submitted_by``: who sent it for
    review (a review is never by them)."""
    if action not in TRANSITIONS:
        raise SiteWatchError(f"'{action}' is not a work cell action; use one of {', '.join(ACTIONS)}.")
    if not analyst or not analyst.strip():
        raise SiteWatchError("Set your analyst name first (SiteWatch ▸ Analyst name): every cell change names who.")
    sources, target = TRANSITIONS[action]
    if cell.state not in sources:
        allowed = " or ".join(values.label_of(values.CELL_STATES, s).lower() for s in sources)
        raise SiteWatchError(
            f"Cell {cell.cell_id} is {cell.state_label.lower()}: '{action}' applies only to a cell that is {allowed}."
        )
    comment = (comment or "").strip() or None
    if action in COMMENT_ACTIONS and comment is None:
        raise SiteWatchError(f"Say why you {action} cell {cell.cell_id}: a comment is required.")
    new_assignee = cell.assignee
    if action == "assign":
        new_assignee = (assignee or "").strip() or None
        if new_assignee is None:
            raise SiteWatchError(f"Name the analyst to assign cell {cell.cell_id} to.")
        if cell.state == IN_PROGRESS and _same(new_assignee, cell.assignee):
            raise SiteWatchError(f"Cell {cell.cell_id} is already assigned to {cell.assignee}.")
    elif action == "unassign":
        new_assignee = None
    elif action == "submit" and not _same(analyst, cell.assignee):
        raise SiteWatchError(
            f"Cell {cell.cell_id} is assigned to {cell.assignee}: only they send it for review "
            "(or assign it to yourself first)."
        )
    if action in REVIEW_ACTIONS and (_same(analyst, cell.assignee) or _same(analyst, submitted_by)):
        raise SiteWatchError(
            f"You cannot {action} cell {cell.cell_id}: it is your own work. Another analyst reviews it."
        )
    return replace(cell, state=target, assignee=new_assignee, comment=comment, changed_by=analyst)


def check_cell_state(state: str) -> str:
    """``state`` if it is a work cell state; a SiteWatchError naming the states otherwise."""
    if state not in values.codes(values.CELL_STATES):
        raise SiteWatchError(
            f"'{state}' is not a work cell state; use one of {', '.join(values.codes(values.CELL_STATES))}."
        )
    return state
