"""Fixtures of the annotation tests: the analyst's answers and the annotation part on five structures."""

from __future__ import annotations

import pytest
from qgis.core import QgsProject
from qgis.PyQt.QtWidgets import QMenu, QToolBar

from sitewatch.tests.helpers.review_site import add_five_structures, close, show_on_canvas, square
from sitewatch.ui.annotation.part import AnnotationPart
from sitewatch.ui.assessment.session import AssessmentSession
from sitewatch.ui.context import PluginContext


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
    none; S-0001 intact and S-0002 under construction on the before image; before / after
    images chosen. Questions are answered by ``answers`` (yes, unless a test says otherwise)."""
    add_five_structures(
        assessment, {"compound_id": "C-0001", "name": "Main yard", "geometry": square(500000, 3000000, 100)}
    )
    session = AssessmentSession(QgsProject.instance())
    context = PluginContext(qgis_iface, session, QToolBar(), QMenu())
    annotation = AnnotationPart(context, confirm=answers.ask_confirm, ask_name=answers.ask_name)
    show_on_canvas(qgis_iface, session, assessment, ("structures", "compounds"), (500000, 3000000, 500400, 3000100))
    yield annotation
    annotation.unload()
    close(session)
