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
  ellipsoid); ``dmg_index`` = Σ weight(status)·area / Σ area over assessed structures;
  ``area_asses`` and ``area_destr`` are the assessed and the destroyed footprint area in m².
  With no assessed structure (or no assessed area) each of these is NULL (None).
- One class of statuses behind each word, in the panel, the sentence, the export and the PDF:
  *damaged* is moderate, severe or destroyed (``values.DAMAGED_STATUSES``, the structures of
  ``pct_damag``); *severely damaged* is severe; *destroyed* is destroyed. *Possible* damage is
  never counted as damaged.
- With a before date (earlier than the after date), over the structures counted in
  ``n_struct``: ``n_newdmg`` (*newly damaged*): damaged at the after date, and at the before
  date construction, intact, possible, absent or unobserved (``unknown`` then may already have
  been damaged), so never more than the damaged;
  ``n_rebuilt``: destroyed or severe before, intact or construction after; ``n_new``:
  absent or unobserved before (and observed, not absent, after).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from qgis.core import QgsFeedback, QgsVectorLayer

from ..assessment.observations import check_date
from ..errors import SiteWatchError
from ..imagery.dates import check_not_future
from .inputs import DamageInputs, SiteCache, read_inputs
from .sums import COUNT_FIELDS, Groups, columns_of, status_at_day

__all__ = [
    "ALL",
    "COUNT_FIELDS",
    "DEFAULT_WEIGHTS",
    "ROW_FIELDS",
    "UNASSIGNED",
    "DamageRow",
    "DamageTable",
    "checked_request",
    "compound_damage",
    "csv_text",
    "make_row",
    "make_table",
    "parse_weights",
    "row_labels",
    "summary_sentence",
]

UNASSIGNED = "UNASSIGNED"
ALL = "ALL"

DEFAULT_WEIGHTS: dict[str, float] = {
    "construction": 0.0,
    "intact": 0.0,
    "possible": 0.1,
    "moderate": 0.4,
    "severe": 0.7,
    "destroyed": 1.0,
}
"""Weight of each assessed status in ``dmg_index`` (0 = untouched, 1 = destroyed)."""


@dataclass(frozen=True)
class DamageRow:
    """One row of the table: a compound (``UNASSIGNED``, ``ALL``), optionally one type."""

    compound: str
    """The compound's ``compound_id``, ``UNASSIGNED`` or ``ALL`` (a 10-character field name)."""
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
    area_asses: float
    area_destr: float
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
            if row.compound == compound_id and row.type == structure_type:
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


def checked_request(
    after: str, before: str | None, weights: Mapping[str, float] | None
) -> tuple[str, str | None, dict[str, float]]:
    """The dates and weights of a table, checked (not in the future, before earlier than after,
    known statuses), with the default weights filled in."""
    after = check_not_future(check_date(after, "after date"), "after date")
    if before:
        before = check_not_future(check_date(before, "before date"), "before date")
        if before >= after:
            raise SiteWatchError(f"The before date {before} must be earlier than the after date {after}.")
    unknown = sorted(set(weights or {}) - set(DEFAULT_WEIGHTS))
    if unknown:
        raise SiteWatchError(f"No weight can be given to '{unknown[0]}'; use {', '.join(DEFAULT_WEIGHTS)}.")
    return after, before, dict(DEFAULT_WEIGHTS) | dict(weights or {})


def compound_damage(
    structures: QgsVectorLayer,
    observations: QgsVectorLayer,
    compounds: QgsVectorLayer | None,
    after: str,
    before: str | None = None,
    by_type: bool = False,
    weights: Mapping[str, float] | None = None,
    feedback: QgsFeedback | None = None,
    cache: SiteCache | None = None,
) -> DamageTable:
    """The damage table of the site at ``after`` (and change since ``before``).

    ``cache`` (kept by the caller between calls) skips footprints, areas and assignment while
    the structures and compounds have not changed."""
    after, before, weights = checked_request(after, before, weights)
    inputs = read_inputs(structures, observations, compounds, feedback, cache)
    if feedback is not None:
        if feedback.isCanceled():
            raise SiteWatchError("Cancelled.")
        feedback.setProgress(80)
    groups = Groups(inputs, by_type)
    columns = columns_of(
        groups,
        status_at_day(inputs, inputs.day_number(after)),
        status_at_day(inputs, inputs.day_number(before)) if before else None,
        inputs.areas,
        weights,
    )
    if feedback is not None:
        feedback.setProgress(100)
    return make_table(inputs, groups, columns, after, before, weights)


