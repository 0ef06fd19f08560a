"""Agreement between the analyst and the change score (the pre-score): how often the status the
change score suggested for an image pair is the one the analyst recorded at the pair's after date.

Rows are the pre-score (the machine's suggestion, in the place of the map), columns the analyst's
first review (the reference): precision of a class is the share of the structures the change
score suggested in that class that the analyst recorded in it; recall the share of the
structures the analyst recorded in a class that the change score had suggested in it.

The pair is the one whose after image was acquired on the date and whose before image is the
latest earlier image with stored change scores (or the one named). Suggestions ``unknown`` (no
score) and structures the analyst did not assess at the date are left out and counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import values
from ..assessment.observations import check_date
from ..assessment.records import StoredChangeScore
from ..assessment.store import AssessmentStore
from ..errors import SiteWatchError
from ..imagery.registry import list_images
from .accuracy import CLASSES, first_review
from .agreement import Agreement, agreement_of


@dataclass(frozen=True)
class PreScoreAgreement:
    """The analyst's first review against the change score's suggestions of one image pair."""

    on: str
    before_image: str
    after_image: str
    agreement: Agreement
    unknown_suggestions: int
    """Reviewed structures the change score could not grade (suggested ``unknown``)."""
    not_scored: int
    """Reviewed structures without a stored change score for the pair."""
    not_reviewed: int
    """Scored structures the analyst did not assess at the date."""


def scored_pair(
    store: AssessmentStore, on: str, before_image: str | None = None
) -> tuple[str, str, dict[str, StoredChangeScore]]:
    """(before image id, after image id, stored scores) of the pair whose after image is of ``on``."""
    images = list_images(store)
    afters = [image for image in images if image.acquired == on]
    if not afters:
        dated = ", ".join(sorted({i.acquired for i in images if i.acquired})) or "none"
        raise SiteWatchError(
            f"No image of {on} is registered, so there is no change score ending at that date (image dates: {dated})."
        )
    befores = [image for image in images if image.acquired and image.acquired < on]
    if before_image:
        befores = [image for image in images if image.image_id == before_image]
        if not befores:
            raise SiteWatchError(f"The before image '{before_image}' is not registered in {store.location}.")
    for before in sorted(befores, key=lambda image: (image.acquired or "", image.image_id), reverse=True):
        for after in afters:
            scores = store.change_scores(before.image_id, after.image_id)
            if scores:
                return before.image_id, after.image_id, scores
    raise SiteWatchError(
        f"No change scores are stored for an image pair ending on {on}: run sitewatch:changescore "
        "(or SiteWatch ▸ Score changes) on the pair first."
    )


def pre_score_agreement(store: AssessmentStore, on: str, before_image: str | None = None) -> PreScoreAgreement:
    """Compare the change score's suggestions with the analyst's statuses at ``on``."""
    on = check_date(on)
    return _compare(store, on, *scored_pair(store, on, before_image))


def stored_pre_score(store: AssessmentStore, on: str) -> PreScoreAgreement | None:
    """The analyst against the pre-score at ``on`` (the pair of :func:`scored_pair`), or None when
    no image pair ending on ``on`` has stored change scores: what the Damage panel's Accuracy tab
    and the report's accuracy page show beside the validation when the scores exist."""
    on = check_date(on)
    if not any(image.acquired == on for image in list_images(store)):
        return None
    try:
        pair = scored_pair(store, on)
    except SiteWatchError:  # the only error left: no stored scores for a pair ending on ``on``
        return None
    return _compare(store, on, *pair)


def _compare(
    store: AssessmentStore, on: str, before: str, after: str, scores: dict[str, StoredChangeScore]
) -> PreScoreAgreement:
    analyst = first_review(store, on)
    pairs = []
    unknown = not_reviewed = 0
    for structure_id, stored in sorted(scores.items()):
        if structure_id not in analyst:
            not_reviewed += 1
        elif stored.suggested not in CLASSES:
            unknown += 1
        else:
            pairs.append((stored.suggested, analyst[structure_id]))
    not_scored = len(set(analyst) - set(scores))
    agreement = agreement_of(pairs, CLASSES, values.DAMAGE_SCALE)
    return PreScoreAgreement(on, before, after, agreement, unknown, not_scored, not_reviewed)
