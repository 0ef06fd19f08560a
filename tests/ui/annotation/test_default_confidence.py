"""The default confidence: a SiteWatch setting, given to states keyed without H / M / L and to drawn structures."""

from __future__ import annotations

from qgis.core import QgsProject, QgsSettings
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QMenu, QToolBar

from sitewatch.tests.helpers.review_site import BEFORE, at_after, click, key_of, press
from sitewatch.ui.annotation.part import AnnotationPart
from sitewatch.ui.assessment.session import AssessmentSession
from sitewatch.ui.context import PluginContext


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
