"""The Damage panel's incremental table equals a full recompute after a random mix of keys,
undos and redos."""

from __future__ import annotations

import random

import pytest

from sitewatch.core import values
from sitewatch.core.annotation.undo import RecordObservation, UndoStack
from sitewatch.core.assessment.observations import Observation
from sitewatch.core.damage.incremental import IncrementalDamage
from sitewatch.core.damage.inputs import read_inputs
from sitewatch.core.damage.table import DEFAULT_WEIGHTS, compound_damage
from sitewatch.tests.helpers.damage_site import TWO_COMPOUNDS, box, build

BEFORE, AFTER = "2019-09-01", "2020-01-08"
DATES = ("2019-06-01", BEFORE, "2019-11-15", AFTER, "2020-03-01")


def layers(store):
    return store.layer("structures"), store.layer("observations"), store.layer("compounds")


def assert_same(incremental, full):
    assert len(incremental.rows) == len(full.rows)
    for mine, theirs in zip(incremental.rows, full.rows):
        expected = theirs.as_dict()
        for name, value in mine.as_dict().items():
            if isinstance(value, float):
                assert value == pytest.approx(expected[name], rel=1e-9, abs=1e-9), (mine.compound, mine.type, name)
            else:
                assert value == expected[name], (mine.compound, mine.type, name)


def test_a_thousand_keys_undos_and_redos_keep_the_table_equal_to_a_recompute(assessment):
    rng = random.Random(16)
    structures = [
        (f"S-{n:02d}", rng.choice(("building", "bunker")), box(rng.uniform(0, 290), rng.uniform(0, 90), 8))
        for n in range(30)
    ]
    build(
        assessment,
        TWO_COMPOUNDS,
        structures,
        [(sid, day, rng.choice(values.codes(values.STATUSES))) for sid, _, _ in structures for day in DATES[:2]],
    )
    inputs = read_inputs(*layers(assessment))
    incremental = IncrementalDamage(inputs, AFTER, BEFORE, dict(DEFAULT_WEIGHTS), by_type=True)
    stack = UndoStack()
    stack.listeners.append(
        lambda command: [
            incremental.update(sid, assessment.observations([sid])) for sid in sorted(command.structure_ids())
        ]
    )
    # An observation of a structure the table does not know (written by another program: the
    # store itself refuses one) changes nothing.
    unchanged = incremental.table()
    incremental.update("S-GONE", [Observation("S-GONE", AFTER, "destroyed")])
    assert_same(incremental.table(), unchanged)
    ids = [sid for sid, _, _ in structures]
    for step in range(1000):
        roll = rng.random()
        if roll < 0.5:
            observation = Observation(rng.choice(ids), rng.choice(DATES), rng.choice(values.codes(values.STATUSES)))
            stack.push(RecordObservation(assessment, observation))
        elif roll < 0.8:
            stack.undo()
        else:
            stack.redo()
        if step % 250 == 249:
            assert_same(incremental.table(), compound_damage(*layers(assessment), AFTER, BEFORE, by_type=True))
    full = compound_damage(*layers(assessment), AFTER, BEFORE, by_type=True)
    assert_same(incremental.table(), full)
    assert full.site.n_struct > 0 and full.site.n_newdmg is not None
