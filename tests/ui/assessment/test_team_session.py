"""Two analysts on one PostGIS assessment from the desktop: the other's observations appear on
the map, in the queue and in the Damage panel within 2 s without reloading layers, and a key
pressed on a state someone else changed meanwhile asks keep mine / keep theirs naming them."""

from __future__ import annotations

import time

from qgis.core import Qgis
from qgis.PyQt.QtCore import QCoreApplication

from sitewatch.core.annotation.undo import RecordShownObservation, UndoStack
from sitewatch.core.assessment.observations import Observation
from sitewatch.tests.helpers.plugin import part_of, wait_until_idle
from sitewatch.tests.helpers.review_site import AFTER, at_after, key_of, messages, press
from sitewatch.ui.annotation.part import AnnotationPart
from sitewatch.ui.damage.part import DamagePanel


def wait_for(condition, seconds: float) -> float:
    """Run the event loop until ``condition()``; returns the seconds it took (fails after ``seconds``)."""
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > seconds:
            raise AssertionError(f"not seen within {seconds} s")
        QCoreApplication.processEvents()
        time.sleep(0.005)
    return time.perf_counter() - started


def destroyed(panel: DamagePanel) -> int | None:
    table = panel.dock.table
    return None if table is None else table.site.n_destroy


def test_another_analysts_observation_appears_within_two_seconds(team_plugin, bea):
    annotation = part_of(team_plugin, AnnotationPart)
    controller = annotation.controller
    damage = part_of(team_plugin, DamagePanel)
    damage.dock.show()
    wait_until_idle(damage.dock)
    assert destroyed(damage) == 0
    layers = {name: controller.session.layer(name) for name in ("structures", "observations")}
    assert controller.book.status_at("S-0003", AFTER.acquired) is None
    # Bea records S-0003 destroyed the way her desktop does: over what she was shown (nothing).
    UndoStack().push(
        RecordShownObservation(bea, Observation("S-0003", AFTER.acquired, "destroyed", "IMG-0002", "high", "bea"), None)
    )
    elapsed = wait_for(lambda: controller.book.status_at("S-0003", AFTER.acquired) == "destroyed", 2.0)
    assert elapsed < 2.0
    assert controller.style.status_of("S-0003") == "destroyed"  # the map's status symbol
    assert annotation.dock.row_text("S-0003").count("Destroyed") == 1  # the queue's row
    wait_for(lambda: destroyed(damage) == 1, 2.0 - elapsed)  # the Damage panel, within the same 2 s
    # the same layer objects: nothing was reloaded from scratch
    assert all(controller.session.layer(name) is layer for name, layer in layers.items())


def test_a_key_on_a_state_changed_meanwhile_asks_keep_theirs_naming_who(team_plugin, bea, keep_answers, qgis_iface):
    controller = part_of(team_plugin, AnnotationPart).controller
    tool = part_of(team_plugin, AnnotationPart).activate("review")
    controller.select("S-0003")  # shown with no state at the after date
    bea.record_observation(Observation("S-0003", AFTER.acquired, "destroyed", "IMG-0002", "high", "bea"))
    keep_answers.keep_mine = False
    press(tool, key_of("intact"))  # before this session heard of Bea's change
    assert len(keep_answers.asked) == 1
    assert "S-0003 at 2020-01-08: bea recorded it Destroyed (high confidence)" in keep_answers.asked[0]
    assert at_after(bea)["S-0003"][::3] == ("destroyed", "bea")
    assert "kept bea's Destroyed" in messages(qgis_iface, Qgis.MessageLevel.Info)
    assert controller.book.status_at("S-0003", AFTER.acquired) == "destroyed"  # theirs is now shown
    assert bea.history("S-0003") == []


def test_keep_mine_writes_over_theirs_and_keeps_theirs_in_the_history(team_plugin, bea, keep_answers):
    controller = part_of(team_plugin, AnnotationPart).controller
    tool = part_of(team_plugin, AnnotationPart).activate("review")
    controller.select("S-0001")  # intact on the before image, nothing at the after date
    bea.record_observation(Observation("S-0001", AFTER.acquired, "severe", "IMG-0002", "medium", "bea"))
    keep_answers.keep_mine = True
    press(tool, key_of("destroyed"))
    assert len(keep_answers.asked) == 1 and "bea recorded it Severe damage" in keep_answers.asked[0]
    assert at_after(bea)["S-0001"][0] == "destroyed"
    assert [(o.status, o.analyst, reason) for o, _, reason in bea.history("S-0001")] == [("severe", "bea", "replaced")]
    # undo takes back mine and brings theirs back, as for any replaced state
    controller.undo()
    assert at_after(bea)["S-0001"][::3] == ("severe", "bea")


def test_a_key_with_no_one_else_writing_asks_nothing(team_plugin, keep_answers, pg_assessment):
    controller = part_of(team_plugin, AnnotationPart).controller
    tool = part_of(team_plugin, AnnotationPart).activate("review")
    controller.select("S-0002")
    press(tool, key_of("moderate"))
    press(tool, key_of("severe"))
    assert keep_answers.asked == []
    assert at_after(pg_assessment)["S-0002"][0] == "severe"
