"""The damage inputs made from the observations as the review's status book sorted them at open
equal those of the damage's own read of the layers, whatever the structures layer's order, and
the book gives no sorted observations the damage could not trust (it then reads the layer)."""

from __future__ import annotations

import random

import pytest

from sitewatch.core import values
from sitewatch.core.annotation.status_book import StatusBook
from sitewatch.core.damage.incremental import incremental_damage
from sitewatch.core.damage.inputs import read_inputs
from sitewatch.core.damage.table import compound_damage
from sitewatch.tests.core.damage.test_shared_observations import assert_same_inputs, layers
from sitewatch.tests.helpers.damage_site import TWO_COMPOUNDS, box, build, write_foreign_observations

DATES = ("2019-06-01", "2019-09-01", "2020-01-08")


def shuffled_site(assessment, seed, shuffle=True):
    """Structures written in no id order (some without observations), observations in no order;
    without ``shuffle`` both in id order (the rows are then used in place)."""
    rng = random.Random(seed)
    structures = [
        (f"S-{n:03d}", rng.choice(("building", "bunker")), box(rng.uniform(0, 190), rng.uniform(0, 90), 5))
        for n in range(60)
    ]
    if shuffle:
        rng.shuffle(structures)
    observations = [
        (sid, day, rng.choice(values.codes(values.STATUSES)))
        for sid, _, _ in structures
        for day in DATES
        if rng.random() < 0.7
    ]
    if shuffle:
        rng.shuffle(observations)
    return build(assessment, TWO_COMPOUNDS, structures, observations)


@pytest.mark.parametrize("seed", [3, 11])
def test_the_sorted_observations_give_the_inputs_of_the_layers_own_read(assessment, seed):
    store = shuffled_site(assessment, seed)
    write_foreign_observations(store, [("S-GONE", "2020-02-01", "destroyed"), ("A-GONE", "2019-06-01", "intact")])
    observations = StatusBook.load(store).sorted_observations()
    assert observations is not None
    mine, theirs = read_inputs(*layers(store), observations_sorted=observations), read_inputs(*layers(store))
    assert_same_inputs(mine, theirs)
    assert mine.unknown_structure_ids == ("A-GONE", "S-GONE") and mine.unknown_observations == 2


def test_sorted_observations_in_the_layers_order_give_the_same_inputs(assessment):
    store = shuffled_site(assessment, 7, shuffle=False)
    observations = StatusBook.load(store).sorted_observations()
    assert_same_inputs(read_inputs(*layers(store), observations_sorted=observations), read_inputs(*layers(store)))


def test_the_table_from_the_sorted_observations_equals_a_full_computation(assessment):
    store = shuffled_site(assessment, 5)
    inputs = read_inputs(*layers(store), observations_sorted=StatusBook.load(store).sorted_observations())
    mine = incremental_damage(*layers(store), "2020-01-08", "2019-09-01", inputs=inputs).table()
    full = compound_damage(*layers(store), "2020-01-08", "2019-09-01")
    assert [row.as_dict() for row in mine.rows] == [row.as_dict() for row in full.rows]


@pytest.mark.parametrize(
    "row",
    [
        ("S-000", "2020-01-09", "zz"),  # an unknown status: the damage's read names its row
        ("S-000", "1970-01-01", "intact"),  # 1970-01-01: the damage checks its stored text
        ("S-000", "not a date", "intact"),  # a row the column read leaves out
    ],
)
def test_a_book_the_damage_could_not_trust_gives_no_sorted_observations(assessment, row):
    store = shuffled_site(assessment, 3)
    write_foreign_observations(store, [row])
    assert StatusBook.load(store).sorted_observations() is None


def test_a_book_made_from_observations_gives_none(assessment):
    store = shuffled_site(assessment, 3)
    assert StatusBook(store.observations()).sorted_observations() is None
