"""The review queue dock: its rows, filters, order (by compound or change score) and navigation."""

from __future__ import annotations

import pytest
from qgis.core import Qgis, QgsFeature, QgsProject, QgsRectangle, QgsVectorLayer
from qgis.PyQt.QtCore import Qt

from sitewatch.tests.helpers.review_site import AFTER, BEFORE, SQUARES, key_of, messages, press


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
    # Zoomed with context (navigation.ContextZoom): S-0001, 20 m below, is a neighbour whose far
    # edge is 50 m from S-0003's centre, plus the 20 m margin each way.
    assert min(extent.width(), extent.height()) == pytest.approx(2 * (50 + 20))


def test_queue_ordered_by_change_score(part):
    part.controller.set_score_provider(lambda: {"S-0004": 0.9, "S-0002": 0.5, "S-0005": 0.1})
    part.dock.order.setCurrentIndex(part.dock.order.findData("score"))
    assert part.controller.queue.ids == ["S-0004", "S-0002", "S-0005", "S-0001", "S-0003"]
    part.dock.order.setCurrentIndex(part.dock.order.findData("compound"))
    assert part.controller.queue.ids[:3] == ["S-0001", "S-0002", "S-0003"]


def test_queue_takes_change_scores_from_a_scored_layer_in_the_project(part):
    scored = QgsVectorLayer(
        "Polygon?crs=EPSG:32637&field=structure_id:string&field=chg_score:double", "Scored structures", "memory"
    )
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
        part.context.session.scores_changed.emit()  # as Score changes does after saving

    save({"S-0002": 0.7, "S-0005": 0.2})
    part.dock.order.setCurrentIndex(part.dock.order.findData("score"))
    assert part.controller.queue.ids[:2] == ["S-0002", "S-0005"]
    save({"S-0003": 0.9, "S-0002": 0.1})
    assert part.controller.queue.ids[:2] == ["S-0003", "S-0002"]


def test_queue_rows_show_type_compound_and_status_at_the_review_date(part):
    dock = part.dock
    rows = [dock.row_text(dock.model.structure_at(row)) for row in range(dock.model.rowCount())]
    assert rows == [
        "S-0001 · Warehouse · C-0001 · No visible damage (carried from 2019-09-01)",
        "S-0002 · Warehouse · C-0001 · Under construction (carried from 2019-09-01)",
        "S-0003 · Warehouse · C-0001 · Not observed",
        "S-0004 · Bunker · no compound · Not observed",
        "S-0005 · Bunker · no compound · Not observed",
    ]
    tool = part.activate("review")
    part.controller.select("S-0003")
    press(tool, key_of("destroyed"))
    assert dock.row_text(dock.model.structure_at(2)) == "S-0003 · Warehouse · C-0001 · Destroyed"
    dock.list.activated.emit(dock.model.index(4, 0))
    assert part.controller.current == "S-0005"
    assert [dock.compound.itemText(i) for i in range(dock.compound.count())] == ["Any", "C-0001 · Main yard"]
    dock.compound.setCurrentIndex(1)
    assert part.controller.queue.ids == ["S-0001", "S-0002", "S-0003"]


def test_ordering_by_change_score_without_scores_names_the_action(part, qgis_iface):
    part.dock.order.setCurrentIndex(part.dock.order.findData("score"))
    assert "run SiteWatch ▸ Score changes, or sitewatch:changescore" in messages(qgis_iface, Qgis.MessageLevel.Info)


def test_queue_by_score_survives_removal_of_the_scored_layer(part):
    scored = QgsVectorLayer(
        "Polygon?crs=EPSG:32637&field=structure_id:string&field=chg_score:double", "Scored structures", "memory"
    )
    feature = QgsFeature(scored.fields())
    feature.setAttributes(["S-0005", 0.95])
    scored.dataProvider().addFeatures([feature])
    QgsProject.instance().addMapLayer(scored)
    dock, controller = part.dock, part.controller
    dock.order.setCurrentIndex(dock.order.findData("score"))
    assert controller.queue.ids[0] == "S-0005"
    QgsProject.instance().removeMapLayer(scored.id())  # deletes the layer
    part.context.session.set_pair(AFTER, None)
    part.context.session.set_pair(BEFORE, AFTER)
    assert controller.queue.ids == ["S-0001", "S-0002", "S-0003", "S-0004", "S-0005"]
    assert controller.step(1) == "S-0001"
    part.context.session.close()
    assert controller.scores is None  # the layer's scores went with the assessment
