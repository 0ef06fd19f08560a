"""Change scoring from the review queue dock, the suggestions in its rows and the accept key
of the review tool, on a real canvas with real key events."""

from __future__ import annotations

import time

import pytest
from osgeo import ogr
from qgis.core import Qgis, QgsProject
from qgis.PyQt.QtCore import QCoreApplication, Qt
from qgis.PyQt.QtWidgets import QMenu, QToolBar

import sitewatch
from sitewatch.core import values
from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.records import ChangeScoreRow
from sitewatch.core.imagery.registry import ImageRecord
from sitewatch.tests.helpers.review_site import AFTER, BEFORE, close, press, show_on_canvas, square
from sitewatch.ui.annotation.part import AnnotationPart
from sitewatch.ui.annotation.review_tool import key_help
from sitewatch.ui.assessment.session import AssessmentSession
from sitewatch.ui.context import PluginContext
from sitewatch.ui.scoring.change_score_action import ChangeScoreAction

OTHER_AFTER = ImageRecord("IMG-0003", "2020-01-08")  # same date as AFTER, never scored
STRUCTURES = {"S-0001": 500020, "S-0002": 500060, "S-0003": 500100, "S-0004": 500140}
SCORES = [  # S-0004 is not scored at all
    ChangeScoreRow("S-0001", 0.12, 0.01, 3, "intact"),
    ChangeScoreRow("S-0002", 0.83, 0.61, 1, "destroyed"),
    ChangeScoreRow("S-0003", None, None, None, "unknown"),
]
ACCEPT = Qt.Key.Key_Y


def label(status: str) -> str:
    return values.label_of(values.STATUSES, status)


class Parts:
    """The change score action and the annotation part on one context, wired as plugin.py does."""

    def __init__(self, iface, session: AssessmentSession):
        self.session = session
        self.context = PluginContext(iface, session, QToolBar(), QMenu())
        self.change_score = ChangeScoreAction(self.context)
        self.annotation = AnnotationPart(self.context, confirm=lambda _question: True)
        self.annotation.offer_change_score(self.change_score.action)
        self.dock = self.annotation.dock
        self.controller = self.annotation.controller

    def rows(self) -> dict[str, str]:
        model = self.dock.model
        ids = (model.index(row, 0).data(Qt.ItemDataRole.UserRole) for row in range(model.rowCount()))
        return {structure_id: self.dock.row_text(structure_id) for structure_id in ids}

    def unload(self) -> None:
        self.annotation.unload()
        self.change_score.unload()


@pytest.fixture
def parts(qgis_iface, qgis_new_project, assessment):
    """Four warehouses in compound C-0001, S-0001 intact on the before image, pair chosen."""
    assessment.add_features("compounds", [{"compound_id": "C-0001", "geometry": square(500000, 3000000, 200)}])
    assessment.add_features(
        "structures",
        [{"structure_id": sid, "type": "warehouse", "geometry": square(x, 3000020)} for sid, x in STRUCTURES.items()],
    )
    assessment.refresh_compound_ids()
    assessment.record_observations([Observation("S-0001", BEFORE.acquired, "intact", BEFORE.image_id, "high", "ana")])
    session = AssessmentSession(QgsProject.instance())
    parts = Parts(qgis_iface, session)
    show_on_canvas(qgis_iface, session, assessment, ("structures",), (500000, 3000000, 500200, 3000100))
    yield parts
    parts.unload()
    close(session)


def states_at_after(path) -> dict[str, tuple[str, str]]:
    """structure_id → (status, confidence) at the after date, read from the GeoPackage with OGR."""
    dataset = ogr.Open(str(path))
    layer = dataset.GetLayerByName("observations")
    layer.SetAttributeFilter(f"observed_on = '{AFTER.acquired}'")
    return {f["structure_id"]: (f["status"], f["confidence"]) for f in layer}


def warnings(iface) -> str:
    return "\n".join(iface.messageBar().get_messages(Qgis.MessageLevel.Warning))


