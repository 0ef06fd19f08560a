"""The Score changes action runs as a task and stores the scores for the pair."""

from __future__ import annotations

import numpy as np

from sitewatch.tests.helpers.sample_site import truth_at_after_date


def test_prescore_action_runs_as_a_task_and_stores_scores_for_the_pair(sitewatch_provider, sample_site, qgis_iface):
    import time

    from qgis.core import QgsProject
    from qgis.PyQt.QtCore import QCoreApplication
    from qgis.PyQt.QtWidgets import QMenu, QToolBar

    from sitewatch.core.imagery.registry import list_images
    from sitewatch.ui.assessment.session import AssessmentSession
    from sitewatch.ui.context import PluginContext
    from sitewatch.ui.scoring.change_score_action import ChangeScoreAction

    session = AssessmentSession(QgsProject.instance())
    toolbar, menu = QToolBar(), QMenu()
    part = ChangeScoreAction(PluginContext(qgis_iface, session, toolbar, menu))
    try:
        assert not part.action.isEnabled()
        assert "Score changes" in part.action.toolTip()
        store = session.open(str(sample_site.assessment_gpkg))
        before, after = list_images(store)
        session.set_pair(before, after)
        assert part.action.isEnabled()
        part.action.trigger()
        assert not part.action.isEnabled()  # one run at a time
        deadline = time.monotonic() + 120
        while part.task is not None and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.02)
        assert part.task is None and part.action.isEnabled()
        scores = store.change_scores(before.image_id, after.image_id)
        truth = truth_at_after_date(sample_site)
        assert set(scores) == set(truth)
        assert sorted(s.rank for s in scores.values() if s.rank is not None) == list(
            range(1, 1 + sum(s.rank is not None for s in scores.values()))
        )
        destroyed = [scores[sid].rank for sid, status in truth.items() if status == "destroyed"]
        intact = [scores[sid].rank for sid, status in truth.items() if status == "intact"]
        assert np.median(destroyed) < np.median(intact)
        assert store.change_scores(after.image_id, before.image_id) == {}
        part.action.trigger()  # a second run replaces the pair's rows
        while part.task is not None and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.02)
        assert store.change_scores(before.image_id, after.image_id) == scores
    finally:
        part.unload()
        session.close()
        session.unload()
    assert part.action not in toolbar.actions()
