"""The review queue's filters and counters stay exact on a big site (built once per session and
cached; see tests/helpers/big_site.py for its size): compared with a direct SQL count."""

from __future__ import annotations

import random

import pytest

from sitewatch.core import values
from sitewatch.core.annotation.review import QueueFilter, ReviewQueue, StatusBook, StructureInfo
from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.assessment.observations import Observation
from sitewatch.tests.helpers.big_site import query, site_data, size


@pytest.fixture(scope="session")
def big_site(tmp_path_factory):
    structures, dates, compounds = size()
    data = site_data()
    path = data.cached_copy(tmp_path_factory.mktemp("big"), structures, dates, compounds)
    return path, [data.image_date(d) for d in range(dates)]


def direct_states(path, on: str) -> dict[str, tuple[str, str]]:
    """structure_id → (status, observed_on) in force at ``on``, by SQL."""
    rows = query(
        path,
        "SELECT o.structure_id, o.status, o.observed_on FROM observations o JOIN "
        f"(SELECT structure_id, max(observed_on) AS last FROM observations WHERE observed_on <= '{on}' "
        "GROUP BY structure_id) l ON o.structure_id = l.structure_id AND o.observed_on = l.last",
    )
    return {str(sid): (str(status), str(day)[:10].replace("/", "-")) for sid, status, day in rows}


def test_queue_filters_and_counters_equal_a_direct_count(big_site):
    path, dates = big_site
    store = GeoPackageStore.open(path)
    infos = [
        StructureInfo(str(s), str(t), str(c))
        for s, t, c in query(path, "SELECT structure_id, type, compound_id FROM structures")
    ]
    rng = random.Random(16)
    on = dates[-1]
    changed = rng.sample([i.structure_id for i in infos], 40)
    book = StatusBook.load(store)
    for number, structure_id in enumerate(changed):  # states recorded and removed after loading
        if number % 3:
            store.record_observation(Observation(structure_id, on, rng.choice(values.codes(values.STATUSES))))
        else:
            store.remove_observation(structure_id, on, "undone")
        book.reload(store, [structure_id])
    states = direct_states(path, on)
    assert book.status_map(on) == {sid: state[0] for sid, state in states.items()}
    compound, kind = infos[len(infos) // 2].compound_id, infos[0].type
    filters = [
        QueueFilter(),
        QueueFilter(unreviewed_only=True),
        QueueFilter(compound_id=compound),
        QueueFilter(type=kind, unreviewed_only=True),
        QueueFilter(status="severe"),
        QueueFilter(status=""),
    ]
    queue = ReviewQueue(infos, book)
    for queue_filter in filters:
        queue.rebuild(on, queue_filter)
        base = [
            i
            for i in infos
            if (queue_filter.compound_id is None or i.compound_id == queue_filter.compound_id)
            and (queue_filter.type is None or i.type == queue_filter.type)
        ]
        reviewed = {i.structure_id for i in base if states.get(i.structure_id, ("", ""))[1] == on}
        expected = [
            i.structure_id
            for i in base
            if not (queue_filter.unreviewed_only and i.structure_id in reviewed)
            and (queue_filter.status is None or states.get(i.structure_id, ("",))[0] == queue_filter.status)
        ]
        assert queue.ids == sorted(expected), queue_filter
        assert queue.counts() == (len(reviewed), len(base)), queue_filter
