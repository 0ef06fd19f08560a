"""The compound damage table of an export (the ``compounds`` layer and ``summary.csv``).

The export reads the statistics through :func:`compound_statistics` only, so the single
definition of them (``sitewatch:compounddamage``) is plugged in here and nowhere else.
Until that module is merged, the definitions of issue 5 are computed below.
"""

from __future__ import annotations

from collections import defaultdict

from . import values
from .measure import distance_area
from .observations import status_at
from .store import AssessmentStore

ALL = "ALL"
UNASSIGNED = "UNASSIGNED"
DEFAULT_WEIGHTS = {"intact": 0.0, "construction": 0.0, "possible": 0.1, "moderate": 0.4,
                   "severe": 0.7, "destroyed": 1.0}
_COUNT_FIELDS = {"intact": "n_intact", "possible": "n_possible", "moderate": "n_moderate",
                 "severe": "n_severe", "destroyed": "n_destroy", "construction": "n_constr"}


def compound_statistics(store: AssessmentStore, after_date: str, before_date: str | None) -> list[dict]:
    """One row per compound (by id), then ``UNASSIGNED`` and ``ALL``, with the STATS_FIELDS keys."""
    return _statistics(store, after_date, before_date)


def _pct(part: float, whole: float) -> float | None:
    return None if whole <= 0 else round(100.0 * part / whole, 2)


def _statistics(store: AssessmentStore, after_date: str, before_date: str | None) -> list[dict]:
    observations = store.observations()
    after = status_at(observations, after_date)
    before = status_at(observations, before_date) if before_date else {}
    names = {}
    for feature in store.layer("compounds").getFeatures():
        names[str(feature["compound_id"])] = feature["name"] if isinstance(feature["name"], str) else None
    structures = store.layer("structures")
    calc = distance_area(structures.crs())
    groups: dict[str, list[tuple[str | None, str | None, float]]] = defaultdict(list)
    for feature in structures.getFeatures():
        sid = feature["structure_id"]
        compound = feature["compound_id"] if isinstance(feature["compound_id"], str) else None
        compound = compound if compound in names else UNASSIGNED
        entry = (after.get(sid), before.get(sid), calc.measureArea(feature.geometry()))
        groups[compound].append(entry)
        groups[ALL].append(entry)
    rows = []
    for compound in [*sorted(names), UNASSIGNED, ALL]:
        row = _row(groups.get(compound, []), before_date is not None)
        row["compound"] = compound
        row["name"] = names.get(compound, "Whole site" if compound == ALL else "Not in a compound")
        rows.append(row)
    return rows


def _row(entries: list[tuple[str | None, str | None, float]], with_before: bool) -> dict:
    row: dict = dict.fromkeys(("n_struct", "n_assessed", "n_unknown", *_COUNT_FIELDS.values()), 0)
    area_assessed = area_destroyed = weighted = 0.0
    new_damage = rebuilt = new = 0
    for after, before, area in entries:
        if after == "absent":
            continue
        row["n_struct"] += 1
        if after in values.ASSESSED_STATUSES:
            row["n_assessed"] += 1
            row[_COUNT_FIELDS[after]] += 1
            area_assessed += area
            weighted += area * DEFAULT_WEIGHTS[after]
            area_destroyed += area if after == "destroyed" else 0.0
        else:
            row["n_unknown"] += 1
        after_rank, before_rank = values.damage_rank(after), values.damage_rank(before)
        if after_rank is not None and before_rank is not None and after_rank > before_rank:
            new_damage += 1
        elif before in (None, "absent") and after_rank is not None and after_rank >= 2:
            new_damage += 1
        if before in ("destroyed", "severe") and after in ("intact", "construction"):
            rebuilt += 1
        if before in (None, "absent") and after is not None:
            new += 1
    assessed = row["n_assessed"]
    row["pct_destr"] = _pct(row["n_destroy"], assessed)
    row["pct_damag"] = _pct(row["n_moderate"] + row["n_severe"] + row["n_destroy"], assessed)
    row["pct_sev_de"] = _pct(row["n_severe"] + row["n_destroy"], assessed)
    row["pct_area_d"] = _pct(area_destroyed, area_assessed)
    row["dmg_index"] = None if area_assessed <= 0 else round(weighted / area_assessed, 4)
    row["n_newdmg"] = new_damage if with_before else None
    row["n_rebuilt"] = rebuilt if with_before else None
    row["n_new"] = new if with_before else None
    return row
