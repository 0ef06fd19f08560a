"""Fixtures of the validate-mode tests: the annotation part on five structures whose first
review at the after date is recorded by analyst "ana", with change scores for the pair and a
validation sample of four of them."""

from __future__ import annotations

import pytest
from qgis.core import QgsProject
from qgis.PyQt.QtWidgets import QMenu, QToolBar

from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.records import ChangeScoreRow
from sitewatch.core.validation.accuracy import draw_validation_sample
from sitewatch.tests.helpers.review_site import AFTER, BEFORE, add_five_structures, close, show_on_canvas, square
from sitewatch.ui.annotation.part import AnnotationPart
from sitewatch.ui.assessment.session import AssessmentSession
from sitewatch.ui.context import PluginContext

FIRST_REVIEW = {
    "S-0001": "destroyed",
    "S-0002": "severe",
    "S-0003": "intact",
    "S-0004": "destroyed",
    "S-0005": "intact",
}


def _review_and_sample(store) -> tuple[str, list[str]]:
    add_five_structures(store, {"compound_id": "C-0001", "name": "Main yard", "geometry": square(500000, 3000000, 100)})
    store.record_observations(
        Observation(sid, AFTER.acquired, status, AFTER.image_id, "high", "ana") for sid, status in FIRST_REVIEW.items()
    )
    store.save_change_scores(
        BEFORE.image_id,
        AFTER.image_id,
        [ChangeScoreRow(sid, 0.9, 0.7, n, "moderate") for n, sid in enumerate(sorted(FIRST_REVIEW), start=1)],
    )
    sample_id, rows = draw_validation_sample(store, AFTER.acquired, margin=0.5, seed=7, size=4)
    return sample_id, [row.structure_id for row in sorted(rows, key=lambda r: r.position)]


@pytest.fixture
def sample(assessment):
    """The site's first review and change scores, and the sample (id, structure ids in review order)."""
    return _review_and_sample(assessment)


@pytest.fixture
def part(qgis_iface, qgis_new_project, assessment, sample):
    session = AssessmentSession(QgsProject.instance())
    context = PluginContext(qgis_iface, session, QToolBar(), QMenu())
    annotation = AnnotationPart(context, confirm=lambda _q: True, ask_name=lambda _q, d: d)
    show_on_canvas(qgis_iface, session, assessment, ("structures", "compounds"), (500000, 3000000, 500400, 3000100))
    yield annotation
    annotation.unload()
    close(session)


@pytest.fixture
def shared_part(qgis_iface, qgis_new_project, pg_assessment):
    """The annotation part on the same site in a PostGIS assessment, with its sample, and a
    second validator's own connection: (part, sample id, the other validator's store)."""
    from sitewatch.core.assessment.postgis import PostgisStore

    sample_id, _order = _review_and_sample(pg_assessment)
    session = AssessmentSession(QgsProject.instance())
    context = PluginContext(qgis_iface, session, QToolBar(), QMenu())
    annotation = AnnotationPart(context, confirm=lambda _q: True, ask_name=lambda _q, d: d)
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(pg_assessment.crs())
    session.open(pg_assessment.location)
    session.set_pair(BEFORE, AFTER)
    other = PostgisStore.open(pg_assessment.location)
    yield annotation, sample_id, other
    other.close()
    annotation.unload()
    close(session)
