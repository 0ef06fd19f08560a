"""The damage table's arithmetic: each structure's row keys, the additive sums per row key
(counts and areas) and the output columns made of them. Sums are additive over structures, so
the Damage panel can move one structure's contribution when its state changes
(:mod:`.incremental`) instead of recomputing the site."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Union

import numpy as np
from numpy.typing import NDArray

from .. import values
from ..assessment.status_at import status_codes_at
from .inputs import UNOBSERVED, DamageInputs

COUNT_FIELDS: dict[str, str] = {
    "n_intact": "intact",
    "n_possible": "possible",
    "n_moderate": "moderate",
    "n_severe": "severe",
    "n_destroy": "destroyed",
    "n_constr": "construction",
}
"""Output count field → status code it counts."""


Counts = NDArray[Union[np.intp, np.float64]]
"""Per row key: a count of structures, or a sum of their areas."""


def _percent(part: Counts, whole: Counts) -> list[float | None]:
    return [None if w <= 0 else 100.0 * float(p) / float(w) for p, w in zip(part, whole)]


def status_at_day(inputs: DamageInputs, day: int) -> NDArray[np.int64]:
    """Status number (index in values.STATUSES, UNOBSERVED) of each structure at ``day``."""
    return status_codes_at(
        inputs.obs_structure, inputs.obs_day, inputs.obs_status, inputs.structure_count, day, UNOBSERVED
    )


class Groups:
    """Each structure's row keys: (compound or UNASSIGNED or ALL) × (total or its type)."""

    def __init__(self, inputs: DamageInputs, by_type: bool):
        self.by_type = by_type
        compounds = len(inputs.compound_ids)
        self.width = len(inputs.type_names) + 1
        self.total = len(inputs.type_names)
        self.site = compounds + 1
        self.size = (self.site + 1) * self.width
        group = np.where(inputs.compound_of >= 0, inputs.compound_of, compounds)
        key_sets = [
            group * self.width + self.total,
            np.full(inputs.structure_count, self.site * self.width + self.total),
        ]
        if by_type:
            key_sets += [group * self.width + inputs.type_index, self.site * self.width + inputs.type_index]
        self.keys = np.concatenate(key_sets)
        self.owners = np.tile(np.arange(inputs.structure_count), len(key_sets))
        self.populated = np.zeros(self.size, dtype=bool)
        self.populated[np.unique(self.keys)] = True

    def count(self, mask: NDArray[np.bool_], weight: NDArray[np.float64] | None = None) -> Counts:
        """Per row key: how many structures (or their summed ``weight``) ``mask`` selects."""
        selected = mask[self.owners]
        weights = None if weight is None else weight[self.owners][selected]
        return np.bincount(self.keys[selected], weights=weights, minlength=self.size)


CODE = {c: n for n, c in enumerate(values.codes(values.STATUSES))}


def _codes(statuses: tuple[str, ...]) -> list[int]:
    return [CODE[status] for status in statuses]


def sums_of(
    groups: Groups,
    after: NDArray[np.int64],
    before: NDArray[np.int64] | None,
    area: NDArray[np.float64],
    weights: Mapping[str, float],
) -> dict[str, Counts]:
    """The additive quantities per row key (counts and areas) the columns are made of: a sum
    over structures, so one structure's change is its new sums minus its old ones."""
    count = groups.count
    standing = after != CODE["absent"]
    assessed = standing & np.isin(after, _codes(values.ASSESSED_STATUSES))
    columns: dict[str, Counts] = {
        "n_struct": count(standing),
        "n_assessed": count(assessed),
        "n_unknown": count(standing & ~assessed),
    }
    for name, status in COUNT_FIELDS.items():
        columns[name] = count(after == CODE[status])
    damaged = np.isin(after, _codes(values.DAMAGED_STATUSES))
    severe = np.isin(after, _codes(values.SEVERE_STATUSES))
    weight_of_status = np.zeros(len(values.STATUSES) + 1)
    for status, weight in weights.items():
        weight_of_status[CODE[status]] = weight
    columns |= {
        "damaged": count(damaged),
        "severe": count(severe),
        "area_asses": count(assessed, area),
        "area_destr": count(after == CODE["destroyed"], area),
        "weighted": count(assessed, area * weight_of_status[after]),
    }
    if before is not None:
        was_missing = (before == CODE["absent"]) | (before == UNOBSERVED)
        undamaged = np.isin(
            before, _codes(tuple(s for s in values.ASSESSED_STATUSES if s not in values.DAMAGED_STATUSES))
        )
        newly_damaged = damaged & (undamaged | was_missing)
        rebuilt = np.isin(before, _codes(values.REBUILT_FROM)) & np.isin(after, _codes(values.REBUILT_TO))
        for name, mask in (
            ("n_newdmg", newly_damaged),
            ("n_rebuilt", rebuilt),
            ("n_new", was_missing & (after != UNOBSERVED)),
        ):
            columns[name] = count(standing & mask)
    return columns


SUM_ONLY = ("damaged", "severe", "weighted")
"""Sums that are no output column themselves."""


def finish(sums: Mapping[str, Counts]) -> dict[str, list[Any]]:
    """Every output column per row key from the sums, by the definitions in the module
    docstring (each of the type of its :class:`DamageRow` field)."""
    assessed_area, destroyed_area = sums["area_asses"], sums["area_destr"]
    result: dict[str, list[Any]] = {  # counts, rounded as round() does (half to even)
        key: np.rint(np.asarray(column, dtype=np.float64)).astype(np.int64).tolist()
        for key, column in sums.items()
        if key not in SUM_ONLY and not key.startswith("area_")
    }
    result.update(
        {
            "pct_destr": _percent(sums["n_destroy"], sums["n_assessed"]),
            "pct_damag": _percent(sums["damaged"], sums["n_assessed"]),
            "pct_sev_de": _percent(sums["severe"], sums["n_assessed"]),
            "pct_area_d": _percent(destroyed_area, assessed_area),
            "dmg_index": [None if a <= 0 else float(w) / float(a) for w, a in zip(sums["weighted"], assessed_area)],
            "area_asses": assessed_area.tolist(),
            "area_destr": destroyed_area.tolist(),
        }
    )
    return result


def columns_of(
    groups: Groups,
    after: NDArray[np.int64],
    before: NDArray[np.int64] | None,
    area: NDArray[np.float64],
    weights: Mapping[str, float],
) -> dict[str, list[Any]]:
    """Every output column per row key."""
    return finish(sums_of(groups, after, before, area, weights))
