"""Moving several work cells at once (a lead assigning ten cells to one analyst): every move is
checked first, so one refused move leaves all the cells as they were."""

from __future__ import annotations

from collections.abc import Sequence

from ..assessment.store import AssessmentStore
from ..errors import SiteWatchError
from .cells import AWAITING_REVIEW, WorkCell, plan_transition


def check_moves(
    store: AssessmentStore,
    cell_ids: Sequence[str],
    action: str,
    analyst: str,
    assignee: str | None = None,
    comment: str | None = None,
) -> None:
    """Raise the SiteWatchError of the first move of ``action`` on ``cell_ids`` the rules refuse."""
    if not cell_ids:
        raise SiteWatchError("Name at least one work cell (e.g. W-0001).")
    cells = {cell.cell_id: cell for cell in store.work_cells()}
    missing = [c for c in cell_ids if c not in cells]
    if missing:
        known = (
            f" (its cells run from {min(cells)} to {max(cells)})" if cells else "; make them with sitewatch:workcells"
        )
        raise SiteWatchError(f"There is no work cell {', '.join(missing)} in {store.location}{known}.")
    submitted: dict[str, str | None] = {}
    for transition in store.cell_transitions():
        if transition.to_state == AWAITING_REVIEW:
            submitted[transition.cell_id] = transition.analyst
    for cell_id in cell_ids:
        plan_transition(cells[cell_id], action, analyst, assignee, comment, submitted.get(cell_id))


def change_cells(
    store: AssessmentStore,
    cell_ids: Sequence[str],
    action: str,
    analyst: str,
    assignee: str | None = None,
    comment: str | None = None,
) -> list[WorkCell]:
    """Do ``action`` on each of ``cell_ids`` (each in its own transaction, after checking all)."""
    check_moves(store, cell_ids, action, analyst, assignee, comment)
    return [store.change_cell(cell_id, action, analyst, assignee, comment) for cell_id in cell_ids]
