"""Damage per compound: counts, percentages, an area-weighted index and change between dates.

Definitions (the README repeats them word for word):

- The status of a structure at a date is the status of its latest observation on or before
  that date (carried forward); with none it is unobserved. Two observations of one
  structure on one date: the later row of the observations layer wins.
- A structure belongs to the compound containing the largest part of its footprint (ties:
  lowest ``compound_id``); with none it is counted in the row ``UNASSIGNED``. The row
  ``ALL`` is the whole site.
- ``n_struct``: structures whose status at the after date is not ``absent`` (unobserved
  included). ``n_assessed``: of those, status one of construction, intact, possible,
  moderate, severe, destroyed. ``n_unknown``: status ``unknown`` or unobserved.
- ``n_intact``, ``n_possible``, ``n_moderate``, ``n_severe``, ``n_destroy``, ``n_constr``:
  structures with that status at the after date.
- ``pct_destr`` = 100·n_destroy/n_assessed; ``pct_damag`` = 100·(n_moderate + n_severe +
  n_destroy)/n_assessed; ``pct_sev_de`` = 100·(n_severe + n_destroy)/n_assessed;
  ``pct_area_d`` = 100·destroyed footprint area/assessed footprint area (m² on the
  ellipsoid); ``dmg_index`` = Σ weight(status)·area / Σ area over assessed structures.
  With no assessed structure (or no assessed area) each of these is NULL (None).
- With a before date (earlier than the after date), over the structures counted in
  ``n_struct``: ``n_newdmg``: both statuses on the damage scale and the after one worse, or
  the after one moderate, severe or destroyed and the before one absent or unobserved;
  ``n_rebuilt``: destroyed or severe before, intact or construction after; ``n_new``:
  absent or unobserved before (and observed, not absent, after).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields

import numpy as np
from qgis.core import QgsFeedback, QgsVectorLayer

from . import values
from .assignment import assign_compounds
from .damage_inputs import UNOBSERVED, DamageInputs, read_inputs
from .errors import SiteWatchError
from .observations import check_date

UNASSIGNED = "UNASSIGNED"
ALL = "ALL"

DEFAULT_WEIGHTS: dict[str, float] = {
    "construction": 0.0, "intact": 0.0, "possible": 0.1, "moderate": 0.4, "severe": 0.7, "destroyed": 1.0,
}
"""Weight of each assessed status in ``dmg_index`` (0 = untouched, 1 = destroyed)."""

COUNT_FIELDS: dict[str, str] = {
    "n_intact": "intact", "n_possible": "possible", "n_moderate": "moderate",
    "n_severe": "severe", "n_destroy": "destroyed", "n_constr": "construction",
}
"""Output count field → status code it counts."""


@dataclass(frozen=True)
class DamageRow:
    """One row of the table: a compound (``UNASSIGNED``, ``ALL``), optionally one type."""

    compound_id: str
    name: str | None
    type: str | None
    n_struct: int
    n_assessed: int
    n_unknown: int
    n_intact: int
    n_possible: int
    n_moderate: int
    n_severe: int
    n_destroy: int
    n_constr: int
    pct_destr: float | None
    pct_damag: float | None
    pct_sev_de: float | None
    pct_area_d: float | None
    dmg_index: float | None
    n_newdmg: int | None = None
    n_rebuilt: int | None = None
    n_new: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


ROW_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(DamageRow))
"""Names of the output fields, in order (all ≤ 10 characters)."""


@dataclass(frozen=True)
class DamageTable:
    """The damage table and what was found wrong (but not fatal) in the input."""

    after: str
    before: str | None
    weights: dict[str, float]
    rows: tuple[DamageRow, ...]
    unknown_structure_ids: tuple[str, ...] = ()
    """Distinct structure ids named by observations but absent from the structures layer."""
    unknown_observations: int = 0
    """Number of observation rows naming such structures (left out of every count)."""
    repaired_structures: tuple[str, ...] = ()
    repaired_compounds: tuple[str, ...] = ()
    compound_count: int = 0
    warnings: tuple[str, ...] = field(default=())

    @property
    def site(self) -> DamageRow:
        """The ``ALL`` row."""
        return self.row(ALL)

    def row(self, compound_id: str, structure_type: str | None = None) -> DamageRow:
        for row in self.rows:
            if row.compound_id == compound_id and row.type == structure_type:
                return row
        raise KeyError((compound_id, structure_type))


def parse_weights(text: str | None) -> dict[str, float]:
    """The default weights overridden by ``text`` like ``possible=0.2,moderate=0.5``."""
    weights = dict(DEFAULT_WEIGHTS)
    for item in filter(None, (part.strip() for part in (text or "").replace(";", ",").split(","))):
        code, _, number = item.partition("=")
        code = code.strip()
        if code not in weights:
            raise SiteWatchError(
                f"Unknown status '{code}' in the weights '{text}'; use {', '.join(weights)} "
                "as in possible=0.2,moderate=0.5."
            )
        try:
            weights[code] = float(number)
        except ValueError:
            raise SiteWatchError(
                f"The weight of '{code}' in '{text}' is not a number; write it as {code}=0.5."
            ) from None
    return weights


def _percent(part: np.ndarray, whole: np.ndarray) -> list[float | None]:
    return [None if w <= 0 else 100.0 * float(p) / float(w) for p, w in zip(part, whole)]


def _status_at(inputs: DamageInputs, day: int) -> np.ndarray:
    """Status number (index in values.STATUSES, UNOBSERVED) of each structure at ``day``."""
    status = np.full(inputs.structure_count, UNOBSERVED, dtype=np.int64)
    on_time = inputs.obs_day <= day
    owners = inputs.obs_structure[on_time]
    if len(owners):
        last = np.r_[owners[1:] != owners[:-1], True]
        status[owners[last]] = inputs.obs_status[on_time][last]
    return status


def compound_damage(structures: QgsVectorLayer, observations: QgsVectorLayer,
                    compounds: QgsVectorLayer | None, after: str, before: str | None = None,
                    by_type: bool = False, weights: Mapping[str, float] | None = None,
                    feedback: QgsFeedback | None = None) -> DamageTable:
    """The damage table of the site at ``after`` (and change since ``before``)."""
    after = check_date(after, "after date")
    if before:
        before = check_date(before, "before date")
        if before >= after:
            raise SiteWatchError(f"The before date {before} must be earlier than the after date {after}.")
    weights = dict(DEFAULT_WEIGHTS) | dict(weights or {})
    inputs = read_inputs(structures, observations, compounds, feedback)
    if feedback is not None:
        feedback.setProgress(40)
    compound_of = assign_compounds(inputs.footprints, inputs.compound_ids, inputs.compound_geometries)
    if feedback is not None:
        if feedback.isCanceled():
            raise SiteWatchError("Cancelled.")
        feedback.setProgress(80)

    after_status = _status_at(inputs, inputs.day_number(after))
    before_status = _status_at(inputs, inputs.day_number(before)) if before else None
    standing = after_status != values.codes(values.STATUSES).index("absent")

    compounds_count = len(inputs.compound_ids)
    type_count = len(inputs.type_names)
    width = type_count + 1
    site_group = compounds_count + 1
    size = (site_group + 1) * width
    group = np.where(compound_of >= 0, compound_of, compounds_count)
    everyone = np.arange(inputs.structure_count)
    key_sets = [group * width + type_count, np.full(inputs.structure_count, site_group * width + type_count)]
    if by_type:
        key_sets += [group * width + inputs.type_index, site_group * width + inputs.type_index]
    keys = np.concatenate(key_sets)
    owners = np.tile(everyone, len(key_sets))

    def count(mask: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
        selected = mask[owners]
        weights_selected = None if weight is None else weight[owners][selected]
        return np.bincount(keys[selected], weights=weights_selected, minlength=size)

    code = {c: values.codes(values.STATUSES).index(c) for c in values.codes(values.STATUSES)}
    area = inputs.areas
    assessed = standing & np.isin(after_status, [code[c] for c in values.ASSESSED_STATUSES])
    columns: dict[str, np.ndarray] = {
        "n_struct": count(standing),
        "n_assessed": count(assessed),
        "n_unknown": count(standing & ~assessed),
    }
    for name, status in COUNT_FIELDS.items():
        columns[name] = count(after_status == code[status])
    damaged = np.isin(after_status, [code["moderate"], code["severe"], code["destroyed"]])
    severe = np.isin(after_status, [code["severe"], code["destroyed"]])
    assessed_area = count(assessed, area)
    destroyed_area = count(after_status == code["destroyed"], area)
    weight_of_status = np.zeros(len(values.STATUSES) + 1)
    for status, weight in weights.items():
        weight_of_status[code[status]] = weight
    weighted_area = count(assessed, area * weight_of_status[after_status])
    change: dict[str, np.ndarray] = {}
    if before_status is not None:
        rank = np.full(len(values.STATUSES) + 1, -1)
        for position, status in enumerate(values.DAMAGE_SCALE):
            rank[code[status]] = position
        was_missing = (before_status == code["absent"]) | (before_status == UNOBSERVED)
        worse = (rank[before_status] >= 0) & (rank[after_status] > rank[before_status])
        change["n_newdmg"] = count(standing & (worse | (damaged & was_missing)))
        change["n_rebuilt"] = count(standing & np.isin(before_status, [code["destroyed"], code["severe"]])
                                    & np.isin(after_status, [code["intact"], code["construction"]]))
        change["n_new"] = count(standing & was_missing & (after_status != UNOBSERVED))
    ratios = {
        "pct_destr": _percent(columns["n_destroy"], columns["n_assessed"]),
        "pct_damag": _percent(count(damaged), columns["n_assessed"]),
        "pct_sev_de": _percent(count(severe), columns["n_assessed"]),
        "pct_area_d": _percent(destroyed_area, assessed_area),
        "dmg_index": [None if a <= 0 else float(w) / float(a) for w, a in zip(weighted_area, assessed_area)],
    }
    populated = np.zeros(size, dtype=bool)
    populated[np.unique(keys)] = True

    def make_row(slot: int, compound_id: str, name: str | None, structure_type: str | None) -> DamageRow:
        counts = {key: int(column[slot]) for key, column in columns.items()}
        changes = {key: int(column[slot]) for key, column in change.items()}
        return DamageRow(compound_id, name, structure_type, **counts,
                         **{key: column[slot] for key, column in ratios.items()}, **changes)

    rows: list[DamageRow] = []
    for number in range(site_group + 1):
        if number < compounds_count:
            compound_id, name = inputs.compound_ids[number], inputs.compound_names[number]
        else:
            compound_id, name = (UNASSIGNED if number == compounds_count else ALL), None
        rows.append(make_row(number * width + type_count, compound_id, name, None))
        if by_type:
            rows.extend(make_row(number * width + type_number, compound_id, name, type_name)
                        for type_number, type_name in enumerate(inputs.type_names)
                        if populated[number * width + type_number])
    if feedback is not None:
        feedback.setProgress(100)
    return DamageTable(after, before, weights, tuple(rows), inputs.unknown_structure_ids,
                       inputs.unknown_observations, inputs.repaired_structures, inputs.repaired_compounds,
                       compounds_count, tuple(inputs.warnings()))


def summary_sentence(table: DamageTable) -> str:
    """One analyst's sentence, e.g. "12 of 41 structures in 8 compounds destroyed (29 %),
    3 severely damaged; 5 newly damaged since 2019-09-01"."""
    site = table.site
    if site.n_struct == 0:
        return f"No structure stands on {table.after}."
    compounds = sum(1 for row in table.rows
                    if row.type is None and row.compound_id not in (ALL, UNASSIGNED) and row.n_struct)
    outside = table.row(UNASSIGNED).n_struct
    where = f" in {compounds} compound{'s' if compounds != 1 else ''}" if compounds else ""
    if outside and compounds:
        where += f" (+{outside} outside)"
    elif outside:
        where = " outside any compound"
    if site.pct_destr is None:
        share = "none assessable"
    elif site.n_unknown:
        share = f"{site.pct_destr:.0f} % of {site.n_assessed} assessed"
    else:
        share = f"{site.pct_destr:.0f} %"
    text = (f"{site.n_destroy} of {site.n_struct} structure{'s' if site.n_struct != 1 else ''}{where} "
            f"destroyed ({share}), {site.n_severe} severely damaged")
    if site.n_unknown:
        text += f", {site.n_unknown} not assessed"
    if table.before:
        changes = [f"{site.n_newdmg} newly damaged"]
        if site.n_new:
            changes.append(f"{site.n_new} new")
        if site.n_rebuilt:
            changes.append(f"{site.n_rebuilt} rebuilt")
        text += f"; {', '.join(changes)} since {table.before}"
    return text
