"""Validation samples and blind answers in a PostGIS assessment: the ``validations`` and
``validation_samples`` tables of the assessment's schema, created on first use (as in the
GeoPackage, :mod:`.geopackage_validations`), with the status and confidence value lists checked
by the database. Answers never touch ``observations``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from .. import values
from ..errors import SiteWatchError
from .validation_records import SAMPLE_COLUMNS, VALIDATION_COLUMNS, SampleRow, ValidationAnswer


def _codes(value_list: tuple[values.Value, ...]) -> str:
    return ", ".join(f"'{code}'" for code in values.codes(value_list))


CREATE = (
    "CREATE TABLE IF NOT EXISTS validations (fid bigserial PRIMARY KEY, "
    "structure_id text NOT NULL CHECK (structure_id <> ''), observed_on date NOT NULL, "
    f"status text NOT NULL CHECK (status IN ({_codes(values.STATUSES)})), "
    f"confidence text CHECK (confidence IN ({_codes(values.CONFIDENCES)})), analyst text, "
    "recorded_at text NOT NULL, sample_id text NOT NULL CHECK (sample_id <> ''), notes text, "
    "UNIQUE (structure_id, observed_on, sample_id))",
    "CREATE TABLE IF NOT EXISTS validation_samples (fid bigserial PRIMARY KEY, sample_id text NOT NULL, "
    "structure_id text NOT NULL, observed_on date NOT NULL, stratum text NOT NULL, "
    "stratum_size bigint NOT NULL, position bigint NOT NULL, seed bigint NOT NULL, "
    "UNIQUE (sample_id, structure_id))",
)
_ANSWER_COLUMNS = ", ".join(VALIDATION_COLUMNS)
_SAMPLE_COLUMNS = ", ".join(SAMPLE_COLUMNS)
SELECT_ANSWERS = (
    f"SELECT {_ANSWER_COLUMNS.replace('observed_on', 'observed_on::text')} FROM validations "
    "WHERE to_regclass('validations') IS NOT NULL"
)
SELECT_SAMPLE = f"SELECT {_SAMPLE_COLUMNS.replace('observed_on', 'observed_on::text')} FROM validation_samples"


def save_answers(cursor: Any, answers: Sequence[ValidationAnswer]) -> int:
    """Insert or replace ``answers`` (one per structure, date and sample)."""
    for statement in CREATE:
        cursor.execute(statement)
    marks = ", ".join(["%s"] * len(VALIDATION_COLUMNS))
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in VALIDATION_COLUMNS)
    for answer in answers:
        cursor.execute(
            f"INSERT INTO validations ({_ANSWER_COLUMNS}) VALUES ({marks}) "
            f"ON CONFLICT (structure_id, observed_on, sample_id) DO UPDATE SET {updates}",
            tuple(getattr(answer, c) for c in VALIDATION_COLUMNS),
        )
    return len(answers)


def save_sample(cursor: Any, rows: Sequence[SampleRow], location: str) -> int:
    """Insert a drawn sample; a sample id already used is refused."""
    for statement in CREATE:
        cursor.execute(statement)
    for sample_id in sorted({row.sample_id for row in rows}):
        cursor.execute("SELECT 1 FROM validation_samples WHERE sample_id = %s LIMIT 1", (sample_id,))
        if cursor.fetchone():
            raise SiteWatchError(
                f"The validation sample '{sample_id}' already exists in {location}; use another seed or date."
            )
    marks = ", ".join(["%s"] * len(SAMPLE_COLUMNS))
    for row in rows:
        cursor.execute(
            f"INSERT INTO validation_samples ({_SAMPLE_COLUMNS}) VALUES ({marks})",
            tuple(getattr(row, c) for c in SAMPLE_COLUMNS),
        )
    return len(rows)


def answers_from(rows: Sequence[Sequence[Any]]) -> list[ValidationAnswer]:
    return [ValidationAnswer(**dict(zip(VALIDATION_COLUMNS, row))) for row in rows]


def sample_from(rows: Sequence[Sequence[Any]]) -> list[SampleRow]:
    return [SampleRow(*row) for row in rows]


class _Database(Protocol):
    """What the validation methods use of the PostGIS store they are mixed into."""

    @property
    def location(self) -> str: ...

    def _transaction(self) -> AbstractContextManager[Any]: ...

    def _read(self, sql: str, parameters: Sequence[object] = ()) -> list[tuple[Any, ...]]: ...


class ValidationTables:
    """The validation part of the PostGIS store (mixed into ``PostgisStore``)."""

    def save_validation_sample(self: _Database, rows: Sequence[SampleRow]) -> int:
        with self._transaction() as cursor:
            return save_sample(cursor, list(rows), self.location)

    def validation_sample(self: _Database, sample_id: str | None = None) -> list[SampleRow]:
        if not self._read("SELECT to_regclass('validation_samples') IS NOT NULL")[0][0]:
            return []
        where, parameters = (" WHERE sample_id = %s", (sample_id,)) if sample_id is not None else ("", ())
        rows = self._read(SELECT_SAMPLE + where + " ORDER BY sample_id, position", parameters)
        return sample_from(rows)

    def record_validations(self: _Database, answers: Iterable[ValidationAnswer]) -> int:
        checked = [answer.validated() for answer in answers]
        with self._transaction() as cursor:
            return save_answers(cursor, checked)

    def validations(self: _Database, sample_id: str | None = None) -> list[ValidationAnswer]:
        if not self._read("SELECT to_regclass('validations') IS NOT NULL")[0][0]:
            return []
        where, parameters = (" AND sample_id = %s", (sample_id,)) if sample_id is not None else ("", ())
        rows = self._read(SELECT_ANSWERS + where + " ORDER BY fid", parameters)
        return answers_from(rows)
