"""The site's history told as sentences, one per change and compound:
"between 2019-09-01 and 2019-09-10: 8 warehouses destroyed in compound C-0003".

At the first date the sentence says what already stood (built before the first image). Between
two dates, per compound and structure type: destroyed (destroyed now, not before), newly
damaged (moderate or severe now and worse than before, or there now and not before), new
(absent or unobserved before, there now), rebuilt (destroyed or severe before, intact or
under construction now) and removed (standing before, absent now) — the definitions of the
damage table.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from .. import values
from ..damage.inputs import UNOBSERVED
from ..damage.table import ALL, UNASSIGNED
from .series import SiteHistory

_CODE = {code: n for n, code in enumerate(values.codes(values.STATUSES))}
_RANK = np.full(len(values.STATUSES) + 1, -1)
for _position, _status in enumerate(values.DAMAGE_SCALE):
    _RANK[_CODE[_status]] = _position

Mask = NDArray[np.bool_]
Status = NDArray[np.int64]


def _codes(statuses: tuple[str, ...]) -> list[int]:
    return [_CODE[s] for s in statuses]


def _missing(before: Status) -> Mask:
    missing: Mask = (before == _CODE["absent"]) | (before == UNOBSERVED)
    return missing


CHANGES: tuple[tuple[str, Callable[[Status, Status], Mask]], ...] = (
    ("destroyed", lambda b, a: (a == _CODE["destroyed"]) & (b != _CODE["destroyed"])),
    (
        "newly damaged",
        lambda b, a: (
            np.isin(a, _codes(("moderate", "severe"))) & ((_RANK[a] > _RANK[b]) & (_RANK[b] >= 0) | _missing(b))
        ),
    ),
    ("new", lambda b, a: _missing(b) & (a != UNOBSERVED) & (a != _CODE["absent"])),
    ("rebuilt", lambda b, a: np.isin(b, _codes(values.REBUILT_FROM)) & np.isin(a, _codes(values.REBUILT_TO))),
    ("removed", lambda b, a: ~_missing(b) & (a == _CODE["absent"])),
)


def plural(type_code: str, count: int) -> str:
    """'warehouse' → '8 warehouses'; 'barracks' stays; 'other' → 'other structures'."""
    label = values.label_of(values.STRUCTURE_TYPES, type_code).lower()
    if type_code == "other":
        return f"{count} other structure{'s' if count != 1 else ''}"
    if count == 1 or label.endswith("s"):
        return f"{count} {label}"
    return f"{count} {label}s"


def _where(compound: str) -> str:
    return "outside any compound" if compound == UNASSIGNED else f"in compound {compound}"


def _phrase(change: str, type_code: str, count: int) -> str:
    things = plural(type_code, count)
    if change == "new":
        return f"{things} built (new construction)"
    return f"{things} {change}"


def event_sentences(history: SiteHistory) -> list[str]:
    """Every event of the site's history in date order, then compound order."""
    inputs = history.inputs
    compounds = [*inputs.compound_ids, UNASSIGNED]
    group = np.where(inputs.compound_of >= 0, inputs.compound_of, len(inputs.compound_ids))
    sentences = []
    if history.dates:
        first = history.row(history.dates[0], ALL)
        extra = "" if first.n_images else " (no image registered on that date)"
        sentences.append(
            f"on {history.dates[0]}, the first date{extra}: {first.n_struct} structures standing, "
            f"{first.n_intact} intact, {first.n_constr} under construction, "
            f"{first.n_moderate + first.n_severe + first.n_destroy} damaged"
        )
    for number in range(1, len(history.dates)):
        before, after = history.statuses[number - 1], history.statuses[number]
        span = f"between {history.dates[number - 1]} and {history.dates[number]}"
        if not history.row(history.dates[number], ALL).n_images:
            span += " (no image registered on the later date)"
        found = False
        for change, select in CHANGES:
            mask = select(before, after)
            for slot, compound in enumerate(compounds):
                in_compound = mask & (group == slot)
                if not in_compound.any():
                    continue
                counts = np.bincount(inputs.type_index[in_compound], minlength=len(inputs.type_names))
                parts = [_phrase(change, inputs.type_names[t], int(n)) for t, n in enumerate(counts) if n]
                sentences.append(f"{span}: {', '.join(parts)} {_where(compound)}")
                found = True
        if not found:
            sentences.append(f"{span}: no change recorded")
    return sentences
