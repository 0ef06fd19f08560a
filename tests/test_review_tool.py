"""Recording states with keys on the review tool, the review queue and the status colours,
on a real canvas with real key events."""

from __future__ import annotations

import pytest
from qgis.core import (
    Qgis,
    QgsDateTimeRange,
    QgsFeature,
    QgsMapRendererSequentialJob,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QDate, QDateTime, QEvent, Qt, QTime
from qgis.PyQt.QtGui import QColor, QKeyEvent
from qgis.PyQt.QtWidgets import QMenu, QToolBar

from sitewatch.core import values
from sitewatch.ui.annotation.part import AnnotationPart
from sitewatch.ui.assessment.session import AssessmentSession
from sitewatch.ui.context import PluginContext

from .review_site import AFTER, BEFORE, SQUARES, add_five_structures, close, press, show_on_canvas, square


@pytest.fixture
def part(qgis_iface, qgis_new_project, assessment):
    """The annotation part on an assessment with five structures (two types, one compound),
    S-0001 and S-0002 observed on the before image, before / after images chosen."""
    add_five_structures(assessment, {"compound_id": "C-0001", "geometry": square(500000, 3000000, 100)})
    session = AssessmentSession(QgsProject.instance())
    annotation = AnnotationPart(PluginContext(qgis_iface, session, QToolBar(), QMenu()), confirm=lambda _question: True)
    show_on_canvas(qgis_iface, session, assessment, ("structures",), (500000, 3000000, 500400, 3000100))
    yield annotation
    annotation.unload()
    close(session)


def key_of(status: str) -> Qt.Key:
    return getattr(Qt.Key, f"Key_{values.STATUS_BY_CODE[status].key}")


def at_after(assessment) -> dict[str, tuple]:
    return {o.structure_id: (o.status, o.confidence, o.image_id, o.analyst)
            for o in assessment.observations() if o.observed_on == AFTER.acquired}


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
    assert part.dock.current_label.text() == \
        "S-0002 · Warehouse · C-0001: Under construction (carried from 2019-09-01) · keys record High confidence"
    press(tool, Qt.Key.Key_Enter)
    assert at_after(assessment)["S-0002"][0] == "construction"
    assert part.dock.current_label.text() == \
        "S-0002 · Warehouse · C-0001: Under construction · keys record High confidence"


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
    from qgis.gui import QgsMapMouseEvent
    from qgis.PyQt.QtCore import QPoint

    tool = part.activate("review")
    canvas = tool.canvas()
    x, y = SQUARES["S-0005"]
    point = canvas.getCoordinateTransform().transform(x + 10, y + 10)
    position = QPoint(round(point.x()), round(point.y()))
    tool.canvasReleaseEvent(QgsMapMouseEvent(canvas, QEvent.Type.MouseButtonRelease, position,
                                             Qt.MouseButton.LeftButton))
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


def test_queue_filters_order_and_navigation(part, assessment):
    controller, dock = part.controller, part.dock
    assert controller.queue.ids == list(SQUARES)
    assert dock.counter.text().startswith("Reviewed 0 / 5 at 2020-01-08")
    dock.type.setCurrentIndex(dock.type.findData("bunker"))
    assert controller.queue.ids == ["S-0004", "S-0005"]
    dock.type.setCurrentIndex(0)
    dock.compound.setCurrentIndex(dock.compound.findData("C-0001"))
    assert controller.queue.ids == ["S-0001", "S-0002", "S-0003"]
    dock.compound.setCurrentIndex(0)
    dock.status.setCurrentIndex(dock.status.findData("construction"))
    assert controller.queue.ids == ["S-0002"]
    dock.status.setCurrentIndex(0)

    dock.unreviewed.setChecked(True)
    tool = part.activate("review")
    press(tool, Qt.Key.Key_N)
    assert controller.current == "S-0001"
    press(tool, key_of("severe"))
    press(tool, Qt.Key.Key_Right)
    assert controller.current == "S-0002"
    press(tool, Qt.Key.Key_P)  # S-0001 is reviewed now: it has left the unreviewed queue
    assert controller.current == "S-0002"
    press(tool, Qt.Key.Key_Down)
    press(tool, key_of("intact"))
    assert dock.counter.text().startswith("Reviewed 2 / 5")
    assert controller.queue.ids == list(SQUARES)  # the list stays put during a pass ...
    dock.apply_filters()
    assert controller.queue.ids == ["S-0002", "S-0004", "S-0005"]  # ... and drops reviewed ones when rebuilt
    extent = part.canvas.extent()
    assert extent.contains(QgsRectangle(500020, 3000060, 500040, 3000080))  # zoomed to S-0003
    assert (extent.center().x(), extent.center().y()) == pytest.approx((500030, 3000070))
    assert min(extent.width(), extent.height()) == pytest.approx(60)  # zoomed in from 400 × 100 m


def test_queue_ordered_by_change_score(part):
    part.controller.set_score_provider(lambda: {"S-0004": 0.9, "S-0002": 0.5, "S-0005": 0.1})
    part.dock.order.setCurrentIndex(part.dock.order.findData("score"))
    assert part.controller.queue.ids == ["S-0004", "S-0002", "S-0005", "S-0001", "S-0003"]
    part.dock.order.setCurrentIndex(part.dock.order.findData("compound"))
    assert part.controller.queue.ids[:3] == ["S-0001", "S-0002", "S-0003"]


def outline_colour(canvas, structure_id: str) -> str:
    """The colour drawn on the middle of the structure's left wall (its status outline)."""
    x, y = SQUARES[structure_id]
    return colour_at(canvas, x, y + 10).name()


def test_queue_takes_change_scores_from_a_scored_layer_in_the_project(part):
    scored = QgsVectorLayer("Polygon?crs=EPSG:32637&field=structure_id:string&field=chg_score:double",
                            "Scored structures", "memory")
    features = []
    for structure_id, score in (("S-0003", 0.8), ("S-0005", 0.95), ("S-0001", None)):
        feature = QgsFeature(scored.fields())
        feature.setAttributes([structure_id, score])
        features.append(feature)
    scored.dataProvider().addFeatures(features)
    QgsProject.instance().addMapLayer(scored)
    part.dock.order.setCurrentIndex(part.dock.order.findData("score"))
    assert part.controller.queue.ids == ["S-0005", "S-0003", "S-0001", "S-0002", "S-0004"]


def test_queue_follows_the_pre_scores_saved_for_the_pair_and_re_sorts_when_they_change(part, assessment):
    from sitewatch.core.assessment.records import ChangeScoreRow

    def save(scores: dict[str, float]) -> None:
        ranked = sorted(scores, key=scores.get, reverse=True)
        rows = [ChangeScoreRow(sid, score, 0.5, ranked.index(sid) + 1, "moderate") for sid, score in scores.items()]
        assessment.save_change_scores(BEFORE.image_id, AFTER.image_id, rows)
        part.context.session.scores_changed.emit()  # as Pre-score changes does after saving

    save({"S-0002": 0.7, "S-0005": 0.2})
    part.dock.order.setCurrentIndex(part.dock.order.findData("score"))
    assert part.controller.queue.ids[:2] == ["S-0002", "S-0005"]
    save({"S-0003": 0.9, "S-0002": 0.1})
    assert part.controller.queue.ids[:2] == ["S-0003", "S-0002"]


def colour_at(canvas, x: float, y: float) -> QColor:
    settings = canvas.mapSettings()
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    point = settings.mapToPixel().transform(x, y)
    return QColor(image.pixel(round(point.x()), round(point.y())))


def test_structures_are_drawn_in_their_status_colour_at_the_review_date(part, assessment):
    canvas = part.canvas
    x, y = SQUARES["S-0002"]
    assert outline_colour(canvas, "S-0002") == values.STATUS_BY_CODE["construction"].colour
    part.controller.select("S-0002")
    tool = part.activate("review")
    press(tool, key_of("destroyed"))
    assert outline_colour(canvas, "S-0002") == values.STATUS_BY_CODE["destroyed"].colour
    assert colour_at(canvas, x + 10, y + 10) != colour_at(canvas, 500200, 3000090)  # lightly filled
    press(tool, key_of("absent"))
    assert colour_at(canvas, x, y + 10) == colour_at(canvas, 500200, 3000090)  # hidden: background
    assert colour_at(canvas, x + 10, y + 10) == colour_at(canvas, 500200, 3000090)
    part.context.session.set_pair(BEFORE, None)  # no after image: the map shows the before image's date
    assert outline_colour(canvas, "S-0002") == values.STATUS_BY_CODE["construction"].colour


def test_map_follows_the_temporal_controller_while_it_runs(part, assessment):
    canvas = part.canvas
    part.controller.select("S-0002")
    press(part.activate("review"), key_of("destroyed"))
    assert outline_colour(canvas, "S-0002") == values.STATUS_BY_CODE["destroyed"].colour
    canvas.setTemporalRange(QgsDateTimeRange(QDateTime(QDate(2019, 10, 1), QTime(0, 0)),
                                             QDateTime(QDate(2019, 10, 2), QTime(0, 0))))
    assert outline_colour(canvas, "S-0002") == values.STATUS_BY_CODE["construction"].colour
    canvas.setTemporalRange(QgsDateTimeRange(QDateTime(), QDateTime()))  # controller stopped: after date
    assert outline_colour(canvas, "S-0002") == values.STATUS_BY_CODE["destroyed"].colour


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


def test_arrow_keys_in_the_queue_list_step_through_the_queue(part):
    from qgis.PyQt.QtWidgets import QApplication

    QApplication.sendEvent(part.dock.list, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Down,
                                                     Qt.KeyboardModifier.NoModifier))
    QApplication.sendEvent(part.dock.list, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Down,
                                                     Qt.KeyboardModifier.NoModifier))
    assert part.controller.current == "S-0002"
    assert part.dock.list.currentItem().text().startswith("S-0002 · ")
    assert part.focus.highlight is not None


def test_comparison_keys_reach_the_compare_tool_while_reviewing(part, assessment):
    from sitewatch.ui.compare.canvas_overlay import CompareMode
    from sitewatch.ui.compare.comparison import Comparison
    from sitewatch.ui.compare.tool import CompareMapTool

    comparison = Comparison(part.canvas)
    compare_tool = CompareMapTool(part.canvas, comparison)
    part.forward_other_keys(compare_tool.keyPressEvent)
    try:
        tool = part.activate("review")
        part.controller.select("S-0001")
        press(tool, Qt.Key.Key_B)
        assert comparison.mode == CompareMode.BEFORE
        press(tool, key_of("severe"))  # SiteWatch's own keys still record states
        assert at_after(assessment)["S-0001"][0] == "severe"
        press(part.tools["polygon"], Qt.Key.Key_A)
        assert comparison.mode == CompareMode.AFTER
    finally:
        comparison.stop()
