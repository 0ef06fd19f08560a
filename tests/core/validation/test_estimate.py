"""The stratified estimator against the published worked example of Olofsson et al. (2014)."""

from __future__ import annotations

import numpy as np
import pytest

from sitewatch.core.errors import SiteWatchError
from sitewatch.core.validation.estimate import stratified_estimate

# Olofsson, Foody, Herold, Stehman, Woodcock, Wulder (2014), Remote Sensing of Environment 148,
# section 5, Table 8 (sample counts, rows = map) and the mapped areas in 30 m pixels (0.09 ha).
OLOFSSON_COUNTS = np.array([[66, 0, 5, 4], [0, 55, 8, 12], [1, 0, 153, 11], [2, 1, 9, 313]])
OLOFSSON_PIXELS = [200_000, 150_000, 3_200_000, 6_450_000]
CLASSES = ("deforestation", "gain", "forest", "non_forest")


def test_olofsson_2014_published_areas_and_intervals():
    result = stratified_estimate(OLOFSSON_COUNTS, OLOFSSON_PIXELS, CLASSES, finite=False)
    published = {  # ha, ± 95 % CI half-width (ha), as printed in the paper
        "deforestation": (21_158, 6_158),
        "gain": (11_686, 3_756),
        "forest": (285_770, 15_510),
        "non_forest": (581_386, 16_282),
    }
    for code, (area, half_width) in published.items():
        estimate = result.of(code)
        assert estimate.estimate * 0.09 == pytest.approx(area, abs=1)
        assert (estimate.high - estimate.estimate) * 0.09 == pytest.approx(half_width, abs=1)


def test_olofsson_2014_published_accuracies():
    result = stratified_estimate(OLOFSSON_COUNTS, OLOFSSON_PIXELS, CLASSES, finite=False)
    users = {"deforestation": 0.88, "gain": 0.73, "forest": 0.93, "non_forest": 0.96}
    producers = {"deforestation": 0.75, "gain": 0.85, "forest": 0.93, "non_forest": 0.96}
    for code in CLASSES:
        assert round(result.of(code).users_accuracy, 2) == users[code]
        assert round(result.of(code).producers_accuracy, 2) == producers[code]
    assert round(result.overall_accuracy, 2) == 0.95
    assert round(result.overall_accuracy - result.overall_low, 2) == 0.02


def test_a_small_site_by_hand():
    # 10 destroyed on the map, 4 sampled, 3 confirmed; 20 intact, 4 sampled, 1 found destroyed.
    matrix = np.array([[3, 1], [1, 3]])
    result = stratified_estimate(matrix, [10, 20], ("destroyed", "intact"))
    destroyed = result.of("destroyed")
    # p = 1/3·3/4 + 2/3·1/4 = 5/12 → 12.5 structures
    assert destroyed.estimate == pytest.approx(12.5)
    # S² = (1/3)²(1−4/10)(3/4·1/4)/3 + (2/3)²(1−4/20)(1/4·3/4)/3
    variance = (1 / 9) * 0.6 * (3 / 16) / 3 + (4 / 9) * 0.8 * (3 / 16) / 3
    assert destroyed.standard_error == pytest.approx(30 * variance**0.5)
    assert destroyed.sentence("destroyed").startswith("12 destroyed (95 % CI ")  # 12.5 shown as 12 (banker's)


def test_a_stratum_reviewed_in_full_has_no_uncertainty():
    result = stratified_estimate(np.array([[2, 0], [0, 5]]), [2, 5], ("destroyed", "intact"))
    assert result.of("destroyed").estimate == 2
    assert (result.of("destroyed").low, result.of("destroyed").high) == (2, 2)
    assert result.of("destroyed").sentence() == "2 destroyed (95 % CI 2–2)"


def test_a_stratum_with_members_and_no_validated_structure_is_refused():
    with pytest.raises(SiteWatchError, match="No validated structure in the stratum intact"):
        stratified_estimate(np.array([[2, 0], [0, 0]]), [5, 5], ("destroyed", "intact"))


def test_an_empty_stratum_is_ignored_and_one_validated_structure_gives_no_interval():
    result = stratified_estimate(np.zeros((2, 2)) + np.array([[1, 0], [0, 0]]), [4, 0], ("destroyed", "intact"))
    assert result.of("destroyed").estimate == 4
    assert result.of("destroyed").low is None
    assert result.of("destroyed").sentence() == "4 destroyed (95 % CI not available)"
