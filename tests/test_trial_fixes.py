"""Fixes for what a new analyst ran into in a first trial, each checked on a real canvas with
real key and mouse events: Enter, default confidence, undo history, keys that must not reach
the canvas, image dates, the side-by-side dock, the first images, tooltips, the queue rows and
compound names."""

from __future__ import annotations

import pytest
from qgis.core import Qgis, QgsProject, QgsRectangle, QgsSettings
from qgis.gui import QgsMapMouseEvent
from qgis.PyQt.QtCore import QEvent, QPoint, Qt
from qgis.PyQt.QtGui import QKeyEvent
from qgis.PyQt.QtWidgets import QApplication, QMenu, QToolBar

from sitewatch.core.imagery.registry import list_images, register_image
from sitewatch.tests.imagery_rasters import SITE, write_raster
from sitewatch.tests.test_review_tool import at_after, key_of
from sitewatch.ui.annotation.part import COMPOUND, AnnotationPart
from sitewatch.ui.assessment.session import AssessmentSession
from sitewatch.ui.compare.canvas_overlay import CompareMode
from sitewatch.ui.context import PluginContext
from sitewatch.ui.imagery.part import ImageryPart

from .review_site import (
    AFTER,
    BEFORE,
    SQUARES,
    add_five_structures,
    close,
    loaded_plugin,
    messages,
    press,
    show_on_canvas,
    square,
)


class Answers:
    """The analyst's answers to SiteWatch's questions: yes / no, and names (None: cancelled)."""

    def __init__(self):
        self.confirm = True
        self.name: str | None = None
        self.asked: list[str] = []

    def ask_confirm(self, question: str) -> bool:
        self.asked.append(question)
        return self.confirm

    def ask_name(self, question: str, default: str) -> str | None:
        self.asked.append(f"{question} [{default}]")
        return self.name


@pytest.fixture
def answers():
    return Answers()


@pytest.fixture
def part(qgis_iface, qgis_new_project, assessment, answers):
    """The annotation part on five structures in compound C-0001 "Main yard" (S-0001..3) or
    none; S-0001 intact and S-0002 under construction on the before image."""
    add_five_structures(assessment, {"compound_id": "C-0001", "name": "Main yard",
                                     "geometry": square(500000, 3000000, 100)})
    session = AssessmentSession(QgsProject.instance())
    context = PluginContext(qgis_iface, session, QToolBar(), QMenu())
    annotation = AnnotationPart(context, confirm=answers.ask_confirm, ask_name=answers.ask_name)
    show_on_canvas(qgis_iface, session, assessment, ("structures", "compounds"), (500000, 3000000, 500400, 3000100))
    yield annotation
    annotation.unload()
    close(session)


def type_key(canvas, which: Qt.Key) -> None:
    """A key typed on the map: the canvas hands it to its map tool, then does its own part."""
    QApplication.sendEvent(canvas, QKeyEvent(QEvent.Type.KeyPress, which, Qt.KeyboardModifier.NoModifier))


def click(tool, x: float, y: float, button=Qt.MouseButton.LeftButton) -> None:
    canvas = tool.canvas()
    point = canvas.getCoordinateTransform().transform(x, y)
    position = QPoint(round(point.x()), round(point.y()))
    for kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease):
        event = QgsMapMouseEvent(canvas, kind, position, button)
        (tool.canvasPressEvent if kind == QEvent.Type.MouseButtonPress else tool.canvasReleaseEvent)(event)


# -- 1. Enter confirms what the dock shows --------------------------------------------------

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


# -- 2. default confidence ------------------------------------------------------------------

def test_states_keyed_without_h_m_l_get_the_default_confidence(part, assessment):
    tool = part.activate("review")
    part.controller.select("S-0004")
    press(tool, key_of("severe"))
    assert at_after(assessment)["S-0004"][:2] == ("severe", "high")
    assert part.dock.current_label.text().endswith("keys record High confidence")
    press(tool, Qt.Key.Key_M)
    assert part.dock.current_label.text().endswith("keys record Medium confidence")
    assert at_after(assessment)["S-0004"][:2] == ("severe", "medium")


