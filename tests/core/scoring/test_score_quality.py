"""The change score's quality goals on the full-size sample sites (scored blind, truth read after).

Goals of the change scoring issue: F1 ≥ 0.8 for "moderate or worse" and at least 90 % of
the damaged structures within the top 20 % of the ranking, on the desert site and on the green
one whose after image is in another CRS and resolution. Generating the two 4000 × 4000 sites
takes most of this module's time (about 20 s each).
"""

from __future__ import annotations

import pytest

from sitewatch.sample.generate_site import generate_site
from sitewatch.sample.score_quality import evaluate, score_site


@pytest.fixture(scope="module", params=["desert", "green"])
def scored_site(request, qgis_app, tmp_path_factory):
    files = generate_site(tmp_path_factory.mktemp(request.param), request.param, 4000)
    run, ids, truth = score_site(files)
    return request.param, run, evaluate(run, ids, truth)


def test_damage_is_found_with_f1_of_at_least_0_8(scored_site):
    variant, run, quality = scored_site
    assert quality.unknown == 0
    assert quality.f1 >= 0.8, (variant, quality)
    assert run.warped == (variant == "green")


def test_nine_in_ten_damaged_structures_are_in_the_top_fifth_of_the_ranking(scored_site):
    variant, _, quality = scored_site
    assert quality.top_ceiling == 1.0  # the site is not so damaged that the goal is out of reach
    assert quality.top_recall >= 0.9, (variant, quality)


def test_the_suggested_class_of_damaged_structures_is_mostly_right(scored_site):
    variant, _, quality = scored_site
    assert quality.exact_class >= 0.85 * quality.positives, (variant, quality)
