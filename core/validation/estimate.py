"""Totals corrected by the confusion matrix, with 95 % confidence intervals.

The stratified estimator of Olofsson et al. (2014), "Good practices for estimating area and
assessing accuracy of land change", Remote Sensing of Environment 148: 42–57 (eqs. 2–5, 9–11),
with structures instead of pixels: stratum ``i`` is the class the first review gave, ``N_i``
its number of structures (``W_i = N_i / N``), ``n_ij`` the validated structures of stratum
``i`` the validation put in class ``j``.

- proportion of class j: ``p_.j = Σ_i W_i n_ij / n_i.``; estimated count ``N · p_.j``;
- its standard error ``S(p_.j) = sqrt(Σ_i W_i² (n_ij/n_i.)(1 − n_ij/n_i.) / (n_i. − 1))``,
  times ``(1 − n_i./N_i)`` inside the sum when ``finite`` (a small site is sampled without
  replacement: a stratum reviewed in full adds no uncertainty);
- 95 % interval ``N · (p_.j ± 1.96 S)``, clipped to [0, N];
- user's accuracy ``U_i = n_ii / n_i.``, overall accuracy ``O = Σ_j W_j U_j`` and its
  standard error ``sqrt(Σ_i W_i² U_i (1 − U_i) / (n_i. − 1))``; producer's accuracy
  ``P_j = W_j U_j / p_.j``.

A stratum with members and no validated structure makes the estimate impossible (it would
silently trust the first review there); a stratum with one validated structure out of several
has no variance estimate, so intervals are then None.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import SiteWatchError

Z95 = 1.959963984540054
"""The two-sided 95 % normal quantile."""


@dataclass(frozen=True)
class ClassEstimate:
    """The corrected total of one class."""

    code: str
    mapped: int
    """How many structures the first review put in the class (N_i)."""
    estimate: float
    low: float | None
    high: float | None
    standard_error: float | None
    """Of the count (N · S(p_.j))."""
    users_accuracy: float | None
    producers_accuracy: float | None

    def sentence(self, label: str | None = None) -> str:
        """E.g. "13 destroyed (95 % CI 10–17)"."""
        name = label or self.code
        text = f"{self.estimate:.0f} {name}"
        interval = self.interval_text()
        return f"{text} (95 % CI {interval or 'not available'})"

    def interval_text(self) -> str | None:
        """E.g. "10–17": the 95 % interval widened to whole structures; None when unknown."""
        if self.low is None or self.high is None:
            return None
        return f"{math.floor(self.low + 1e-9):.0f}–{math.ceil(self.high - 1e-9):.0f}"


@dataclass(frozen=True)
class StratifiedEstimate:
    classes: tuple[ClassEstimate, ...]
    overall_accuracy: float
    overall_low: float | None
    overall_high: float | None
    total: int

    def of(self, code: str) -> ClassEstimate:
        for estimate in self.classes:
            if estimate.code == code:
                return estimate
        raise KeyError(code)


def stratified_estimate(
    matrix: NDArray[Any],
    mapped: Sequence[int],
    classes: Sequence[str],
    finite: bool = True,
    z: float = Z95,
) -> StratifiedEstimate:
    """The corrected totals of ``classes`` from the sample counts ``matrix`` (rows = strata =
    first review, columns = validation) and the stratum sizes ``mapped``."""
    counts = np.asarray(matrix, dtype=np.float64)
    sizes = np.asarray(mapped, dtype=np.float64)
    if counts.shape != (len(classes), len(classes)) or sizes.shape != (len(classes),):
        raise SiteWatchError("The confusion matrix and the stratum sizes must cover the same classes.")
    total = float(sizes.sum())
    if total <= 0:
        raise SiteWatchError("No structure is in any stratum: there is nothing to estimate.")
    sampled = counts.sum(axis=1)
    empty = [classes[i] for i in range(len(classes)) if sizes[i] > 0 and sampled[i] == 0]
    if empty:
        raise SiteWatchError(
            f"No validated structure in the stratum {', '.join(empty)}: review at least two structures "
            "of every stratum (draw the sample with sitewatch:validationsample) before estimating totals."
        )
    weights = sizes / total
    safe = np.where(sampled > 0, sampled, 1.0)
    share = counts / safe[:, None]  # n_ij / n_i.
    proportion = (weights[:, None] * share).sum(axis=0)
    correction = np.where(sizes > 0, 1.0 - sampled / np.where(sizes > 0, sizes, 1.0), 0.0) if finite else 1.0
    correction = np.clip(correction, 0.0, 1.0)
    census = sampled >= sizes
    variance_known = bool(np.all((sampled >= 2) | (sizes == 0) | (finite & census)))
    denominator = np.where(sampled > 1, sampled - 1.0, 1.0)
    terms = (weights**2 * correction)[:, None] * share * (1.0 - share) / denominator[:, None]
    terms[sizes == 0] = 0.0
    if finite:
        terms[census] = 0.0
    errors = np.sqrt(terms.sum(axis=0))
    users = np.diag(share)
    result = []
    for j, code in enumerate(classes):
        estimate = total * proportion[j]
        error = total * errors[j] if variance_known else None
        result.append(
            ClassEstimate(
                code,
                int(sizes[j]),
                float(estimate),
                None if error is None else float(max(0.0, estimate - z * error)),
                None if error is None else float(min(total, estimate + z * error)),
                None if error is None else float(error),
                float(users[j]) if sampled[j] else None,
                float(weights[j] * users[j] / proportion[j]) if proportion[j] > 0 else None,
            )
        )
    overall = float((weights * users).sum())
    overall_terms = np.where(sizes > 0, weights**2 * correction * users * (1.0 - users) / denominator, 0.0)
    overall_error = math.sqrt(float(overall_terms.sum())) if variance_known else None
    return StratifiedEstimate(
        tuple(result),
        overall,
        None if overall_error is None else max(0.0, overall - z * overall_error),
        None if overall_error is None else min(1.0, overall + z * overall_error),
        int(total),
    )
