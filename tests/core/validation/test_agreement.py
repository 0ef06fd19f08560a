"""κ, weighted κ, precision and recall on published and hand-computed matrices."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from sitewatch.core.errors import SiteWatchError
from sitewatch.core.validation.agreement import (
    agreement_of,
    confusion_matrix,
    kappa,
    linear_weighted_kappa,
    overall_agreement,
)


def test_cohen_1960_table_1():
    # Cohen (1960), "A coefficient of agreement for nominal scales", Educ. Psychol. Meas. 20:37–46,
    # Table 1: proportions .44 .07 .09 / .05 .20 .05 / .01 .03 .06 of N = 200; p_o = .70,
    # p_c = .41, κ = .492 as printed.
    matrix = np.array([[88, 14, 18], [10, 40, 10], [2, 6, 12]])
    assert overall_agreement(matrix) == pytest.approx(0.70)
    assert round(kappa(matrix), 3) == 0.492


def test_fleiss_cohen_everitt_1969():
    # Fleiss, Cohen and Everitt (1969), Psychol. Bull. 72:323–327, the 3×3 table of 200
    # diagnoses (106 10 4 / 22 28 10 / 2 12 6): κ = .429 as printed.
    assert round(kappa(np.array([[106, 10, 4], [22, 28, 10], [2, 12, 6]])), 3) == 0.429


def test_agresti_sexual_fun_linear_weights():
    # Agresti (1990), Categorical Data Analysis, the 4×4 husband/wife table (R vcd: SexualFun):
    # κ = 0.1293, equal-spacing (linear) weighted κ = 0.2374 as vcd::Kappa reports.
    matrix = np.array([[7, 7, 2, 3], [2, 8, 3, 7], [1, 5, 4, 9], [2, 8, 9, 14]])
    assert round(kappa(matrix), 4) == 0.1293
    assert round(linear_weighted_kappa(matrix), 4) == 0.2374


def _weighted_kappa_by_disagreement(matrix: list[list[int]]) -> Fraction:
    """κ_w = 1 − Σ v_ij o_ij / Σ v_ij e_ij with disagreement weights v = |i − j| (Cohen 1968,
    eq. 6), in exact fractions: another route to the same number."""
    size = len(matrix)
    total = sum(sum(row) for row in matrix)
    rows = [sum(row) for row in matrix]
    columns = [sum(matrix[i][j] for i in range(size)) for j in range(size)]
    observed = sum(abs(i - j) * Fraction(matrix[i][j], total) for i in range(size) for j in range(size))
    expected = sum(abs(i - j) * Fraction(rows[i] * columns[j], total * total) for i in range(size) for j in range(size))
    return 1 - observed / expected


def test_a_five_class_damage_scale_by_hand():
    # intact, possible, moderate, severe, destroyed: first review in rows, validation in columns
    matrix = [[20, 3, 1, 0, 0], [4, 6, 2, 0, 0], [0, 2, 5, 2, 1], [0, 0, 1, 6, 3], [0, 0, 0, 2, 12]]
    # unweighted by hand: p_o = 49/70; p_e = Σ r_i c_i / 70² = (24·24 + 12·11 + 10·9 + 10·10 + 14·16)/4900
    p_o = Fraction(49, 70)
    p_e = Fraction(24 * 24 + 12 * 11 + 10 * 9 + 10 * 10 + 14 * 16, 4900)
    assert kappa(np.array(matrix)) == pytest.approx(float((p_o - p_e) / (1 - p_e)))
    assert linear_weighted_kappa(np.array(matrix)) == pytest.approx(float(_weighted_kappa_by_disagreement(matrix)))


def test_precision_recall_and_the_weighted_kappa_on_the_damage_scale_only():
    pairs = [("destroyed", "destroyed")] * 3 + [("destroyed", "severe"), ("construction", "construction")]
    pairs += [("severe", "destroyed"), ("intact", "intact"), ("intact", "intact")]
    classes = ("construction", "intact", "possible", "moderate", "severe", "destroyed")
    result = agreement_of(pairs, classes, ordinal=classes[1:])
    assert result.pairs == 8
    assert result.agreement == pytest.approx(6 / 8)
    assert result.precision["destroyed"] == pytest.approx(3 / 4)
    assert result.recall["destroyed"] == pytest.approx(3 / 4)
    assert result.precision["severe"] == 0 and result.recall["severe"] == 0
    assert result.precision["possible"] is None and result.recall["possible"] is None
    sub = result.matrix[1:, 1:]
    assert result.weighted_kappa == pytest.approx(linear_weighted_kappa(sub))


def test_no_pair_gives_no_number_and_perfect_agreement_on_one_class_is_undefined():
    empty = agreement_of([], ("intact", "destroyed"))
    assert (empty.agreement, empty.kappa, empty.weighted_kappa) == (None, None, None)
    one_class = agreement_of([("intact", "intact")] * 3, ("intact", "destroyed"))
    assert one_class.agreement == 1.0 and one_class.kappa is None


def test_a_status_outside_the_classes_is_named():
    with pytest.raises(SiteWatchError, match="'unknown' cannot be compared"):
        confusion_matrix([("intact", "unknown")], ("intact", "destroyed"))
