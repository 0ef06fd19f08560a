"""The Damage panel follows review keys, undo and redo one structure at a time: its table stays
equal to a fresh computation and no key starts a background recompute of the whole site."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QCoreApplication, Qt

from sitewatch.core import values
from sitewatch.core.damage.table import compound_damage
from sitewatch.tests.helpers.plugin import part_of, wait_until_idle
from sitewatch.tests.helpers.review_site import (
    AFTER,
    BEFORE,
    add_five_structures,
    key_of,
    loaded_plugin,
    press,
    show_on_canvas,
    square,
)
from sitewatch.ui.annotation.controller import TABLE_REFRESH_MS
from sitewatch.ui.annotation.part import AnnotationPart
from sitewatch.ui.damage.grid import cell, columns_of
from sitewatch.ui.damage.part import DamagePanel
from sitewatch.ui.damage.task import DamageTask


class TaskLaunches:
    """The damage computations handed to QGIS's task manager while it is listening."""

    def __init__(self):
        self.count = 0
        QgsApplication.taskManager().taskAdded.connect(self._added)

    def _added(self, task_id: int) -> None:
        if isinstance(QgsApplication.taskManager().task(task_id), DamageTask):
            self.count += 1

    def stop(self) -> None:
        QgsApplication.taskManager().taskAdded.disconnect(self._added)


@pytest.fixture
def review(qgis_iface, qgis_new_project, assessment):
    """The whole plugin on five structures, the review tool active, the Damage panel shown."""
    add_five_structures(
        assessment, {"compound_id": "C-0001", "name": "Main yard", "geometry": square(500000, 3000000, 100)}
    )
    plugin_lifetime = loaded_plugin(qgis_iface)
    plugin = next(plugin_lifetime)
    session = plugin.context.session
    show_on_canvas(qgis_iface, session, assessment, ("structures", "compounds"), (500000, 3000000, 500400, 3000100))
    dock = part_of(plugin, DamagePanel).dock
    dock.show()
    wait_until_idle(dock)
    annotation = part_of(plugin, AnnotationPart)
    launches = TaskLaunches()
    yield annotation, dock, assessment, launches
    launches.stop()
    next(plugin_lifetime, None)


def settle(milliseconds: int) -> None:
    """Run the event loop for ``milliseconds`` (the observation tables' reload timer fires)."""
    deadline = time.monotonic() + milliseconds / 1000
    while time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.005)


def assert_shows_a_fresh_computation(dock, store) -> None:
    fresh = compound_damage(store.layer("structures"), store.layer("observations"), store.layer("compounds"), *dates())
    assert [row.compound for row in dock.table.rows] == [row.compound for row in fresh.rows]
    columns = columns_of(fresh)
    for number, row in enumerate(fresh.rows):
        for column, (field, _) in enumerate(columns):
            shown = dock.grid.item(number, column).text()
            assert shown == cell(field, getattr(row, field)).text(), (row.compound, field)
    assert dock.table.site.as_dict() == pytest.approx(fresh.site.as_dict())


def dates() -> tuple[str, str]:
    return AFTER.acquired, BEFORE.acquired


def test_keys_undos_and_redos_move_the_table_without_a_recompute(review):
    annotation, dock, store, launches = review
    assert (dock.after_edit.text(), dock.before_edit.text()) == dates()
    tool = annotation.activate("review")
    controller = annotation.controller
    rng = random.Random(16)
    refreshed = []
    dock.refreshed.connect(refreshed.append)
    for step in range(60):
        roll = rng.random()
        if roll < 0.6:
            controller.select(rng.choice(("S-0001", "S-0002", "S-0003", "S-0004", "S-0005")))
            press(tool, key_of(rng.choice(values.codes(values.STATUSES))))
        elif roll < 0.85:
            controller.undo()
        else:
            controller.redo()
        QCoreApplication.processEvents()
        if step % 10 == 9:
            assert_shows_a_fresh_computation(dock, store)
    settle(TABLE_REFRESH_MS + 300)  # the observations layer is re-read after the last key
    assert not dock.busy()
    assert launches.count == 0, "a key started a full recompute of the site"
    assert len(refreshed) >= 36  # every committed key, undo and redo showed its rows at once
    assert_shows_a_fresh_computation(dock, store)
    assert "2020-01-08 (since 2019-09-01)" in dock.summary.text()


