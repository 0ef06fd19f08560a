"""What the store keeps of a validation: the drawn sample and the blind second review's answers.

Answers live in the ``validations`` table, never in ``observations``: a validation checks the
first review and must not replace it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .. import values
from ..errors import SiteWatchError
from .observations import check_date, now_iso

VALIDATION_COLUMNS = (
    "structure_id",
    "observed_on",
    "status",
    "confidence",
    "analyst",
    "recorded_at",
    "sample_id",
    "notes",
)
"""The contract of the ``validations`` table (users' scripts read it)."""

SAMPLE_COLUMNS = ("sample_id", "structure_id", "observed_on", "stratum", "stratum_size", "position", "seed")


@dataclass(frozen=True)
class ValidationAnswer:
    """One structure's status as the validating analyst saw it, blind."""

    structure_id: str
    observed_on: str
    status: str
    sample_id: str
    confidence: str | None = None
    analyst: str | None = None
    recorded_at: str = field(default_factory=now_iso)
    notes: str | None = None

    def validated(self) -> ValidationAnswer:
        if not self.structure_id:
            raise SiteWatchError("A validation answer needs a structure_id.")
        if not self.sample_id:
            raise SiteWatchError(f"The validation answer for {self.structure_id} names no sample_id.")
        day = check_date(self.observed_on, f"validation date of structure {self.structure_id}")
        if self.status not in values.codes(values.STATUSES):
            raise SiteWatchError(
                f"Unknown status '{self.status}' in the validation of {self.structure_id}; "
                f"use one of {', '.join(values.codes(values.STATUSES))}."
            )
        if self.confidence is not None and self.confidence not in values.codes(values.CONFIDENCES):
            raise SiteWatchError(
                f"Unknown confidence '{self.confidence}' in the validation of {self.structure_id}; "
                f"use one of {', '.join(values.codes(values.CONFIDENCES))}."
            )
        return replace(self, observed_on=day)


@dataclass(frozen=True)
class SampleRow:
    """One structure of a drawn validation sample."""

    sample_id: str
    structure_id: str
    observed_on: str
    stratum: str
    stratum_size: int
    position: int
    seed: int
