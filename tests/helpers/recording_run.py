"""A reproducible stream of recording operations (one observation, a batch, an import of a new
structure with its observations, a removal as an undo makes it) for the kill -9 tests: a child
process runs them through the store; the test replays the same stream on a plain model to know
what the file must hold after any number of committed operations."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from qgis.core import QgsGeometry

from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.records import FeatureRecord

STATUSES = ("intact", "possible", "moderate", "severe", "destroyed")
DATES = tuple(f"2020-{month:02d}-01" for month in range(1, 13))
SQUARE = "POLYGON((500000 3600000,500010 3600000,500010 3600010,500000 3600010,500000 3600000))"


def structure_ids(count: int) -> list[str]:
    return [f"S-{n:04d}" for n in range(1, count + 1)]


def operations(seed: int, structures: int) -> Iterator[tuple[str, object]]:
    """("one", [Observation]), ("batch", [Observation, …]), ("import", (FeatureRecord,
    [Observation, …])) or ("remove", (structure_id, date)), for ever."""
    rng = random.Random(seed)
    ids = structure_ids(structures)
    imported = 0

    def observation(structure_id: str, date: str) -> Observation:
        return Observation(structure_id, date, rng.choice(STATUSES), confidence="high", analyst=f"bot-{seed}")

    while True:
        roll = rng.random()
        if roll < 0.5:
            yield "one", [observation(rng.choice(ids), rng.choice(DATES))]
        elif roll < 0.75:
            keys = {(rng.choice(ids), rng.choice(DATES)) for _ in range(6)}
            yield "batch", [observation(s, d) for s, d in sorted(keys)]
        elif roll < 0.85:
            imported += 1
            new_id = f"S-NEW{seed:02d}{imported:04d}"
            record = FeatureRecord(
                "structures", {"structure_id": new_id, "type": "building"}, QgsGeometry.fromWkt(SQUARE)
            )
            yield "import", (record, [observation(new_id, d) for d in rng.sample(DATES, 3)])
        else:
            yield "remove", (rng.choice(ids), rng.choice(DATES))


def run(store, operation: tuple[str, object]) -> None:
    """Run one operation through the store (the child process's side)."""
    kind, payload = operation
    if kind == "one":
        store.record_observation(payload[0])
    elif kind == "batch":
        store.record_observations(payload)
    elif kind == "import":
        record, observations = payload
        store.import_batch([record], observations)
    else:
        store.remove_observation(*payload, "undone")


@dataclass
class Model:
    """What the assessment must hold: current observations, archived ones, added structures."""

    current: dict[tuple[str, str], tuple[str, str | None, str | None]] = field(default_factory=dict)
    history: Counter = field(default_factory=Counter)
    added: set[str] = field(default_factory=set)

    def apply(self, operation: tuple[str, object]) -> None:
        kind, payload = operation
        if kind == "remove":
            key = payload
            if key in self.current:
                self.history[(*key, self.current.pop(key)[0], "undone")] += 1
            return
        if kind == "import":
            record, observations = payload
            self.added.add(record.feature_id)
        else:
            observations = payload
        for o in observations:
            key = (o.structure_id, o.observed_on)
            if key in self.current:
                self.history[(*key, self.current[key][0], "replaced")] += 1
            self.current[key] = (o.status, o.confidence, o.analyst)

    def copy(self) -> Model:
        return Model(dict(self.current), Counter(self.history), set(self.added))


def model_after(seed: int, structures: int, count: int) -> Model:
    """The model after the first ``count`` operations of ``operations(seed, structures)``."""
    model = Model()
    stream = operations(seed, structures)
    for _ in range(count):
        model.apply(next(stream))
    return model
