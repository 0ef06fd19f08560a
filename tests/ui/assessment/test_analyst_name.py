"""The analyst's name: asked once when an assessment is first opened, kept in QGIS's settings,
editable, and recorded with the states the analyst records."""

from __future__ import annotations

import pytest
from osgeo import ogr
from qgis.core import Qgis, QgsSettings

from sitewatch.tests.helpers.plugin import part_of
from sitewatch.tests.helpers.review_site import AFTER, BEFORE, add_five_structures, key_of, messages, press, square
from sitewatch.ui import settings
from sitewatch.ui.annotation.part import AnnotationPart
from sitewatch.ui.assessment.actions import AssessmentActions

KEY = settings.PREFIX + "analyst"


@pytest.fixture
def no_name_yet():
    """QGIS's settings without an analyst name (the one there before is put back afterwards)."""
    kept = QgsSettings().value(KEY, None)
    QgsSettings().remove(KEY)
    yield
    if kept is None:
        QgsSettings().remove(KEY)
    else:
        QgsSettings().setValue(KEY, kept)


def _analysts_in_file(path: str) -> set[str]:
    source = ogr.Open(path)
    layer = source.GetLayerByName("observations")
    layer.SetAttributeFilter(f"observed_on = '{AFTER.acquired}'")
    return {feature.GetField("analyst") for feature in layer}


def test_name_asked_once_kept_and_recorded(plugin, qgis_iface, assessment, no_name_yet):
    add_five_structures(assessment, {"compound_id": "C-0001", "name": "Yard", "geometry": square(500000, 3000000, 100)})
    actions = part_of(plugin, AssessmentActions)
    questions = []

    def answer(title: str, question: str, default: str) -> str | None:
        questions.append((question, default))
        return "  Z. Analyst "

    actions.ask_text = answer
    actions.open_path(str(assessment.path))
    assert len(questions) == 1 and "name or initials" in questions[0][0] and questions[0][1] == ""
    assert QgsSettings().value(KEY) == "Z. Analyst"
    plugin.context.session.close()
    actions.open_path(str(assessment.path))
    assert len(questions) == 1, "asked once: the name is kept in QGIS's settings"

    annotation = part_of(plugin, AnnotationPart)
    plugin.context.session.set_pair(BEFORE, AFTER)
    review = annotation.activate("review")
    annotation.controller.select("S-0003")
    press(review, key_of("destroyed"))
    assert _analysts_in_file(str(assessment.path)) == {"Z. Analyst"}

    # Editable: the menu's Analyst name… offers the current name and records the new one.
    actions.ask_text = lambda title, question, default: questions.append((question, default)) or "ZA"
    actions.analyst_action.trigger()
    assert questions[-1][1] == "Z. Analyst" and settings.analyst_name() == "ZA"
    annotation.controller.select("S-0004")
    press(review, key_of("severe"))
    assert _analysts_in_file(str(assessment.path)) == {"Z. Analyst", "ZA"}


def test_cancelled_name_says_what_is_recorded_and_is_not_asked_again(plugin, qgis_iface, assessment, no_name_yet):
    actions = part_of(plugin, AssessmentActions)
    asked = []
    actions.ask_text = lambda title, question, default: asked.append(question)
    actions.open_path(str(assessment.path))
    warning = messages(qgis_iface, Qgis.MessageLevel.Warning)
    assert "No analyst name given" in warning and "Analyst name…" in warning
    plugin.context.session.close()
    actions.open_path(str(assessment.path))
    assert len(asked) == 1
    assert not settings.has_analyst_name()