def test_default_confidence_is_a_sitewatch_setting(qgis_iface, qgis_new_project, assessment):
    settings = QgsSettings()
    settings.setValue("SiteWatch/default_confidence", "low")
    session = AssessmentSession(QgsProject.instance())
    try:
        annotation = AnnotationPart(PluginContext(qgis_iface, session, QToolBar(), QMenu()))
        assert annotation.controller.confidence == "low"
        annotation.unload()
        settings.setValue("SiteWatch/default_confidence", "sure")  # not a confidence code: high
        annotation = AnnotationPart(PluginContext(qgis_iface, session, QToolBar(), QMenu()))
        assert annotation.controller.confidence == "high"
        annotation.unload()
    finally:
        settings.remove("SiteWatch/default_confidence")
        session.unload()


def test_structure_drawn_on_the_before_image_is_intact_with_the_default_confidence(part, assessment):
    part.context.session.set_pair(BEFORE, None)  # no image layers and no after image: the before is shown
    tool = part.activate("polygon")
    part.type_combo.setCurrentIndex(part.type_combo.findData("bunker"))
    for x, y in ((500200, 3000020), (500220, 3000020), (500220, 3000040)):
        click(tool, x, y)
    click(tool, 500200, 3000040, Qt.MouseButton.RightButton)
    drawn = assessment.observations(["S-0006"])
    assert [(o.status, o.observed_on, o.confidence) for o in drawn] == [("intact", BEFORE.acquired, "high")]


# -- 3. undo archives "undone" ---------------------------------------------------------------

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


# -- 4. keys the review tool handles stay with it ---------------------------------------------

def test_arrow_keys_step_the_queue_without_panning_the_map(part):
    canvas = part.canvas
    canvas.setMapTool(part.tools["review"])
    type_key(canvas, Qt.Key.Key_Right)
    type_key(canvas, Qt.Key.Key_Right)
    assert part.controller.current == "S-0002"
    x, y = SQUARES["S-0002"]
    centre = canvas.extent().center()
    assert (centre.x(), centre.y()) == (pytest.approx(x + 10, abs=1e-6), pytest.approx(y + 10, abs=1e-6))
    type_key(canvas, Qt.Key.Key_Up)
    centre = canvas.extent().center()
    assert part.controller.current == "S-0001"
    assert (centre.x(), centre.y()) == (pytest.approx(500030, abs=1e-6), pytest.approx(3000030, abs=1e-6))


def test_delete_answered_no_does_not_reach_qgis(part, assessment, answers):
    canvas = part.canvas
    canvas.setMapTool(part.tools["review"])
    reached_qgis = []  # QGIS deletes the active layer's selection on keys the map tool passed on
    canvas.keyPressed.connect(lambda event: reached_qgis.append(event.key()))
    part.controller.select("S-0004")
    answers.confirm = False
    type_key(canvas, Qt.Key.Key_Delete)
    assert answers.asked == ["Delete S-0004? Its recorded states are kept in observation_history."]
    assert reached_qgis == []
    assert "S-0004" in part.controller.fids


def test_backspace_while_drawing_does_not_reach_qgis(part):
    canvas = part.canvas
    tool = part.activate("polygon")
    reached_qgis = []
    canvas.keyPressed.connect(lambda event: reached_qgis.append(event.key()))
    click(tool, 500200, 3000020)
    click(tool, 500220, 3000020)
    type_key(canvas, Qt.Key.Key_Backspace)  # removes the last corner, and nothing else
    assert len(tool.points) == 1
    assert reached_qgis == []


# -- 7, 10. the review queue dock ---------------------------------------------------------------

def test_queue_rows_show_type_compound_and_status_at_the_review_date(part):
    dock = part.dock
    rows = [dock.list.item(row).text() for row in range(dock.list.count())]
    assert rows == ["S-0001 · Warehouse · C-0001 · No visible damage",
                    "S-0002 · Warehouse · C-0001 · Under construction",
                    "S-0003 · Warehouse · C-0001 · Not observed",
                    "S-0004 · Bunker · no compound · Not observed",
                    "S-0005 · Bunker · no compound · Not observed"]
    tool = part.activate("review")
    part.controller.select("S-0003")
    press(tool, key_of("destroyed"))
    assert dock.list.item(2).text() == "S-0003 · Warehouse · C-0001 · Destroyed"
    dock.list.itemActivated.emit(dock.list.item(4))
    assert part.controller.current == "S-0005"
    assert [dock.compound.itemText(i) for i in range(dock.compound.count())] == ["Any", "C-0001 · Main yard"]
    dock.compound.setCurrentIndex(1)
    assert part.controller.queue.ids == ["S-0001", "S-0002", "S-0003"]


