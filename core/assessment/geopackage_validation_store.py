"""The validation part of the GeoPackage store (mixed into ``GeoPackageStore``): drawn samples
and blind answers in their own tables, :mod:`.geopackage_validations`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from . import geopackage_validations
from .validation_records import SampleRow, ValidationAnswer


class _File(Protocol):
    @property
    def location(self) -> str: ...


class GeoPackageValidations:
    def save_validation_sample(self: _File, rows: Sequence[SampleRow]) -> int:
        return geopackage_validations.save_sample(self.location, rows)

    def validation_sample(self: _File, sample_id: str | None = None) -> list[SampleRow]:
        return geopackage_validations.load_sample(self.location, sample_id)

    def record_validations(self: _File, answers: Iterable[ValidationAnswer]) -> int:
        return geopackage_validations.save_answers(self.location, answers)

    def validations(self: _File, sample_id: str | None = None) -> list[ValidationAnswer]:
        return geopackage_validations.load_answers(self.location, sample_id)

    def remove_validation(self: _File, structure_id: str, observed_on: str, sample_id: str) -> int:
        return geopackage_validations.delete_answer(self.location, structure_id, observed_on, sample_id)
