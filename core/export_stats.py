"""The compound damage table of an export (the ``compounds`` layer and ``summary.csv``).

The export reads the statistics through :func:`compound_statistics` only: they are those of
``sitewatch:compounddamage`` (:mod:`.damage`), defined once.
"""

from __future__ import annotations

from .damage import ALL, UNASSIGNED, compound_damage
from .store import AssessmentStore

__all__ = ["ALL", "UNASSIGNED", "compound_statistics"]

DISPLAY_NAMES = {ALL: "Whole site", UNASSIGNED: "Not in a compound"}


def compound_statistics(store: AssessmentStore, after_date: str, before_date: str | None) -> list[dict]:
    """One dict per compound, then ``UNASSIGNED`` and ``ALL``, keyed by the damage table's
    field names with ``compound`` for the id and ``name`` for the compound's name."""
    table = compound_damage(store.layer("structures"), store.layer("observations"), store.layer("compounds"),
                            after_date, before_date)
    rows = []
    for row in table.rows:
        values = row.as_dict()
        values["compound"] = values.pop("compound_id")
        values["name"] = values["name"] or DISPLAY_NAMES.get(values["compound"])
        rows.append(values)
    return rows
