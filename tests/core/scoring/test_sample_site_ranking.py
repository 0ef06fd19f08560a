"""On the generated sample site, destroyed structures rank above intact ones."""

from __future__ import annotations

import numpy as np
from osgeo import ogr

from sitewatch.core.scoring.change_score import score_changes
from sitewatch.tests.helpers.sample_site import truth_at_after_date


def test_destroyed_structures_of_the_sample_site_rank_above_intact_ones(sample_site):
    dataset = ogr.Open(str(sample_site.assessment_gpkg))
    layer = dataset.GetLayerByName("structures")
    ids, shapes = [], []
    for feature in layer:
        ids.append(feature["structure_id"])
        shapes.append(bytes(feature.GetGeometryRef().ExportToWkb()))
    run = score_changes(
        str(sample_site.before_tif), str(sample_site.after_tif), shapes, layer.GetSpatialRef().ExportToWkt()
    )
    truth = truth_at_after_date(sample_site)
    ranks = {sid: scored.rank for sid, scored in zip(ids, run.scores)}
    destroyed = [ranks[sid] for sid in ids if truth[sid] == "destroyed"]
    intact = [ranks[sid] for sid in ids if truth[sid] == "intact"]
    assert destroyed and intact
    assert np.median(destroyed) < np.percentile(intact, 10)
    suggested = {sid: scored.suggested for sid, scored in zip(ids, run.scores)}
    assert sum(
        suggested[sid] in ("moderate", "severe", "destroyed") for sid in ids if truth[sid] == "destroyed"
    ) >= 0.8 * len(destroyed)
