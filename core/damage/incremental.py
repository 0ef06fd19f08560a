"""The damage table kept up to date one structure at a time (the Damage panel after a key).

The table's quantities are sums over structures (:mod:`.sums`): when one structure's state
changes, its old contribution to its row keys (its compound, UNASSIGNED or ALL, and its type)
is taken off and its new one added, and only those rows change. A key press then costs one
structure's work, however large the site; the result equals a full recompute (tested).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray
from qgis.core import QgsFeedback, QgsVectorLayer

from ..assessment.observations import Observation
from ..assessment.status_at import status_at
from ..errors import SiteWatchError
from .inputs import UNOBSERVED, DamageInputs, SiteCache, read_inputs
from .sums import CODE, Counts, Groups, finish, status_at_day, sums_of
from .table import DamageRow, DamageTable, checked_request, make_row, make_table, row_labels


class _OneStructure(Groups):
    """The row keys of one structure, shaped as :class:`Groups` so the same sums apply."""

    def __init__(self, keys: NDArray[np.int64], size: int):  # no super().__init__: that builds the whole site
        self.keys = keys
        self.owners = np.zeros(len(keys), dtype=np.intp)
        self.size = size


class IncrementalDamage:
    """One damage table (dates, weights, grouping fixed) and the sums it is made of."""

    def __init__(
        self,
        inputs: DamageInputs,
        after: str,
        before: str | None,
        weights: dict[str, float],
        by_type: bool = False,
    ):
        self.inputs, self.after, self.before, self.weights = inputs, after, before, weights
        self.groups = Groups(inputs, by_type)
        self.after_codes = status_at_day(inputs, inputs.day_number(after)).copy()
        self.before_codes = status_at_day(inputs, inputs.day_number(before)).copy() if before else None
        self.sums = sums_of(self.groups, self.after_codes, self.before_codes, inputs.areas, weights)
        self._sorted_keys = inputs.structure_keys[inputs.key_order]
        self._table = make_table(inputs, self.groups, finish(self.sums), after, before, weights)
        self._labels = row_labels(inputs, self.groups)
        self._row_of_key = {label[0]: number for number, label in enumerate(self._labels)}
        self._rows = list(self._table.rows)
        count = inputs.structure_count
        self._keys = self.groups.keys.reshape(-1, count) if count else np.zeros((0, 0), dtype=np.int64)

    def position(self, structure_id: str) -> int | None:
        """The structure's number in the inputs (None when not in the structures layer): a
        binary search, no dictionary of every id (half a second to build at country scale)."""
        key = structure_id.encode("utf-8")
        slot = int(np.searchsorted(self._sorted_keys, key))
        if not key or slot >= len(self._sorted_keys) or self._sorted_keys[slot] != key:
            return None
        return int(self.inputs.key_order[slot])

    def _contribution(self, number: int) -> dict[str, Counts]:
        one = _OneStructure(self._keys[:, number], self.groups.size)
        after = self.after_codes[number : number + 1]
        before = None if self.before_codes is None else self.before_codes[number : number + 1]
        return sums_of(one, after, before, self.inputs.areas[number : number + 1], self.weights)

    def update(self, structure_id: str, observations: Iterable[Observation]) -> list[int]:
        """Take ``observations`` (all of the structure's current ones) as its new state; returns
        the positions in :meth:`table`'s rows that changed (none when the structure is not in
        the table: not in the structures layer, counted nowhere)."""
        number = self.position(structure_id)
        if number is None:
            return []
        mine = [o for o in observations if o.structure_id == structure_id]
        old = self._contribution(number)
        self.after_codes[number] = self._code(mine, self.after)
        if self.before_codes is not None and self.before is not None:
            self.before_codes[number] = self._code(mine, self.before)
        new = self._contribution(number)
        for key, column in new.items():
            self.sums[key] = self.sums[key] + column - old[key]
        keys = sorted(self._row_of_key[int(key)] for key in self._keys[:, number] if int(key) in self._row_of_key)
        slots = np.array([self._labels[row][0] for row in keys], dtype=np.intp)
        columns = finish({name: column[slots] for name, column in self.sums.items()})
        for position, row in enumerate(keys):
            self._rows[row] = make_row(columns, position, self._labels[row])
        return keys

    @staticmethod
    def _code(observations: list[Observation], on: str) -> int:
        status = status_at(observations, on)
        return CODE[next(iter(status.values()))] if status else UNOBSERVED

    def row(self, position: int) -> DamageRow:
        return self._rows[position]

    def table(self) -> DamageTable:
        """The table as it stands (its rows changed in place of the first table's)."""
        return replace(self._table, rows=tuple(self._rows))


def incremental_damage(
    structures: QgsVectorLayer,
    observations: QgsVectorLayer,
    compounds: QgsVectorLayer | None,
    after: str,
    before: str | None = None,
    weights: Mapping[str, float] | None = None,
    feedback: QgsFeedback | None = None,
    cache: SiteCache | None = None,
    inputs: DamageInputs | None = None,
) -> IncrementalDamage:
    """The table of :func:`.table.compound_damage` (same checks, same numbers), kept as the
    sums that :meth:`IncrementalDamage.update` moves one structure at a time.

    ``inputs`` (those of an earlier result, when nothing but the dates changed since) are used
    instead of reading the layers again."""
    after, before, checked = checked_request(after, before, weights)
    if inputs is None:
        inputs = read_inputs(structures, observations, compounds, feedback, cache)
    if feedback is not None:
        if feedback.isCanceled():
            raise SiteWatchError("Cancelled.")
        feedback.setProgress(80)
    incremental = IncrementalDamage(inputs, after, before, checked)
    if feedback is not None:
        feedback.setProgress(100)
    return incremental
