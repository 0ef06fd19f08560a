"""At open the Damage panel's first computation counts the observations the review has just read
(3.5 million rows at country scale, read once) as long as none changed since; its table is the
one of a full computation."""

from __future__ import annotations

import threading

from qgis.core import QgsApplication

from sitewatch.core.assessment.observations import Observation
from sitewatch.core.damage.table import compound_damage
from sitewatch.tests.helpers.plugin import part_of, wait_until_idle
from sitewatch.tests.helpers.review_site import AFTER, BEFORE, add_five_structures, loaded_plugin, square
from sitewatch.ui.annotation.part import AnnotationPart
from sitewatch.ui.damage.part import DamagePanel
from sitewatch.ui.damage.task import DamageTask


class SharedReads:
    """For each damage computation handed to QGIS: whether it was given the read at open."""

    def __init__(self):
        self.given: list[bool] = []
        self.early: list[bool] = []
        """Whether it was given the structures read as the assessment opened."""
        QgsApplication.taskManager().taskAdded.connect(self._added)

    def _added(self, task_id: int) -> None:
        task = QgsApplication.taskManager().task(task_id)
        if isinstance(task, DamageTask):
            self.given.append(task.observations is not None)
            self.early.append(task.early is not None)

    def stop(self) -> None:
        QgsApplication.taskManager().taskAdded.disconnect(self._added)


def open_site(qgis_iface, assessment, before_the_panel=None):
    add_five_structures(
        assessment, {"compound_id": "C-0001", "name": "Main yard", "geometry": square(500000, 3000000, 100)}
    )
    lifetime = loaded_plugin(qgis_iface)
    plugin = next(lifetime)
    session = plugin.context.session
    dock = part_of(plugin, DamagePanel).dock
    if before_the_panel is not None:
        # after the review's read, before the panel computes (which it starts as it attaches):
        controller = part_of(plugin, AnnotationPart).controller
        once = []

        def hook():
            if not once:
                once.append(True)
                before_the_panel(session, session.store, dock)

        controller.queue_changed.connect(hook)
    dock.show()
    session.open(str(assessment.path))
    session.set_pair(BEFORE, AFTER)
    wait_until_idle(dock)
    return lifetime, session, dock


def fresh(assessment):
    layers = (assessment.layer(n) for n in ("structures", "observations", "compounds"))
    return compound_damage(*layers, AFTER.acquired, BEFORE.acquired)


def test_the_first_computation_counts_the_observations_read_at_open(qgis_iface, qgis_new_project, assessment):
    reads = SharedReads()
    lifetime, session, dock = open_site(qgis_iface, assessment)
    try:
        assert reads.given[:1] == [True] and not any(reads.given[1:])
        assert reads.early[:1] == [True] and not any(reads.early[1:])
        assert dock.table.rows == fresh(assessment).rows
        assert session.take_observations_read(session.store) is None  # given once
        dock.refresh()
        wait_until_idle(dock)
        assert reads.given[-1] is False and reads.early[-1] is False  # a refresh reads the layers
    finally:
        reads.stop()
        next(lifetime, None)


def test_observations_changed_after_the_read_are_read_again(qgis_iface, qgis_new_project, assessment):
    """A key between the review's read and the panel's computation: the panel reads the layer."""
    reads = SharedReads()
    keys = []

    def key(session, store, _dock):
        store.record_observation(Observation("S-0005", AFTER.acquired, "destroyed", AFTER.image_id, "high", "ana"))
        keys.append("S-0005")
        session.observations_changed.emit(["S-0005"])  # as the review's key does

    lifetime, session, dock = open_site(qgis_iface, assessment, key)
    try:
        assert keys and reads.given[:1] == [False]
        expected = fresh(assessment)
        assert any(row.n_destroy for row in expected.rows)
        assert dock.table.rows == expected.rows
    finally:
        reads.stop()
        next(lifetime, None)


def test_a_refresh_before_the_first_computation_drops_the_early_read(qgis_iface, qgis_new_project, assessment):
    """A structure added after the read made as the assessment opened, and a refresh asked for
    (as every layer change and the Refresh button do) before the panel's first computation: it
    reads the layers again and counts it."""
    reads = SharedReads()

    def draw(_session, store, dock):
        new = {"structure_id": "S-0099", "type": "warehouse", "geometry": square(500050, 3000050, 5)}
        store.add_features("structures", [new])
        dock.refresh()

    lifetime, session, dock = open_site(qgis_iface, assessment, draw)
    try:
        assert reads.early[:1] == [False]
        expected = fresh(assessment)
        assert max(row.n_struct for row in expected.rows) == 6  # the compound and the whole site
        assert dock.table.rows == expected.rows
    finally:
        reads.stop()
        next(lifetime, None)


def test_reopened_at_once_the_panel_counts_the_new_open_and_leaves_no_read_running(
    qgis_iface, qgis_new_project, assessment
):
    """Closed and opened again, then the plugin unloaded while the new early read may still run:
    the reopened assessment's table comes from its own early read, the read of the closed one
    is never used, and no read thread outlives the plugin."""
    reads = SharedReads()
    lifetime, session, dock = open_site(qgis_iface, assessment)
    try:
        session.close()
        assert dock.table is None
        before_reopen = len(reads.early)
        session.open(str(assessment.path))
        session.set_pair(BEFORE, AFTER)
        wait_until_idle(dock)
        assert reads.early[before_reopen] is True  # its first computation (a date change reads nothing)
        assert dock.table.rows == fresh(assessment).rows
        session.close()
        session.open(str(assessment.path))  # an early read under way as the plugin unloads
    finally:
        reads.stop()
        next(lifetime, None)
    assert not [t for t in threading.enumerate() if t.name == "sitewatch-damage-structures"]
