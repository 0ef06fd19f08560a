"""Every structure's states, kept as columns so that a country-scale site (3.5 million
observations) opens in seconds and fits in memory.

The book holds one row per observation in numpy arrays (structure index, day, status code),
sorted by structure then day, with each structure's rows found through an offsets array. A
structure whose observations changed since loading (or whose full observations were asked
for) is kept apart as a list of :class:`Observation`, which takes precedence over its rows:
a key press reloads one structure without touching the arrays. The rule is the one of
:mod:`..assessment.status_at` (its position and numpy forms).
"""

from __future__ import annotations

import bisect
import weakref
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from .. import values
from ..assessment.observations import Observation
from ..assessment.records import ObservationColumns, SortedObservations, code_numbers
from ..assessment.status_at import position_at, status_codes_at
from ..assessment.store import AssessmentStore

if TYPE_CHECKING:
    from .review import ReviewQueue

UNOBSERVED = -1


def day_of(on: str) -> int:
    """Days since 1970-01-01 of the ISO date ``on``."""
    return int(np.datetime64(on, "D").astype(np.int64))


def iso_of(day: int) -> str:
    return str(np.datetime64(day, "D"))


def _sort_order(structure_id: NDArray[np.bytes_], day: NDArray[np.int64]) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
    """A stable order by (structure id, day) and, in that order, where a new structure starts.

    The ids are compared as big-endian 8-byte words (byte order is UTF-8 order, which is
    Python's string order): a lexsort of integers, much faster than sorting strings."""
    words = max(1, -(-structure_id.dtype.itemsize // 8))
    keys = np.ascontiguousarray(structure_id.astype(f"S{words * 8}")).view(">u8").reshape(-1, words)
    order = np.lexsort((day, *(keys[:, k] for k in reversed(range(words)))))
    ordered = keys[order]
    starts = np.ones(len(order), dtype=bool)
    if len(order) > 1:
        starts[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
    return order, starts


class StatusBook:
    """Every structure's observations, sorted by date."""

    def __init__(self, observations: Iterable[Observation] = ()):
        rows = list(observations)
        self._store: AssessmentStore | None = None
        self.codes: list[str] = list(values.codes(values.STATUSES))
        """Status code number → status (the file's unknown statuses appended)."""
        self.queues: weakref.WeakSet[ReviewQueue] = weakref.WeakSet()
        """Queues over this book, told which structures :meth:`reload` re-read."""
        self._full: dict[str, list[Observation]] = {}
        """Structures known in full, taking precedence over their rows in the columns."""
        self._full_dates: dict[str, list[str]] = {}
        columns = ObservationColumns(
            np.array([o.structure_id.encode() for o in rows], dtype=np.bytes_),
            np.array([day_of(o.observed_on) for o in rows], dtype=np.int64),
            np.array([o.status.encode() for o in rows], dtype=np.bytes_),
        )
        order = self._set_columns(columns)
        self._rows: list[Observation] | None = [rows[i] for i in order]
        """The observations in the columns' order (a book built from observations)."""

    @classmethod
    def load(cls, store: AssessmentStore) -> StatusBook:
        """The book of every current observation of ``store``, read as columns; the full
        observation of a structure is read from ``store`` when first asked for."""
        return cls.from_columns(store, store.observation_columns())

    @classmethod
    def from_columns(cls, store: AssessmentStore, columns: ObservationColumns) -> StatusBook:
        """The book of ``columns``, every current observation of ``store`` as just read."""
        book = cls()
        book._set_columns(columns)
        book._rows, book._store = None, store
        return book

    def _set_columns(self, columns: ObservationColumns) -> NDArray[np.intp]:
        code = code_numbers(columns.status, [status.encode() for status in self.codes]).astype(np.int16)
        for unknown in np.unique(columns.status[code == UNOBSERVED]):
            code[columns.status == unknown] = len(self.codes)
            self.codes.append(unknown.decode())
        order, starts = _sort_order(columns.structure_id, columns.day)
        first = order[starts]
        self._keys = columns.structure_id[first]
        self._complete = columns.complete
        self.ids: list[str] = [sid.decode() for sid in self._keys.tolist()]
        """Structure ids of the columns, in order (index = structure number)."""
        self._index = dict(zip(self.ids, range(len(self.ids))))
        self._owner = (np.cumsum(starts) - 1).astype(np.int32)
        self._start = np.append(np.flatnonzero(starts), len(order)).astype(np.int64)
        self._day = columns.day[order].astype(np.int32)
        self._status = code[order]
        return order

    def sorted_observations(self) -> SortedObservations | None:
        """The columns as read (every row of the table, sorted), for the Damage panel's first
        computation; None when they are not the whole table or hold a row it must check itself
        (a status outside the value list, a date of 1970-01-01)."""
        if not self._complete or len(self.codes) != len(values.STATUSES) or not self._day.all():
            return None
        return SortedObservations(self._keys, self._start, self._day, self._status)

    # -- one structure --------------------------------------------------------------------

    def _span(self, structure_id: str) -> tuple[int, int] | None:
        number = self._index.get(structure_id)
        return None if number is None else (int(self._start[number]), int(self._start[number + 1]))

    def _row(self, structure_id: str, on: str, strictly_before: bool = False) -> int | None:
        """The column row in force at ``on`` (or the latest strictly before it)."""
        span = self._span(structure_id)
        if span is None:
            return None
        side: Literal["left", "right"] = "left" if strictly_before else "right"
        row = span[0] + int(np.searchsorted(self._day[span[0] : span[1]], np.int32(day_of(on)), side=side)) - 1
        return row if row >= span[0] else None

    def _known(self, structure_id: str) -> list[Observation] | None:
        """The structure's observations in full, when the book has them or can read them."""
        full = self._full.get(structure_id)
        if full is None and self._rows is None and self._store is not None and structure_id in self._index:
            full = self._keep(structure_id, self._store.observations([structure_id]))
        return full

    def _keep(self, structure_id: str, observations: list[Observation]) -> list[Observation]:
        ordered = sorted(observations, key=lambda o: o.observed_on)  # stable: ties keep their order
        self._full[structure_id] = ordered
        self._full_dates[structure_id] = [o.observed_on for o in ordered]
        return ordered

    def state_at(self, structure_id: str, on: str) -> tuple[str, str] | None:
        """(status, date observed) in force at ``on``, or None: the cheap form of
        :meth:`observation_at` for views and counters (no read of the store)."""
        full = self._full.get(structure_id)
        if full is not None:
            position = position_at(self._full_dates[structure_id], on)
            return None if position is None else (full[position].status, full[position].observed_on)
        row = self._row(structure_id, on)
        return None if row is None else (self.codes[self._status[row]], iso_of(int(self._day[row])))

    def observation_at(self, structure_id: str, on: str) -> Observation | None:
        """The observation that gives the structure its state at ``on`` (carried forward)."""
        full = self._known(structure_id)
        if full is not None:
            position = position_at(self._full_dates[structure_id], on)
            return None if position is None else full[position]
        row = self._row(structure_id, on)
        return None if row is None or self._rows is None else self._rows[row]

    def observation_on(self, structure_id: str, on: str) -> Observation | None:
        """The observation made exactly at ``on``, or None."""
        found = self.observation_at(structure_id, on)
        return found if found is not None and found.observed_on == on else None

    def status_at(self, structure_id: str, on: str) -> str | None:
        state = self.state_at(structure_id, on)
        return None if state is None else state[0]

    def carried_forward(self, structure_id: str, on: str) -> Observation | None:
        """The latest observation strictly before ``on`` (what Enter records when ``on`` has none)."""
        full = self._known(structure_id)
        if full is not None:
            position = bisect.bisect_left(self._full_dates[structure_id], on)
            return full[position - 1] if position else None
        row = self._row(structure_id, on, strictly_before=True)
        return None if row is None or self._rows is None else self._rows[row]

    def is_reviewed(self, structure_id: str, on: str) -> bool:
        state = self.state_at(structure_id, on)
        return state is not None and state[1] == on

    # -- changes --------------------------------------------------------------------------

    def reload(self, store: AssessmentStore, structure_ids: Sequence[str]) -> None:
        """Read the observations of ``structure_ids`` again after they changed."""
        self._store = self._store or store
        fetched: dict[str, list[Observation]] = {structure_id: [] for structure_id in structure_ids}
        for observation in store.observations(list(structure_ids)):
            fetched.setdefault(observation.structure_id, []).append(observation)
        for structure_id, observations in fetched.items():
            self._keep(structure_id, observations)
        for queue in list(self.queues):
            queue.update(structure_ids)

    # -- the whole site -------------------------------------------------------------------

    def _column_owners(self) -> NDArray[np.bool_]:
        """Per structure number: whether its rows in the columns are still its state."""
        current = np.ones(len(self.ids), dtype=bool)
        overridden = [self._index[s] for s in self._full if s in self._index]
        current[overridden] = False
        return current

    def reviewed_on(self, on: str) -> set[str]:
        """Structures with an observation made exactly at ``on``."""
        numbers = np.unique(self._owner[self._day == day_of(on)])
        numbers = numbers[self._column_owners()[numbers]]
        result = {self.ids[n] for n in numbers.tolist()}
        result.update(s for s, dates in self._full_dates.items() if on in dates)
        return result

    def status_codes(self, on: str) -> NDArray[np.int16]:
        """Per structure number of :attr:`ids`: its status code at ``on`` from the columns
        (:data:`UNOBSERVED` when none); structures kept apart (:meth:`apart`) not applied."""
        return status_codes_at(self._owner, self._day, self._status, len(self.ids), day_of(on), UNOBSERVED).astype(
            np.int16
        )

    def apart(self, on: str) -> dict[str, str | None]:
        """Status at ``on`` of the structures kept apart from the columns (None: unobserved)."""
        return {s: self.status_at(s, on) for s in self._full}

    def status_map(self, on: str) -> dict[str, str]:
        """Status of every observed structure at ``on``."""
        codes = self.status_codes(on).tolist()
        names = self.codes
        result = {sid: names[code] for sid, code in zip(self.ids, codes) if code != UNOBSERVED}
        for structure_id, status in self.apart(on).items():
            if status is None:
                result.pop(structure_id, None)
            else:
                result[structure_id] = status
        return result