def row_labels(inputs: DamageInputs, groups: Groups) -> list[tuple[int, str, str | None, str | None]]:
    """(row key, compound, name, type) of every row of the table, in the table's order
    (compounds, UNASSIGNED, ALL; per type after each when grouped so)."""
    compounds_count = len(inputs.compound_ids)
    labels: list[tuple[int, str, str | None, str | None]] = []
    for number in range(groups.site + 1):
        if number < compounds_count:
            compound_id, name = inputs.compound_ids[number], inputs.compound_names[number]
        else:
            compound_id, name = (UNASSIGNED if number == compounds_count else ALL), None
        labels.append((number * groups.width + groups.total, compound_id, name, None))
        if groups.by_type:
            labels.extend(
                (number * groups.width + type_number, compound_id, name, type_name)
                for type_number, type_name in enumerate(inputs.type_names)
                if groups.populated[number * groups.width + type_number]
            )
    return labels


def make_row(columns: dict[str, list[Any]], position: int, label: tuple[int, str, str | None, str | None]) -> DamageRow:
    """The row of ``label`` from the columns' values at ``position``."""
    _, compound_id, name, structure_type = label
    return DamageRow(compound_id, name, structure_type, **{key: column[position] for key, column in columns.items()})


def make_table(
    inputs: DamageInputs,
    groups: Groups,
    columns: dict[str, list[Any]],
    after: str,
    before: str | None,
    weights: dict[str, float],
) -> DamageTable:
    """The table's rows (compounds, UNASSIGNED, ALL; per type when grouped so) from the columns."""
    rows = [make_row(columns, label[0], label) for label in row_labels(inputs, groups)]
    return DamageTable(
        after,
        before,
        weights,
        tuple(rows),
        inputs.unknown_structure_ids,
        inputs.unknown_observations,
        inputs.repaired_structures,
        inputs.repaired_compounds,
        len(inputs.compound_ids),
        tuple(inputs.warnings()),
    )


def damaged_count(row: DamageRow) -> int:
    """The structures of a row the word *damaged* counts (moderate, severe or destroyed): the
    numerator of ``pct_damag``."""
    return row.n_moderate + row.n_severe + row.n_destroy


def _share(percent: float | None, row: DamageRow) -> str:
    if percent is None:
        return "none assessable"
    if row.n_unknown:
        return f"{percent:.0f} % of {row.n_assessed} assessed"
    return f"{percent:.0f} %"


def summary_sentence(table: DamageTable) -> str:
    """One analyst's sentence, e.g. "12 of 41 structures in 8 compounds destroyed (29 %),
    3 severely damaged, 17 damaged in all (41 %); 5 newly damaged, 2 new structures since
    2019-09-01". Each word counts the class the module docstring gives it, so the sentence
    and the table always agree: *newly damaged* ≤ *damaged in all*."""
    site = table.site
    if site.n_struct == 0:
        return f"No structure stands on {table.after}."
    compounds = sum(
        1 for row in table.rows if row.type is None and row.compound not in (ALL, UNASSIGNED) and row.n_struct
    )
    outside = table.row(UNASSIGNED).n_struct
    where = f" in {compounds} compound{'s' if compounds != 1 else ''}" if compounds else ""
    if outside and compounds:
        where += f" (+{outside} outside)"
    elif outside:
        where = " outside any compound"
    text = (
        f"{site.n_destroy} of {site.n_struct} structure{'s' if site.n_struct != 1 else ''}{where} "
        f"destroyed ({_share(site.pct_destr, site)}), {site.n_severe} severely damaged, "
        f"{damaged_count(site)} damaged in all ({_share(site.pct_damag, site)})"
    )
    if site.n_unknown:
        text += f", {site.n_unknown} not assessed"
    if table.before:
        changes = [f"{site.n_newdmg} newly damaged"]
        if site.n_new:
            changes.append(f"{site.n_new} new structure{'s' if site.n_new != 1 else ''}")
        if site.n_rebuilt:
            changes.append(f"{site.n_rebuilt} rebuilt")
        text += f"; {', '.join(changes)} since {table.before}"
    return text


def csv_text(table: DamageTable) -> str:
    """The table as CSV (header = the output field names; NULL as an empty cell)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ROW_FIELDS)
    for row in table.rows:
        writer.writerow(["" if value is None else value for value in (getattr(row, name) for name in ROW_FIELDS)])
    return buffer.getvalue()
