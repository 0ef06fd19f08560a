"""The blind second review of a validation sample: which structures to look at and in what
order (the sample's seeded random order), what has been answered, and the undoable command that
records an answer in the ``validations`` table (never in ``observations``).

Nothing here reads the first review: a blind review must not see it. Answers of other analysts
are counted (the progress is the sample's) but their status and name are not shown.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import values
from ..annotation.undo import Command
from ..assessment.store import AssessmentStore
from ..assessment.validation_records import ValidationAnswer
from ..errors import SiteWatchError


@dataclass(frozen=True)
class SampleSummary:
    """One drawn sample as the analyst picks it."""

    sample_id: str
    on: str
    size: int
    validated: int

    def label(self) -> str:
        return f"{self.sample_id} · {self.validated} of {self.size} validated"


def sample_summaries(store: AssessmentStore) -> list[SampleSummary]:
    """Every sample of the assessment, newest date first."""
    rows = store.validation_sample()
    sizes = Counter(row.sample_id for row in rows)
    dates = {row.sample_id: row.observed_on for row in rows}
    members = {(row.sample_id, row.structure_id) for row in rows}
    answered = Counter(
        answer.sample_id for answer in store.validations() if (answer.sample_id, answer.structure_id) in members
    )
    summaries = [SampleSummary(sid, dates[sid], sizes[sid], answered[sid]) for sid in sizes]
    return sorted(summaries, key=lambda s: (s.on, s.sample_id), reverse=True)


class BlindSample:
    """The structures of one sample in review order and the answers given so far."""

    def __init__(self, store: AssessmentStore, sample_id: str):
        rows = store.validation_sample(sample_id)
        if not rows:
            raise SiteWatchError(
                f"The validation sample '{sample_id}' is not in {store.location}: draw it with "
                "sitewatch:validationsample (or Draw sample… in the review queue) first."
            )
        self.store = store
        self.sample_id = sample_id
        self.on = rows[0].observed_on
        self.ids = [row.structure_id for row in sorted(rows, key=lambda r: r.position)]
        self.answers: dict[str, ValidationAnswer] = {}
        self.reload()

    def reload(self) -> None:
        """Read the sample's answers again (after a recorded, undone or remote answer)."""
        members = set(self.ids)
        self.answers = {
            a.structure_id: a
            for a in self.store.validations(self.sample_id)
            if a.structure_id in members and a.observed_on == self.on
        }

    def progress(self) -> tuple[int, int]:
        """(validated, total) structures of the sample."""
        return len(self.answers), len(self.ids)

    def progress_text(self) -> str:
        validated, total = self.progress()
        return f"{validated} of {total} validated"

    def answer_text(self, structure_id: str, analyst: str) -> str:
        """What the queue shows of a structure: the analyst's own answer, or only that someone
        else answered (neither their status nor their name), or that it is still to do."""
        if structure_id not in self.ids:
            return "not in the sample"
        answer = self.answers.get(structure_id)
        if answer is None:
            return "to validate"
        if (answer.analyst or "") != analyst:
            return "validated by another analyst"
        return f"validated {values.label_of(values.STATUSES, answer.status)}"

    def answer(
        self, structure_id: str, status: str, confidence: str | None, analyst: str, notes: str | None = None
    ) -> RecordValidation:
        """The command recording ``status`` for ``structure_id`` of this sample."""
        if structure_id not in self.ids:
            raise SiteWatchError(
                f"{structure_id} is not in the validation sample {self.sample_id}: only the sample's "
                "structures are validated (N / P step through them)."
            )
        new = ValidationAnswer(structure_id, self.on, status, self.sample_id, confidence, analyst, notes=notes)
        return RecordValidation(self.store, new.validated(), self.answers.get(structure_id))


class RecordValidation(Command):
    """Write one blind answer; undo brings back the answer it replaced, or removes it."""

    def __init__(self, store: AssessmentStore, answer: ValidationAnswer, replaced: ValidationAnswer | None):
        self.store = store
        self.answer = answer
        self.replaced = replaced
        self.text = f"validate {answer.structure_id}: {answer.status} ({answer.sample_id})"

    def apply(self) -> None:
        self.store.record_validations([self.answer])

    def revert(self) -> None:
        if self.replaced is not None:
            self.store.record_validations([self.replaced])
        else:
            self.store.remove_validation(self.answer.structure_id, self.answer.observed_on, self.answer.sample_id)
