"""From an assessment to its validation: draw the sample, pair the answers with the first
review, and compute agreement and corrected totals for the site and each compound.

The first review's status of a structure is its status at the date (:mod:`..assessment.status_at`);
only assessed statuses (construction and the damage scale) are strata. A validation answer
``unknown`` (the validator could not assess it) is left out of every number and counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import attributes, values
from ..assessment import schema
from ..assessment.observations import check_date
from ..assessment.status_at import status_at
from ..assessment.store import AssessmentStore
from ..assessment.validation_records import SampleRow, ValidationAnswer
from ..errors import SiteWatchError
from .agreement import Agreement, agreement_of
from .estimate import StratifiedEstimate, stratified_estimate
from .sampling import draw_sample, sample_size

CLASSES: tuple[str, ...] = values.ASSESSED_STATUSES
"""The classes compared: construction, then the damage scale from intact to destroyed."""
UNASSIGNED = "UNASSIGNED"


def first_review(store: AssessmentStore, on: str) -> dict[str, str]:
    """Structure id → the first review's assessed status at ``on`` (others left out)."""
    on = check_date(on)
    statuses = status_at(store.observations(), on)
    return {sid: status for sid, status in statuses.items() if status in CLASSES}


def structure_compounds(store: AssessmentStore) -> dict[str, str | None]:
    layer = store.layer(schema.STRUCTURES.name)
    return {
        str(f["structure_id"]): attributes.text(f["compound_id"])
        for f in layer.getFeatures()
        if attributes.text(f["structure_id"])
    }


def sample_id_for(on: str, seed: int) -> str:
    return f"VS-{on}-{seed}"


def draw_validation_sample(
    store: AssessmentStore,
    on: str,
    margin: float,
    seed: int,
    by_compound: bool = False,
    size: int | None = None,
) -> tuple[str, list[SampleRow]]:
    """Draw and keep the sample of the first review at ``on``; returns its id and rows. ``size``
    overrides the size computed from ``margin``."""
    on = check_date(on)
    statuses = first_review(store, on)
    compounds = structure_compounds(store) if by_compound else None
    wanted = sample_size(len(statuses), margin) if size is None else max(0, min(size, len(statuses)))
    units = draw_sample(statuses, wanted, seed, compounds)
    sample_id = sample_id_for(on, seed)
    rows = [SampleRow(sample_id, u.structure_id, on, u.stratum, u.stratum_size, u.position, seed) for u in units]
    if rows:
        store.save_validation_sample(rows)
    return sample_id, rows


@dataclass(frozen=True)
class AccuracyReport:
    """Agreement of the first review with the validation at one date, and corrected totals."""

    on: str
    agreement: Agreement
    site: StratifiedEstimate | None
    compounds: dict[str, StratifiedEstimate]
    not_estimated: str | None
    """Why the corrected totals could not be computed (None when they were)."""
    unknown_answers: int
    unmatched_answers: int
    """Answers for structures the first review did not assess at the date (left out)."""

    def sentences(self) -> list[str]:
        """E.g. "13 destroyed (95 % CI 10–17)", one per damaged class, for the site."""
        if self.site is None:
            return []
        return [
            self.site.of(code).sentence(values.label_of(values.STATUSES, code).lower())
            for code in values.DAMAGED_STATUSES
        ]


def latest_answers(answers: list[ValidationAnswer], on: str) -> dict[str, ValidationAnswer]:
    """The latest answer per structure at ``on`` (a structure validated twice counts once)."""
    latest: dict[str, ValidationAnswer] = {}
    for answer in sorted(answers, key=lambda a: a.recorded_at or ""):
        if answer.observed_on == on:
            latest[answer.structure_id] = answer
    return latest


def accuracy_report(store: AssessmentStore, on: str, sample_id: str | None = None) -> AccuracyReport:
    """Compare the validation answers at ``on`` (of ``sample_id`` only, when given) with the
    first review, and correct the site and compound totals."""
    on = check_date(on)
    first = first_review(store, on)
    answers = latest_answers(store.validations(sample_id), on)
    pairs = []
    unknown = unmatched = 0
    for structure_id, answer in sorted(answers.items()):
        if answer.status not in CLASSES:
            unknown += 1
        elif structure_id not in first:
            unmatched += 1
        else:
            pairs.append((first[structure_id], answer.status))
    agreement = agreement_of(pairs, CLASSES, values.DAMAGE_SCALE)
    mapped = Counter(first.values())
    site: StratifiedEstimate | None = None
    compounds: dict[str, StratifiedEstimate] = {}
    reason = None
    try:
        site = stratified_estimate(agreement.matrix, [mapped[c] for c in CLASSES], CLASSES)
        by_compound: dict[str, Counter[str]] = {}
        compound_of = structure_compounds(store)
        for structure_id, status in first.items():
            by_compound.setdefault(compound_of.get(structure_id) or UNASSIGNED, Counter())[status] += 1
        for compound, counts in sorted(by_compound.items()):
            # the site's error rates applied to the compound's counts (synthetic estimator)
            compounds[compound] = stratified_estimate(
                agreement.matrix, [counts[c] for c in CLASSES], CLASSES, finite=False
            )
    except SiteWatchError as error:
        reason = str(error)
    return AccuracyReport(on, agreement, site, compounds, reason, unknown, unmatched)
