"""Issue 14, item 3: walls relit by a new sun (shadows that moved along an intact wall) are
found from the pair itself and discounted, not taken for damage (:mod:`core.scoring.shadows`)."""

from __future__ import annotations

import numpy as np

from sitewatch.core.scoring.change_grading import FootprintScore
from sitewatch.core.scoring.explanation import explain
from sitewatch.core.scoring.shadows import (
    CLASSES,
    DISCOUNT,
    ShadowSums,
    discount,
    edge_classes,
    estimate_shadow,
)

W, NW, SW = 7, 8, 6


def test_cells_are_classed_by_the_edge_they_lie_along():
    labels = np.zeros((64, 64), dtype=np.uint16)
    labels[16:48, 16:48] = 1  # cells 4..11 of a 4-pixel grid
    rows, cols = np.meshgrid(np.arange(4, 12), np.arange(4, 12), indexing="ij")
    rows, cols = rows.ravel(), cols.ravel()
    classes = edge_classes(labels, rows, cols, np.ones(rows.size, dtype=np.intp)).reshape(8, 8)
    assert classes[4, 0] == W and classes[4, 7] == 3  # west and east edges
    assert classes[0, 4] == 1 and classes[7, 4] == 5  # north and south edges
    assert classes[0, 0] == NW and classes[7, 0] == SW
    assert (classes[2:6, 2:6] == 0).all()  # away from every edge


def _site(count: int, relit: int, hit: int) -> tuple[ShadowSums, np.ndarray]:
    """``count`` roofs of mean magnitude 1 with cells in every class; ``relit`` of them with a
    hot west wall (7 thresholds above the mean), ``hit`` with a hot inside (an impact hole, 12)."""
    sums = ShadowSums(count)
    sums.cells[:, 1:] = 4.0
    sums.magnitude[:, 1:] = 4.0
    sums.peak[:, 1:] = 1.5
    sums.peak[W, 1 : relit + 1] = 8.0
    sums.peak[0, count - hit + 1 :] = 13.0
    sums.pattern_peak[W, 1 : relit + 1] = 12.0
    return sums, np.ones(count)


def test_a_wall_relit_on_many_roofs_is_found_and_discounted_and_a_hole_still_counts():
    sums, mean = _site(100, relit=12, hit=5)
    known = np.ones(100, dtype=bool)
    estimate = estimate_shadow(sums, known, mean, 1.0)
    assert estimate.relit == (W,)
    assert set(estimate.discounted) == {SW, W, NW}
    assert estimate.turn is not None and estimate.turn >= 45
    assert "walls facing W" in estimate.describe()
    peak = sums.peak[:, 1:].max(axis=0)
    walls = discount(
        sums, estimate, mean, 1.0, peak, sums.pattern[:, 1:].sum(axis=0), sums.pattern_peak[:, 1:].max(axis=0)
    )
    # a relit wall: its spot (7 thresholds) and pattern spot count at DISCOUNT, below the moderate cut of 5
    assert walls.peak[0] - 1.0 == DISCOUNT * 7.0 and walls.share[0] == 1.0
    assert walls.pattern_peak[0] == DISCOUNT * 12.0
    # an impact hole inside a roof keeps its whole spot (12 thresholds)
    assert walls.peak[-1] - 1.0 == 12.0
    # the structure's explanation names the correction
    score = FootprintScore(0.2, 0.3, 5, "intact", 0.1, 1.0, 1.0, shadow_band=1.0)
    assert "walls facing W (12% of the roofs) relit by a new sun" in explain(score, None, estimate)


def test_a_site_hit_hard_or_under_the_same_sun_discounts_nothing():
    known = np.ones(100, dtype=bool)
    for relit, hit in ((0, 50), (3, 0)):
        sums, mean = _site(100, relit=relit, hit=hit)
        assert estimate_shadow(sums, known, mean, 1.0).discounted == ()
    # hot walls on roofs hot inside too (a site hit hard): damage, not a new sun
    sums, mean = _site(100, relit=0, hit=60)
    sums.peak[1:CLASSES, 41:] = 9.0
    assert estimate_shadow(sums, known, mean, 1.0).relit == ()
