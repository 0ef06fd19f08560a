"""The compound damage table of an export (the ``compounds`` layer and ``summary.csv``).

The export reads the statistics through :func:`compound_statistics` only: they are those of
``sitewatch:compounddamage`` (:mod:`.damage`), defined once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..assessment.store import AssessmentStore
from ..damage.table import ALL, UNASSIGNED, compound_damage, summary_sentence

__all__ = ["ALL", "UNASSIGNED", "CompoundStatistics", "StatisticsRow", "compound_statistics"]

StatisticsRow = dict[str, Any]
"""One row of the compound table by field name: text (``compound``, ``name``), counts, shares
and areas (numbers or None), as :class:`~..damage.table.DamageRow` types them."""

DISPLAY_NAMES = {ALL: "Whole site", UNASSIGNED: "Not in a compound"}


@dataclass(frozen=True)
class CompoundStatistics:
    rows: list[StatisticsRow]
    """One dict per compound, then ``UNASSIGNED`` and ``ALL``, keyed by the damage table's
    field names with ``compound`` for the id and ``name`` for the compound's name."""
    sentence: str
    """The analyst's one-line summary of the site."""


def compound_statistics(store: AssessmentStore, after_date: str, before_date: str | None) -> CompoundStatistics:
    """The compound damage table of ``store`` at ``after_date`` (change since ``before_date``)."""
    table = compound_damage(
        store.layer("structures"), store.layer("observations"), store.layer("compounds"), after_date, before_date
    )
    rows = []
    for row in table.rows:
        values: StatisticsRow = row.as_dict()
        values["name"] = values["name"] or DISPLAY_NAMES.get(values["compound"])
        rows.append(values)
    return CompoundStatistics(rows, summary_sentence(table))
