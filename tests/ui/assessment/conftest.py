"""Fixtures of the team-mode interface tests: the whole plugin on a PostGIS assessment of the
throw-away cluster, and a second analyst working on the same assessment from their own session."""

from __future__ import annotations

import pytest
from qgis.core import QgsRectangle

from sitewatch.core.assessment.postgis import PostgisStore
from sitewatch.tests.helpers.plugin import part_of
from sitewatch.tests.helpers.review_site import AFTER, BEFORE, add_five_structures, square
from sitewatch.ui.annotation.part import AnnotationPart


class KeepAnswers:
    """The analyst's answer to "keep mine or keep theirs?" (True: mine), and the questions asked."""

    def __init__(self):
        self.keep_mine = False
        self.asked: list[str] = []

    def ask(self, question: str) -> bool:
        self.asked.append(question)
        return self.keep_mine


@pytest.fixture
def keep_answers():
    return KeepAnswers()


@pytest.fixture
def team_plugin(plugin, pg_assessment, qgis_iface, keep_answers):
    """The whole plugin with the PostGIS assessment open (five structures, compound C-0001),
    BEFORE / AFTER chosen; the keep mine / keep theirs question answered by ``keep_answers``."""
    add_five_structures(
        pg_assessment, {"compound_id": "C-0001", "name": "Main yard", "geometry": square(500000, 3000000, 100)}
    )
    part_of(plugin, AnnotationPart).controller.keep_mine = keep_answers.ask
    session = plugin.context.session
    session.open(pg_assessment.location)
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(pg_assessment.crs())
    canvas.setLayers([session.layer("structures"), session.layer("compounds")])
    canvas.setExtent(QgsRectangle(500000, 3000000, 500400, 3000100))
    session.set_pair(BEFORE, AFTER)
    qgis_iface.messageBar().clear_messages()
    yield plugin
    session.close()


@pytest.fixture
def bea(pg_assessment):
    """A second analyst's session on the same assessment: their own connection to the database."""
    store = PostgisStore.open(pg_assessment.location)
    yield store
    store.close()