def test_a_date_change_still_recomputes_the_site(review):
    annotation, dock, store, launches = review
    controller = annotation.controller
    controller.select("S-0004")
    press(annotation.activate("review"), Qt.Key.Key_5)
    dock.before_edit.setText("")
    dock.refresh()
    wait_until_idle(dock)
    assert launches.count == 1
    assert dock.grid.columnCount() == len(columns_of(dock.table))
    assert dock.table.row("UNASSIGNED").n_destroy == 1


@contextmanager
def damage_tasks_started(then: Callable[[list[bool]], None] | None = None) -> Iterator[list[bool]]:
    """For each Damage computation started meanwhile, whether it reuses an earlier read (its
    inputs were handed to it); ``then`` runs after each is noted."""
    manager = QgsApplication.taskManager()
    reused: list[bool] = []

    def added(task_id: int) -> None:
        task = manager.task(task_id)
        if isinstance(task, DamageTask):
            reused.append(task.inputs is not None)
            if then is not None:
                then(reused)

    manager.taskAdded.connect(added)
    try:
        yield reused
    finally:
        manager.taskAdded.disconnect(added)


def test_a_date_change_reads_nothing_again_until_the_observations_change(review):
    """A new date computes the table from what the last computation read (at country scale the
    reading is most of the seconds); after a key the layers are read again."""
    annotation, dock, store, launches = review
    with damage_tasks_started() as reused:
        dock.before_edit.setText("")
        dock.before_edit.editingFinished.emit()
        wait_until_idle(dock)
        assert reused == [True]
        fresh = compound_damage(
            store.layer("structures"), store.layer("observations"), store.layer("compounds"), AFTER.acquired
        )
        assert dock.table.rows == fresh.rows and dock.table.before is None
        annotation.controller.select("S-0004")
        press(annotation.activate("review"), Qt.Key.Key_5)
        dock.before_edit.setText(BEFORE.acquired)
        dock.before_edit.editingFinished.emit()
        wait_until_idle(dock)
        assert reused == [True, False]  # the key's observation is in the table, not in what was read
        assert_shows_a_fresh_computation(dock, store)
        dock.refresh()  # asked by a part after writing through the store: read again
        wait_until_idle(dock)
        assert reused == [True, False, False]


def test_dates_changed_while_the_site_is_read_read_it_once(review):
    """At open the pair (hence the dates) is chosen while the first computation reads the site:
    the table of the new dates is made from that read, not from a second one, and shown."""
    annotation, dock, store, launches = review

    def change_dates(reused: list[bool]) -> None:
        if len(reused) == 1:  # the read has just started: the dates change now
            dock.before_edit.setText("")
            dock.before_edit.editingFinished.emit()

    with damage_tasks_started(change_dates) as reused:
        dock.refresh()
        wait_until_idle(dock)
        # the running computation took the new dates (or, when it had read already, a second
        # one computed them from its read): never a second read
        assert reused in ([False], [False, True])
        fresh = compound_damage(
            store.layer("structures"), store.layer("observations"), store.layer("compounds"), AFTER.acquired
        )
        assert dock.table.rows == fresh.rows and dock.table.before is None


def test_a_computation_still_reading_takes_the_new_dates(review):
    _, _, store, _ = review
    from sitewatch.core.damage.inputs import SiteCache

    task = DamageTask(store, AFTER.acquired, BEFORE.acquired, SiteCache())
    assert task.retarget(AFTER.acquired, None)  # not made yet: it will be for these dates
    assert task.run()
    layers = (store.layer("structures"), store.layer("observations"), store.layer("compounds"))
    assert task.table.before is None and task.table.rows == compound_damage(*layers, AFTER.acquired).rows
    assert not task.retarget(AFTER.acquired, BEFORE.acquired)  # made already: the dock computes again
