"""What the store keeps of a validation: the drawn sample and the blind second review's answers.

Answers live in the ``validations`` table, never in ``observations``: a validation checks the
first review and must not replace it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..errors import SiteWatchError
from .observations import check_codes, check_date, now_iso

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
        check_codes(self.status, self.confidence, f"in the validation of {self.structure_id}")
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