def test_ordering_by_change_score_without_scores_names_the_action(part, qgis_iface):
    part.dock.order.setCurrentIndex(part.dock.order.findData("score"))
    assert "run SiteWatch ▸ Pre-score changes, or sitewatch:changescore" in \
        messages(qgis_iface, Qgis.MessageLevel.Info)


# -- 11. compound names -----------------------------------------------------------------------

def draw_compound(part, left: float) -> None:
    tool = part.activate("polygon")
    part.type_combo.setCurrentIndex(part.type_combo.findData(COMPOUND))
    for x, y in ((left, 3000000), (left + 80, 3000000), (left + 80, 3000080)):
        click(tool, x, y)
    click(tool, left, 3000080, Qt.MouseButton.RightButton)


def test_a_drawn_compound_is_named_by_the_analyst(part, answers):
    answers.name = "  Depot  "
    draw_compound(part, 500280)
    answers.name = None  # cancelled: the outline is kept with the default name
    draw_compound(part, 500500)
    assert answers.asked == ["Name of compound C-0002: [Compound C-0002]", "Name of compound C-0003: [Compound C-0003]"]
    compounds = part.context.session.layer("compounds")
    names = {f["compound_id"]: f["name"] for f in compounds.getFeatures()}
    assert names == {"C-0001": "Main yard", "C-0002": "Depot", "C-0003": "Compound C-0003"}
    assert part.dock.compound.findText("C-0002 · Depot") > 0


# -- 5, 6, 8, 9. imagery and the toolbar --------------------------------------------------------

@pytest.fixture
def plugin(qgis_iface, qgis_new_project):
    yield from loaded_plugin(qgis_iface)


def imagery_of(plugin) -> ImageryPart:
    return next(part for part in plugin.parts if isinstance(part, ImageryPart))


def test_editing_a_date_that_reverses_the_pair_swaps_it(plugin, assessment, tmp_path, qgis_iface):
    for name in ("site_2019-09-01.tif", "site_2020-01-08.tif", "site_2020-06-30.tif"):
        register_image(assessment, str(write_raster(tmp_path / name)), source="Maxar")
    session = plugin.context.session
    session.open(str(assessment.path))
    assert (session.before.image_id, session.after.image_id) == ("IMG-0002", "IMG-0003")
    imagery_of(plugin).panel.table.item(1, 0).setText("2020-07-15")  # IMG-0002 is now the latest
    assert (session.before.image_id, session.after.image_id) == ("IMG-0003", "IMG-0002")
    assert (session.before.acquired, session.after.acquired) == ("2020-06-30", "2020-07-15")
    assert "IMG-0003 is now the earlier image" in messages(qgis_iface, Qgis.MessageLevel.Warning)


def test_side_by_side_opens_in_the_right_dock_area(plugin, assessment, tmp_path, qgis_iface):
    for name in ("site_2019-09-01.tif", "site_2020-01-08.tif"):
        register_image(assessment, str(write_raster(tmp_path / name)))
    plugin.context.session.open(str(assessment.path))
    part = imagery_of(plugin)
    part.set_mode(CompareMode.SWIPE)
    part.panel.side_by_side_toggled.emit(True)
    dock = part.comparison.side_by_side
    assert dock is not None
    assert qgis_iface.mainWindow().dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea
    part.panel.side_by_side_toggled.emit(False)


def test_first_images_of_a_new_assessment_bring_the_map_to_the_site(plugin, assessment, tmp_path, qgis_iface):
    session = plugin.context.session
    session.open(str(assessment.path))  # new assessment: no structures, no images
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(assessment.crs())
    canvas.setExtent(QgsRectangle(0, 0, 10, 10))  # far from the site
    imagery_of(plugin).add_paths([str(write_raster(tmp_path / "site_2019-09-01.tif"))])
    assert [r.acquired for r in list_images(assessment)] == ["2019-09-01"]
    assert canvas.extent().contains(QgsRectangle(*SITE))
    shown = canvas.extent()  # the image fills the map along one side
    assert min(shown.width() / (SITE[2] - SITE[0]), shown.height() / (SITE[3] - SITE[1])) == pytest.approx(1)


def test_toolbar_tooltips_have_no_parentheses(plugin):
    tips = {action.text(): action.toolTip() for action in plugin.context.toolbar.actions() if action.toolTip()}
    assert tips
    assert {text: tip for text, tip in tips.items() if "(" in tip or ")" in tip} == {}