def test_dock_button_is_the_toolbar_action_and_follows_its_enabled_state(parts, assessment):
    button, action = parts.dock.change_score_button, parts.change_score.action
    assert button.defaultAction() is action
    assert action in parts.context.toolbar.actions()
    assert button.toolTip() == action.toolTip() and "Score changes" in button.toolTip()
    assert button.icon().cacheKey() == action.icon().cacheKey()
    assert button.isEnabled() and action.isEnabled()
    parts.session.set_pair(BEFORE, None)
    assert not button.isEnabled() and not action.isEnabled()
    parts.session.set_pair(BEFORE, AFTER)
    assert button.isEnabled()
    parts.session.close()
    assert not button.isEnabled() and not action.isEnabled()
    parts.session.open(str(assessment.path))
    assert not button.isEnabled()  # no pair chosen yet
    parts.session.set_pair(BEFORE, AFTER)
    assert button.isEnabled() and action.isEnabled()


def test_plugin_puts_its_prescore_action_on_the_review_queue_dock(qgis_iface):
    from sitewatch.plugin import TOOLBAR_NAME

    plugin = sitewatch.classFactory(qgis_iface)
    plugin.initGui()
    try:
        toolbar = qgis_iface.mainWindow().findChild(QToolBar, TOOLBAR_NAME)
        prescore = [a for a in toolbar.actions() if a.text() == "Score changes"]
        annotation = next(p for p in plugin.parts if isinstance(p, AnnotationPart))
        assert len(prescore) == 1
        assert annotation.dock.change_score_button.defaultAction() is prescore[0]
        assert not annotation.dock.change_score_button.isEnabled()  # no assessment open
    finally:
        plugin.unload()


def test_rows_show_the_suggestion_only_for_a_prescored_pair(parts, assessment):
    never_scored = {
        "S-0001": f"S-0001 · Warehouse · C-0001 · {label('intact')} (carried from {BEFORE.acquired})",
        "S-0002": "S-0002 · Warehouse · C-0001 · Not observed",
        "S-0003": "S-0003 · Warehouse · C-0001 · Not observed",
        "S-0004": "S-0004 · Warehouse · C-0001 · Not observed",
    }
    assert parts.rows() == never_scored
    assessment.save_change_scores(BEFORE.image_id, AFTER.image_id, SCORES)
    parts.session.scores_changed.emit()  # what Score changes does once its run is saved
    scored = {
        "S-0001": (
            f"S-0001 · Warehouse · C-0001 · {label('intact')} (carried from {BEFORE.acquired})"
            f" · suggests {label('intact')} (0.12): 1% of the roof changed"
        ),
        "S-0002": f"S-0002 · Warehouse · C-0001 · Not observed · suggests {label('destroyed')} (0.83): "
        "61% of the roof changed",
        "S-0003": f"S-0003 · Warehouse · C-0001 · Not observed · suggests {label('unknown')}",
        "S-0004": "S-0004 · Warehouse · C-0001 · Not observed",
    }
    assert parts.rows() == scored
    parts.session.set_pair(BEFORE, OTHER_AFTER)  # same review date, a pair never scored
    assert parts.rows() == never_scored
    parts.session.set_pair(BEFORE, AFTER)
    assert parts.rows() == scored
    parts.controller.select("S-0002")
    assert parts.dock.current_label.text().endswith(f"· suggests {label('destroyed')} (0.83): 61% of the roof changed")


def test_queue_ordered_by_change_score_takes_a_finished_run_at_once(parts, assessment):
    parts.dock.order.setCurrentIndex(parts.dock.order.findData("score"))
    assert list(parts.rows()) == ["S-0001", "S-0002", "S-0003", "S-0004"]  # nothing scored: by id
    assessment.save_change_scores(BEFORE.image_id, AFTER.image_id, SCORES)
    parts.session.scores_changed.emit()
    assert list(parts.rows())[:2] == ["S-0002", "S-0001"]


