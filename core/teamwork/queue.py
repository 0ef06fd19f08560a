"""Which structures an analyst works on or reviews: the review queue's "my cells" and "to
review" filters."""

from __future__ import annotations

from ..assessment import schema
from ..assessment.store import AssessmentStore
from .cells import AWAITING_REVIEW, IN_PROGRESS, WorkCell
from .coverage import structure_cells

CELL_FILTERS = {"mine": "My cells", "to_review": "To review"}
"""Filter code → label: cells assigned to me and in progress; cells awaiting a review I may give."""


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and str(a).strip().casefold() == str(b).strip().casefold()


def cells_for(cells: list[WorkCell], which: str, analyst: str, submitted_by: dict[str, str | None]) -> set[str]:
    """The ids of the cells ``which`` (a :data:`CELL_FILTERS` code) selects for ``analyst``."""
    if which == "mine":
        return {c.cell_id for c in cells if c.state == IN_PROGRESS and _same(c.assignee, analyst)}
    if which == "to_review":
        return {
            c.cell_id
            for c in cells
            if c.state == AWAITING_REVIEW
            and not _same(c.assignee, analyst)
            and not _same(submitted_by.get(c.cell_id), analyst)
        }
    raise ValueError(f"Unknown cell filter '{which}'; use one of {', '.join(CELL_FILTERS)}.")


def structures_for(store: AssessmentStore, which: str, analyst: str) -> frozenset[str]:
    """The structures in the cells ``which`` selects for ``analyst``."""
    cells = store.work_cells()
    submitted_by = {t.cell_id: t.analyst for t in store.cell_transitions() if t.to_state == AWAITING_REVIEW}
    chosen = cells_for(cells, which, analyst, submitted_by)
    if not chosen:
        return frozenset()
    layer = store.layer(schema.STRUCTURES.name)
    owners = structure_cells(cells, ((f["structure_id"], f.geometry()) for f in layer.getFeatures()))
    return frozenset(s for s, c in owners.items() if c in chosen)
