"""Recording states with the review tool's keys on a real canvas: status, confidence, Enter, undo and redo."""

from __future__ import annotations

from qgis.core import Qgis
from qgis.gui import QgsMapMouseEvent
from qgis.PyQt.QtCore import QEvent, QPoint, Qt

from sitewatch.core import values
from sitewatch.tests.helpers.review_site import AFTER, BEFORE, SQUARES, at_after, key_of, messages, press


def test_each_status_key_writes_one_observation_at_the_after_date(part, assessment):
    tool = part.activate("review")
    part.controller.select("S-0003")
    for status in values.STATUSES:
        press(tool, key_of(status.code))
        observations = at_after(assessment)
        assert observations["S-0003"][0] == status.code
        assert observations["S-0003"][2] == "IMG-0002"
        assert observations["S-0003"][3]
    # each key replaced the previous one; every replaced row is in the history
    assert len(assessment.history("S-0003")) == len(values.STATUSES) - 1


def test_confidence_keys_and_enter_carries_forward(part, assessment):
    tool = part.activate("review")
    part.controller.select("S-0001")
    press(tool, Qt.Key.Key_L)
    press(tool, Qt.Key.Key_Return)  # S-0001 was intact on the before image
    assert at_after(assessment)["S-0001"][:2] == ("intact", "low")
    press(tool, Qt.Key.Key_H)  # changes the confidence of the state just recorded
    assert at_after(assessment)["S-0001"][:2] == ("intact", "high")
    press(tool, Qt.Key.Key_N)
    assert part.controller.current == "S-0002"
    assert (
        part.dock.current_label.text()
        == "S-0002 · Warehouse · C-0001: Under construction (carried from 2019-09-01) · keys record High confidence"
    )
    press(tool, Qt.Key.Key_Enter)
    assert at_after(assessment)["S-0002"][0] == "construction"
    assert (
        part.dock.current_label.text()
        == "S-0002 · Warehouse · C-0001: Under construction · keys record High confidence"
    )


def test_enter_without_an_earlier_state_writes_nothing(part, assessment, qgis_iface):
    tool = part.activate("review")
    part.controller.select("S-0004")
    press(tool, Qt.Key.Key_Return)
    assert "S-0004" not in at_after(assessment)
    assert "no earlier state" in "\n".join(qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Warning))


def test_keys_with_no_structure_or_no_after_image_say_so(part, assessment, qgis_iface):
    tool = part.activate("review")
    press(tool, Qt.Key.Key_4)
    warnings = "\n".join(qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Warning))
    assert "No structure is selected" in warnings
    part.controller.select("S-0001")
    part.context.session.set_pair(BEFORE, None)
    press(tool, Qt.Key.Key_4)
    warnings = "\n".join(qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Warning))
    assert "Choose a dated after image" in warnings
    assert at_after(assessment) == {}


def test_toolbar_action_activates_the_review_tool(part):
    part.tool_actions["review"].trigger()
    assert part.canvas.mapTool() is part.tools["review"]
    assert "1 intact" in part.tool_actions["review"].toolTip()


def test_clicking_a_structure_makes_it_current(part):

    tool = part.activate("review")
    canvas = tool.canvas()
    x, y = SQUARES["S-0005"]
    point = canvas.getCoordinateTransform().transform(x + 10, y + 10)
    position = QPoint(round(point.x()), round(point.y()))
    tool.canvasReleaseEvent(
        QgsMapMouseEvent(canvas, QEvent.Type.MouseButtonRelease, position, Qt.MouseButton.LeftButton)
    )
    assert part.controller.current == "S-0005"
    assert part.focus.highlight is not None


def test_undo_and_redo_of_states_restore_rows_exactly(part, assessment):
    tool = part.activate("review")
    part.controller.select("S-0001")
    press(tool, key_of("moderate"))
    first = assessment.observations(["S-0001"])
    press(tool, key_of("destroyed"))
    second = assessment.observations(["S-0001"])
    press(tool, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert assessment.observations(["S-0001"]) == first
    press(tool, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [o.status for o in assessment.observations(["S-0001"])] == ["intact"]
    press(tool, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert assessment.observations(["S-0001"]) == first
    press(tool, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert assessment.observations(["S-0001"]) == second
    reasons = [reason for _, _, reason in assessment.history("S-0001")]
    assert "undone" in reasons and "replaced" in reasons  # nothing vanished without a trace


def test_observation_tables_in_qgis_show_recorded_states_soon_after(part, assessment):
    from qgis.PyQt.QtTest import QTest

    observations = part.context.session.layer("observations")
    assert observations.featureCount() == 2
    part.controller.select("S-0004")
    tool = part.activate("review")
    for status in ("severe", "destroyed", "moderate"):
        press(tool, key_of(status))
    QTest.qWait(1200)
    assert observations.featureCount() == 3
    assert part.context.session.layer("observation_history").featureCount() == 2
    assert {f["status"] for f in observations.getFeatures() if f["structure_id"] == "S-0004"} == {"moderate"}


def test_enter_keeps_a_state_already_recorded_at_the_after_date(part, assessment, qgis_iface):
    tool = part.activate("review")
    part.controller.select("S-0001")  # intact on the before image
    press(tool, key_of("destroyed"))
    rows, history = assessment.observations(["S-0001"]), assessment.history("S-0001")
    assert part.dock.current_label.text().startswith("S-0001 · Warehouse · C-0001: Destroyed ·")
    press(tool, Qt.Key.Key_Return)
    assert assessment.observations(["S-0001"]) == rows  # still destroyed, no new row
    assert assessment.history("S-0001") == history
    assert "S-0001 is already recorded Destroyed at 2020-01-08" in messages(qgis_iface, Qgis.MessageLevel.Info)


def test_enter_records_the_carried_forward_state_when_the_date_has_none(part, assessment):
    tool = part.activate("review")
    part.controller.select("S-0002")
    press(tool, Qt.Key.Key_Enter)
    assert at_after(assessment)["S-0002"][:3] == ("construction", "high", AFTER.image_id)


def test_undo_of_a_replacing_state_archives_the_undone_row_as_undone(part, assessment):
    tool = part.activate("review")
    part.controller.select("S-0003")
    press(tool, key_of("moderate"))
    press(tool, key_of("destroyed"))
    press(tool, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert at_after(assessment)["S-0003"][0] == "moderate"
    archived = [(o.status, reason) for o, _, reason in assessment.history("S-0003")]
    assert archived == [("moderate", "replaced"), ("destroyed", "undone")]
    press(tool, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert at_after(assessment)["S-0003"][0] == "destroyed"
