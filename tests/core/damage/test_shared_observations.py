"""The damage inputs made from the observations the review read at open (the store's column
read) equal those of the damage's own read, and the layer is read instead whenever that read
could differ from it (rows left out, a date or a status the damage checks by its row)."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest

from sitewatch.core import values
from sitewatch.core.assessment.records import ObservationColumns
from sitewatch.core.damage.incremental import incremental_damage
from sitewatch.core.damage.inputs import read_inputs
from sitewatch.core.damage.table import compound_damage
from sitewatch.core.errors import SiteWatchError
from sitewatch.tests.helpers.damage_site import TWO_COMPOUNDS, box, build, write_foreign_observations

DATES = ("2019-06-01", "2019-09-01", "2020-01-08")
ARRAYS = ("structure_keys", "key_order", "areas", "compound_of", "type_index", "obs_structure", "obs_day", "obs_status")


def layers(store):
    return store.layer("structures"), store.layer("observations"), store.layer("compounds")


def random_site(assessment):
    rng = random.Random(7)
    structures = [
        (f"S-{n:03d}", rng.choice(("building", "bunker")), box(rng.uniform(0, 190), rng.uniform(0, 90), 5))
        for n in range(60)
    ]
    observations = [
        (sid, day, rng.choice(values.codes(values.STATUSES)))
        for sid, _, _ in structures
        for day in DATES
        if rng.random() < 0.7
    ]
    return build(assessment, TWO_COMPOUNDS, structures, observations)


def assert_same_inputs(mine, theirs):
    for name in ARRAYS:
        assert np.array_equal(getattr(mine, name), getattr(theirs, name)), name
    assert mine.unknown_structure_ids == theirs.unknown_structure_ids
    assert mine.unknown_observations == theirs.unknown_observations


def test_the_read_at_open_gives_the_inputs_of_the_layers_own_read(assessment):
    store = random_site(assessment)
    write_foreign_observations(store, [("S-GONE", "2020-02-01", "destroyed")])  # counted as unknown either way
    columns = store.observation_columns()
    assert columns.complete
    assert_same_inputs(read_inputs(*layers(store), observations_read=columns), read_inputs(*layers(store)))


def test_the_read_at_open_is_what_is_counted(assessment):
    """Not read again: an observation written after the read is not in the inputs made from it."""
    store = random_site(assessment)
    columns = store.observation_columns()
    write_foreign_observations(store, [("S-000", "2020-02-01", "destroyed"), ("S-001", "2020-02-01", "destroyed")])
    shared = read_inputs(*layers(store), observations_read=columns)
    assert len(shared.obs_day) == len(columns.day) == len(read_inputs(*layers(store)).obs_day) - 2


@pytest.mark.parametrize(
    "change",
    [
        {"complete": False},  # rows may have been left out (or not typed as dates): read the layer
        {"day": "epoch"},  # 1970-01-01: the damage checks its stored text
        {"status": b"zz"},  # an unknown status: the damage's read names its row
    ],
)
def test_a_read_the_damage_could_not_trust_is_read_again(assessment, change):
    store = random_site(assessment)
    columns = store.observation_columns()
    day, status = columns.day.copy(), columns.status.astype("S8")
    if change.get("day"):
        day[3] = 0
    if change.get("status"):
        status[5] = change["status"]
    wrong = dataclasses.replace(columns, day=day, status=status, complete=change.get("complete", True))
    assert_same_inputs(read_inputs(*layers(store), observations_read=wrong), read_inputs(*layers(store)))


def test_bad_rows_in_the_layer_are_refused_as_before(assessment):
    store = random_site(assessment)
    write_foreign_observations(store, [("S-000", "2020-01-09", "zz")])
    columns = store.observation_columns()
    with pytest.raises(SiteWatchError) as own:
        read_inputs(*layers(store))
    with pytest.raises(SiteWatchError) as shared:
        read_inputs(*layers(store), observations_read=columns)
    assert str(shared.value) == str(own.value) and "'zz'" in str(own.value)


def test_the_table_from_the_read_at_open_equals_a_full_computation(assessment):
    store = random_site(assessment)
    inputs = read_inputs(*layers(store), observations_read=store.observation_columns())
    mine = incremental_damage(*layers(store), "2020-01-08", "2019-09-01", inputs=inputs).table()
    full = compound_damage(*layers(store), "2020-01-08", "2019-09-01")
    assert [row.as_dict() for row in mine.rows] == [row.as_dict() for row in full.rows]


def test_a_read_without_every_row_is_not_complete(assessment):
    store = random_site(assessment)
    write_foreign_observations(store, [("S-000", "not a date", "destroyed")])
    assert not store.observation_columns().complete
    assert not ObservationColumns(
        np.zeros(0, dtype="S1"), np.zeros(0, dtype=np.int64), np.zeros(0, dtype="S1")
    ).complete
