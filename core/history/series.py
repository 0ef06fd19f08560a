"""The site's counts by status per compound for every image date, and the change since the
previous date.

The dates are the acquisition dates of the registered images and the dates of the recorded
observations (a date with observations but no registered image is kept and marked with
``n_images`` = 0; an image without a date is left out). Each row has the count fields of
``sitewatch:compounddamage`` at that date (by its definitions, with the previous date as the
before date: ``n_newdmg``, ``n_rebuilt``, ``n_new``; NULL at the first date) plus
``n_removed``: structures standing at the previous date (observed, not absent) and absent at
this one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray
from qgis.core import QgsFeedback, QgsVectorLayer

from .. import attributes, values
from ..assessment import schema
from ..assessment.status_at import status_codes_at
from ..assessment.store import AssessmentStore
from ..damage.inputs import UNOBSERVED, DamageInputs, SiteCache, read_inputs
from ..damage.table import ALL, UNASSIGNED, compound_damage
from ..errors import SiteWatchError


@dataclass(frozen=True)
class HistoryRow:
    """One image date × compound (``UNASSIGNED``, ``ALL``)."""

    observed_on: str
    compound: str
    name: str | None
    n_images: int
    n_struct: int
    n_assessed: int
    n_unknown: int
    n_intact: int
    n_possible: int
    n_moderate: int
    n_severe: int
    n_destroy: int
    n_constr: int
    n_newdmg: int | None
    n_rebuilt: int | None
    n_new: int | None
    n_removed: int | None


HISTORY_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(HistoryRow))
COUNT_NAMES: tuple[str, ...] = HISTORY_FIELDS[4:]


@dataclass(frozen=True)
class SiteHistory:
    dates: tuple[str, ...]
    rows: tuple[HistoryRow, ...]
    inputs: DamageInputs
    statuses: tuple[NDArray[np.int64], ...]
    """Status number of every structure (inputs order) at each date."""

    def row(self, on: str, compound: str = ALL) -> HistoryRow:
        for row in self.rows:
            if row.observed_on == on and row.compound == compound:
                return row
        raise KeyError((on, compound))


def history_dates(store: AssessmentStore) -> tuple[list[str], Counter[str]]:
    """The sorted dates of the site and how many images each has."""
    return dates_of_layers(store.layer(schema.IMAGERY.name), store.layer(schema.OBSERVATIONS.name))


def dates_of_layers(imagery: QgsVectorLayer, observations: QgsVectorLayer) -> tuple[list[str], Counter[str]]:
    """:func:`history_dates` from the ``imagery`` and ``observations`` layers."""
    images: Counter[str] = Counter()
    for feature in imagery.getFeatures():
        day = attributes.text(feature["acquired"])
        if day:
            images[day[:10]] += 1
    days = set(images)
    for feature in observations.getFeatures():
        day = attributes.text(feature["observed_on"])
        if day:
            days.add(day[:10])
    return sorted(days), images


HISTORY_LAYERS = (schema.IMAGERY.name, schema.STRUCTURES.name, schema.OBSERVATIONS.name, schema.COMPOUNDS.name)
"""The layers the history is computed from."""


def site_history(store: AssessmentStore, feedback: QgsFeedback | None = None) -> SiteHistory:
    """Counts per compound (and ``UNASSIGNED``, ``ALL``) at every date of the site."""
    return history_of_layers({name: store.layer(name) for name in HISTORY_LAYERS}, feedback)


def history_of_layers(layers: dict[str, QgsVectorLayer], feedback: QgsFeedback | None = None) -> SiteHistory:
    """:func:`site_history` from the layers of :data:`HISTORY_LAYERS` (made by the caller, e.g.
    on the main thread for a background task)."""
    dates, images = dates_of_layers(layers[schema.IMAGERY.name], layers[schema.OBSERVATIONS.name])
    structures = layers[schema.STRUCTURES.name]
    observations = layers[schema.OBSERVATIONS.name]
    compounds = layers[schema.COMPOUNDS.name]
    cache = SiteCache()
    inputs = read_inputs(structures, observations, compounds, cache=cache)
    group = np.where(inputs.compound_of >= 0, inputs.compound_of, len(inputs.compound_ids))
    keys = [*inputs.compound_ids, UNASSIGNED]
    rows: list[HistoryRow] = []
    statuses = []
    absent = values.codes(values.STATUSES).index("absent")
    previous: str | None = None
    for step, day in enumerate(dates):
        if feedback is not None:
            if feedback.isCanceled():
                raise SiteWatchError("Cancelled.")
            feedback.setProgress(100 * step / max(1, len(dates)))
        table = compound_damage(structures, observations, compounds, after=day, before=previous, cache=cache)
        now = _status_at(inputs, day)
        statuses.append(now)
        removed = None
        if previous is not None:
            before = statuses[-2]
            gone = (before != absent) & (before != UNOBSERVED) & (now == absent)
            per_group = np.bincount(group[gone], minlength=len(keys))
            removed = {**{key: int(n) for key, n in zip(keys, per_group)}, ALL: int(gone.sum())}
        for damage in table.rows:
            counts = {name: getattr(damage, name) for name in COUNT_NAMES if name != "n_removed"}
            rows.append(
                HistoryRow(
                    day,
                    damage.compound,
                    damage.name,
                    images.get(day, 0),
                    **counts,
                    n_removed=None if removed is None else removed.get(damage.compound, 0),
                )
            )
        previous = day
    return SiteHistory(tuple(dates), tuple(rows), inputs, tuple(statuses))


def _status_at(inputs: DamageInputs, day: str) -> NDArray[np.int64]:
    return status_codes_at(
        inputs.obs_structure,
        inputs.obs_day,
        inputs.obs_status,
        inputs.structure_count,
        inputs.day_number(day),
        UNOBSERVED,
    )


def rows_of(history: SiteHistory, compound: str) -> Sequence[HistoryRow]:
    return [row for row in history.rows if row.compound == compound]