def test_accept_key_records_the_suggestion_and_ctrl_z_undoes_it(parts, assessment):
    assessment.save_change_scores(BEFORE.image_id, AFTER.image_id, SCORES)
    parts.session.scores_changed.emit()
    tool = parts.annotation.activate("review")
    assert "Y records the change score's suggestion" in parts.annotation.tool_actions["review"].toolTip()
    parts.controller.select("S-0002")
    press(tool, Qt.Key.Key_M)
    press(tool, ACCEPT)
    assert states_at_after(assessment.path) == {"S-0002": ("destroyed", "medium")}
    assert parts.rows()["S-0002"].startswith(f"S-0002 · Warehouse · C-0001 · {label('destroyed')} · suggests")
    press(tool, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert states_at_after(assessment.path) == {}
    assert parts.rows()["S-0002"].startswith("S-0002 · Warehouse · C-0001 · Not observed")
    press(tool, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert states_at_after(assessment.path) == {"S-0002": ("destroyed", "medium")}


def test_accept_key_without_a_usable_suggestion_warns_and_records_nothing(parts, assessment, qgis_iface):
    tool = parts.annotation.activate("review")
    parts.controller.select("S-0002")
    press(tool, ACCEPT)  # the pair was never scored
    assert "S-0002 has no suggested status" in warnings(qgis_iface)
    assessment.save_change_scores(BEFORE.image_id, AFTER.image_id, SCORES)
    parts.session.scores_changed.emit()
    qgis_iface.messageBar().clear_messages()
    parts.controller.select("S-0003")
    press(tool, ACCEPT)
    assert f"suggests {label('unknown')}: nothing to accept" in warnings(qgis_iface)
    qgis_iface.messageBar().clear_messages()
    parts.controller.select("S-0004")
    press(tool, ACCEPT)
    assert "S-0004 has no suggested status" in warnings(qgis_iface)
    assert states_at_after(assessment.path) == {}
    assert not any(assessment.history(sid) for sid in STRUCTURES)


def test_accept_key_never_replaces_a_state_already_recorded(parts, assessment, qgis_iface):
    assessment.save_change_scores(BEFORE.image_id, AFTER.image_id, SCORES)
    parts.session.scores_changed.emit()
    tool = parts.annotation.activate("review")
    parts.controller.select("S-0002")  # suggested destroyed
    press(tool, Qt.Key.Key_H)
    press(tool, getattr(Qt.Key, f"Key_{values.STATUS_BY_CODE['moderate'].key}"))
    qgis_iface.messageBar().clear_messages()
    press(tool, ACCEPT)
    assert states_at_after(assessment.path) == {"S-0002": ("moderate", "high")}
    assert f"already recorded {label('moderate')}" in warnings(qgis_iface)
    assert not assessment.history("S-0002")  # nothing replaced


def test_key_help_lists_the_accept_key():
    assert "Y records the change score's suggestion" in key_help()


def test_change_score_button_run_shows_suggestions_and_y_records_one(
    sitewatch_provider, sample_site, qgis_iface, qgis_new_project
):
    from sitewatch.core.assessment.geopackage import GeoPackageStore
    from sitewatch.core.imagery.registry import list_images

    truth = GeoPackageStore.open(sample_site.assessment_gpkg)  # the after pass not reviewed yet
    for observation in truth.observations():
        if observation.observed_on == sample_site.after_date:
            truth.remove_observation(observation.structure_id, observation.observed_on, "test: after pass unreviewed")
    session = AssessmentSession(QgsProject.instance())
    parts = Parts(qgis_iface, session)
    try:
        store = session.open(str(sample_site.assessment_gpkg))
        before, after = list_images(store)
        session.set_pair(before, after)
        assert not any("suggests" in text for text in parts.rows().values())
        parts.dock.change_score_button.click()
        deadline = time.monotonic() + 120
        while parts.change_score.task is not None and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.02)
        rows = parts.rows()
        assert rows and all(" · suggests " in text for text in rows.values())
        suggested = {s: p.suggested for s, p in parts.controller.change_scores.items() if p.suggested != "unknown"}
        sid = next(iter(suggested))
        tool = parts.annotation.activate("review")
        parts.controller.select(sid)
        press(tool, ACCEPT)
        recorded = [o for o in store.observations() if o.structure_id == sid and o.observed_on == after.acquired]
        assert [(o.status, o.image_id) for o in recorded] == [(suggested[sid], after.image_id)]
        assert parts.rows()[sid].split(" · ")[3] == label(suggested[sid])
    finally:
        parts.unload()
        session.close()
        session.unload()
