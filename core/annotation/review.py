"""The review: each structure's states in memory for fast look-up, and the review queue
(filtered, ordered structures the analyst steps through with N / P).

:class:`StatusBook` (:mod:`.status_book`) mirrors the ``observations`` table; after each committed write the
changed structure is reloaded with :meth:`StatusBook.reload`, so a key press costs one
structure's worth of work, not a pass over all observations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import repeat
from typing import NamedTuple, cast

from qgis.core import Qgis, QgsFeatureRequest, QgsVectorLayer

from .. import attributes
from ..assessment.columns import Column, read_columns
from .status_book import StatusBook

__all__ = [
    "ORDERS",
    "SCORE_FIELD",
    "QueueFilter",
    "ReviewQueue",
    "ScoreProvider",
    "StatusBook",
    "StructureInfo",
    "scores_from_layer",
]

ScoreProvider = Callable[[], dict[str, float]]
"""Returns a change score per structure_id (higher = more likely changed)."""

SCORE_FIELD = "chg_score"
"""The change-score field written by sitewatch:changescore."""
ORDERS = ("id", "compound", "score")
"""Queue orders: by structure id, by compound then id, by change score (highest first)."""


class StructureInfo(NamedTuple):
    """A structure of the queue (a named tuple: 250,000 of them are made on opening)."""

    structure_id: str
    type: str | None
    compound_id: str | None


def read_structures(layer: QgsVectorLayer) -> tuple[list[StructureInfo], dict[str, int]]:
    """Every structure of ``layer`` with an id (its type and compound) and structure_id → fid,
    read a column at a time (GDAL's Arrow stream for a GeoPackage layer)."""
    columns = read_columns(layer, ["structure_id", "type", "compound_id"], with_geometry=False)
    ids, kinds, compound_ids = (_texts(columns.values[name]) for name in ("structure_id", "type", "compound_id"))
    fids: list[int] = columns.fids.tolist()
    if None in ids:  # features without an id are not reviewed
        kept = [number for number, structure_id in enumerate(ids) if structure_id]
        ids, kinds, compound_ids = ([texts[n] for n in kept] for texts in (ids, kinds, compound_ids))
        fids = [fids[n] for n in kept]
    present = cast(list[str], ids)  # no None left
    # tuple.__new__ straight from C: a named tuple's own __new__ is a Python call per structure
    infos: list[StructureInfo] = list(map(tuple.__new__, repeat(StructureInfo), zip(present, kinds, compound_ids)))
    return infos, dict(zip(present, fids))


def _texts(column: Column) -> list[str | None]:
    """A column's values as text, NULL and empty as None (bytes from GDAL decoded directly)."""
    if column.dtype.kind == "S":
        return [value.decode("utf-8", "replace") or None for value in column.tolist()]
    return [attributes.text(value) for value in column.tolist()]


@dataclass(frozen=True)
class QueueFilter:
    """Which structures the queue holds. ``None`` means any."""

    unreviewed_only: bool = False
    compound_id: str | None = None
    type: str | None = None
    status: str | None = None
    """Status at the review date; ``""`` selects structures not yet observed at all."""
    structure_ids: frozenset[str] | None = None
    """Only these structures (e.g. those of my work cells, :mod:`..teamwork.queue`)."""


class ReviewQueue:
    """The structures to review at one date, in the chosen order, and where the analyst is.

    :meth:`rebuild` is a pass over the site; after a recorded state :meth:`update` costs
    the changed structures only: the reviewed counter is kept as a set, and each queued
    structure's row as a dict, so nothing per key press grows with the site.
    """

    def __init__(self, structures: Iterable[StructureInfo], book: StatusBook, scores: ScoreProvider | None = None):
        infos = list(structures)
        self.structures = dict(zip((info.structure_id for info in infos), infos))
        self.book = book
        book.queues.add(self)
        self.scores = scores
        self.on: str | None = None
        self.filter = QueueFilter()
        self.order = "id"
        self.ids: list[str] = []
        self.rows: dict[str, int] = {}
        """structure_id → its row in :attr:`ids`."""
        self.position = -1
        self.version = 0
        """Changes whenever :attr:`ids` is rebuilt or re-sorted (views refill on a new version)."""
        self._base: set[str] = set(self.structures)
        self._all_sorted: list[str] | None = None
        """Every structure id in order (kept: sorting 250,000 ids costs a visible moment)."""
        self._reviewed: set[str] = set()
        """Structures of :attr:`_base` with a state recorded exactly at :attr:`on`."""

    def _base_match(self, info: StructureInfo, queue_filter: QueueFilter) -> bool:
        if queue_filter.compound_id is not None and info.compound_id != queue_filter.compound_id:
            return False
        if queue_filter.structure_ids is not None and info.structure_id not in queue_filter.structure_ids:
            return False
        return queue_filter.type is None or info.type == queue_filter.type

    def matches(self, structure_id: str) -> bool:
        """Whether ``structure_id`` passes the filter now (states change while reviewing)."""
        info = self.structures.get(structure_id)
        if info is None or not self._base_match(info, self.filter):
            return False
        if self.filter.unreviewed_only and self.on and self.book.is_reviewed(structure_id, self.on):
            return False
        if self.filter.status is not None:
            status = self.book.status_at(structure_id, self.on) if self.on else None
            return (status or "") == self.filter.status
        return True

    def rebuild(self, on: str | None, queue_filter: QueueFilter, order: str = "id") -> list[str]:
        """Filter and order the structures for date ``on``; keeps the current structure
        selected when it is still in the queue."""
        if order not in ORDERS:
            raise ValueError(f"Unknown queue order '{order}'; use one of {', '.join(ORDERS)}.")
        current = self.current()
        self.on, self.filter, self.order = on, queue_filter, order
        if replace(queue_filter, unreviewed_only=False, status=None) == QueueFilter():  # every structure
            self._base = set(self.structures)
        else:
            self._base = {sid for sid, info in self.structures.items() if self._base_match(info, queue_filter)}
        self._reviewed = self._base & self.book.reviewed_on(on) if on else set()
        if queue_filter.unreviewed_only or queue_filter.status is not None:
            ids = [sid for sid in self._base if self.matches(sid)]
        else:
            ids = list(self._base)
        if order == "compound":
            ids.sort(
                key=lambda sid: (self.structures[sid].compound_id is None, self.structures[sid].compound_id or "", sid)
            )
        elif order == "score" and self.scores is not None:
            scores = self.scores()
            ids.sort(key=lambda sid: (-scores.get(sid, float("-inf")), sid))
        elif len(ids) == len(self.structures):
            if self._all_sorted is None:
                self._all_sorted = sorted(self.structures)
            ids = list(self._all_sorted)
        else:
            ids.sort()
        self._set_ids(ids, current)
        return ids

    def _set_ids(self, ids: list[str], current: str | None) -> None:
        if ids != self.ids:  # the same rows again (e.g. a new date, no filter) keep their index
            self.rows = {structure_id: row for row, structure_id in enumerate(ids)}
        self.ids = ids
        self.position = self.rows.get(current, -1) if current is not None else -1
        self.version += 1

    def show_only(self, ids: Sequence[str]) -> None:
        """Hold exactly ``ids`` (those in the site), in this order: the validate mode's sample
        in its seeded random order. The next :meth:`rebuild` goes back to the filter."""
        kept = [structure_id for structure_id in ids if structure_id in self.structures]
        self._base = set(kept)
        self._reviewed = set()
        self._set_ids(kept, self.current())

    def sort_by(self, key: Callable[[str], tuple[object, ...]], descending: bool = False) -> None:
        """Put the queued structures in the order of ``key`` (a view's sorted column); the
        current structure stays current. Ties keep their order (a stable sort)."""
        self._set_ids(sorted(self.ids, key=key, reverse=descending), self.current())

    def update(self, structure_ids: Iterable[str]) -> None:
        """The states of ``structure_ids`` changed (the book was reloaded): keep the reviewed
        counter exact. The queue's rows stay put during a pass; :meth:`rebuild` re-filters."""
        if not self.on:
            return
        for structure_id in structure_ids:
            if structure_id in self._base and self.book.is_reviewed(structure_id, self.on):
                self._reviewed.add(structure_id)
            else:
                self._reviewed.discard(structure_id)

    def current(self) -> str | None:
        return self.ids[self.position] if 0 <= self.position < len(self.ids) else None

    def go_to(self, structure_id: str) -> bool:
        """Make ``structure_id`` current when it is in the queue."""
        row = self.rows.get(structure_id)
        if row is None:
            return False
        self.position = row
        return True

    def step(self, direction: int) -> str | None:
        """The next (``+1``) or previous (``-1``) structure that still passes the filter."""
        position = self.position
        while True:
            position += direction
            if position < 0 or position >= len(self.ids):
                return None
            if self.matches(self.ids[position]):
                self.position = position
                return self.ids[position]

    def counts(self) -> tuple[int, int]:
        """(reviewed, total) at the review date among structures of the chosen compound and type."""
        return len(self._reviewed), len(self._base)


def scores_from_layer(layer: QgsVectorLayer) -> dict[str, float]:
    """{structure_id: chg_score} of a scored structures layer (features without a score left out)."""
    request = QgsFeatureRequest().setFlags(Qgis.FeatureRequestFlag.NoGeometry)
    request.setSubsetOfAttributes(["structure_id", SCORE_FIELD], layer.fields())
    scores = {}
    for feature in layer.getFeatures(request):
        structure_id, score = attributes.text(feature["structure_id"]), feature[SCORE_FIELD]
        if structure_id is not None and attributes.text(score) is not None:
            scores[structure_id] = float(score)
    return scores
