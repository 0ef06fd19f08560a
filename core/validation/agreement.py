"""Agreement between two reviews of the same structures: the confusion matrix, per-class
precision and recall, overall agreement, Cohen's κ and linearly weighted κ.

Rows are the first review (the map, as remote-sensing accuracy assessment calls it), columns
the validation review (the reference). Precision of a class is the share of the structures the
first review gave that class which the validation confirmed (user's accuracy); recall is the
share of the structures the validation gave that class which the first review had found
(producer's accuracy).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import SiteWatchError


def confusion_matrix(pairs: Iterable[tuple[str, str]], classes: Sequence[str]) -> NDArray[np.int64]:
    """Counts of (first, validation) pairs, rows = first review, columns = validation, in the
    order of ``classes``; a pair naming another class is a SiteWatchError."""
    index = {code: n for n, code in enumerate(classes)}
    matrix = np.zeros((len(classes), len(classes)), dtype=np.int64)
    for first, second in pairs:
        for code in (first, second):
            if code not in index:
                raise SiteWatchError(f"The status '{code}' cannot be compared; use one of {', '.join(classes)}.")
        matrix[index[first], index[second]] += 1
    return matrix


def _square(matrix: NDArray[Any]) -> NDArray[np.float64]:
    counts = np.asarray(matrix, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise SiteWatchError("A confusion matrix must be square (the same classes in rows and columns).")
    return counts


def overall_agreement(matrix: NDArray[Any]) -> float | None:
    """The share of structures both reviews put in the same class; None with no pair."""
    counts = _square(matrix)
    total = counts.sum()
    return None if total == 0 else float(np.trace(counts) / total)


def weighted_kappa(matrix: NDArray[Any], weights: NDArray[np.float64]) -> float | None:
    """Cohen's (1968) weighted κ with agreement ``weights`` (1 on the diagonal): the share of
    weighted agreement beyond chance. None when undefined (no pair, or chance agreement 1)."""
    counts = _square(matrix)
    total = counts.sum()
    if total == 0:
        return None
    p = counts / total
    expected = np.outer(p.sum(axis=1), p.sum(axis=0))
    observed_agreement = float((weights * p).sum())
    chance_agreement = float((weights * expected).sum())
    if np.isclose(chance_agreement, 1.0):
        return None
    return (observed_agreement - chance_agreement) / (1.0 - chance_agreement)


def kappa(matrix: NDArray[Any]) -> float | None:
    """Cohen's (1960) κ."""
    size = _square(matrix).shape[0]
    return weighted_kappa(matrix, np.eye(size))


def linear_weights(size: int) -> NDArray[np.float64]:
    """Equal-spacing agreement weights 1 − |i − j| / (k − 1) (Cicchetti and Allison 1971)."""
    if size < 2:
        return np.ones((size, size))
    steps = np.arange(size)
    return 1.0 - np.abs(steps[:, None] - steps[None, :]) / (size - 1)


def linear_weighted_kappa(matrix: NDArray[Any]) -> float | None:
    """Weighted κ with linear weights: near misses on an ordinal scale count as part agreement."""
    return weighted_kappa(matrix, linear_weights(_square(matrix).shape[0]))


def _ratio(part: float, whole: float) -> float | None:
    return None if whole == 0 else part / whole


@dataclass(frozen=True)
class Agreement:
    """The agreement between two reviews over ``classes``."""

    classes: tuple[str, ...]
    matrix: NDArray[np.int64]
    agreement: float | None
    kappa: float | None
    weighted_kappa: float | None
    """Linearly weighted κ over the classes of ``ordinal`` (the damage scale) only."""
    precision: dict[str, float | None]
    recall: dict[str, float | None]

    @property
    def pairs(self) -> int:
        return int(self.matrix.sum())


def agreement_of(
    pairs: Iterable[tuple[str, str]], classes: Sequence[str], ordinal: Sequence[str] | None = None
) -> Agreement:
    """Every agreement measure of ``pairs`` (first, validation). The weighted κ is computed on
    the sub-matrix of the ``ordinal`` classes, in their order (default: all classes)."""
    matrix = confusion_matrix(pairs, classes)
    ordered = list(ordinal) if ordinal is not None else list(classes)
    positions = [classes.index(code) for code in ordered]
    rows, columns = matrix.sum(axis=1), matrix.sum(axis=0)
    return Agreement(
        tuple(classes),
        matrix,
        overall_agreement(matrix),
        kappa(matrix),
        linear_weighted_kappa(matrix[np.ix_(positions, positions)]),
        {code: _ratio(float(matrix[n, n]), float(rows[n])) for n, code in enumerate(classes)},
        {code: _ratio(float(matrix[n, n]), float(columns[n])) for n, code in enumerate(classes)},
    )
