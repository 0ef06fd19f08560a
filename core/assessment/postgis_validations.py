"""Validation samples and blind answers in a PostGIS assessment: the ``validations`` and
``validation_samples`` tables of the assessment's schema, created on first use (as in the
GeoPackage, :mod:`.geopackage_validations`), with the status and confidence value lists checked
by the database. Answers never touch ``observations``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from psycopg2 import sql

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


NOTIFY_ANSWERS = (
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'validations'::regclass "
    "AND tgname = 'sw_audit') THEN CREATE TRIGGER sw_audit AFTER INSERT OR UPDATE OR DELETE ON validations "
    "FOR EACH ROW EXECUTE FUNCTION sw_audit('structure_id'); END IF; END $$"
)
"""The assessment's audit trigger on the answers: each answer is audited and NOTIFYs the
schema's channel (:mod:`.postgis_listen`), so the other validators' progress follows it live."""


def create_tables(cursor: Any) -> None:
    """The validation tables on first use; the answers' table with its notifying trigger (added
    only by whoever creates the table: its owner, who alone may add a trigger)."""
    cursor.execute("SELECT to_regclass('validations') IS NULL")
    new = bool(cursor.fetchone()[0])
    for statement in CREATE:
        cursor.execute(statement)
    if new:
        cursor.execute(NOTIFY_ANSWERS)


def _columns(names: Sequence[str], as_text: bool = False) -> sql.Composed:
    """The columns, comma-separated; ``observed_on`` read as ISO text when ``as_text``."""
    return sql.SQL(", ").join(
        sql.SQL("{}::text" if as_text and name == "observed_on" else "{}").format(sql.Identifier(name))
        for name in names
    )


def _marks(count: int) -> sql.SQL:
    return sql.SQL(", ".join(["%s"] * count))


SELECT_ANSWERS = sql.SQL("SELECT {} FROM validations WHERE to_regclass('validations') IS NOT NULL").format(
    _columns(VALIDATION_COLUMNS, as_text=True)
)
SELECT_SAMPLE = sql.SQL("SELECT {} FROM validation_samples").format(_columns(SAMPLE_COLUMNS, as_text=True))
INSERT_ANSWER = sql.SQL(
    "INSERT INTO validations ({}) VALUES ({}) ON CONFLICT (structure_id, observed_on, sample_id) DO UPDATE SET {}"
).format(
    _columns(VALIDATION_COLUMNS),
    _marks(len(VALIDATION_COLUMNS)),
    sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in VALIDATION_COLUMNS),
)
"""Insert an answer, or replace the one of that structure, date and sample."""
INSERT_SAMPLE = sql.SQL("INSERT INTO validation_samples ({}) VALUES ({})").format(
    _columns(SAMPLE_COLUMNS), _marks(len(SAMPLE_COLUMNS))
)


def save_answers(cursor: Any, answers: Sequence[ValidationAnswer]) -> int:
    """Insert or replace ``answers`` (one per structure, date and sample)."""
    create_tables(cursor)
    for answer in answers:
        cursor.execute(INSERT_ANSWER, tuple(getattr(answer, c) for c in VALIDATION_COLUMNS))
    return len(answers)


def save_sample(cursor: Any, rows: Sequence[SampleRow], location: str) -> int:
    """Insert a drawn sample; a sample id already used is refused."""
    create_tables(cursor)
    for sample_id in sorted({row.sample_id for row in rows}):
        cursor.execute("SELECT 1 FROM validation_samples WHERE sample_id = %s LIMIT 1", (sample_id,))
        if cursor.fetchone():
            raise SiteWatchError(
                f"The validation sample '{sample_id}' already exists in {location}; use another seed or date."
            )
    for row in rows:
        cursor.execute(INSERT_SAMPLE, tuple(getattr(row, c) for c in SAMPLE_COLUMNS))
    return len(rows)


def delete_answer(cursor: Any, structure_id: str, observed_on: str, sample_id: str) -> int:
    create_tables(cursor)
    cursor.execute(
        "DELETE FROM validations WHERE structure_id = %s AND observed_on = %s AND sample_id = %s",
        (structure_id, observed_on, sample_id),
    )
    return int(cursor.rowcount)


def answers_from(rows: Sequence[Sequence[Any]]) -> list[ValidationAnswer]:
    return [ValidationAnswer(**dict(zip(VALIDATION_COLUMNS, row))) for row in rows]


def sample_from(rows: Sequence[Sequence[Any]]) -> list[SampleRow]:
    return [SampleRow(*row) for row in rows]


class _Database(Protocol):
    """What the validation methods use of the PostGIS store they are mixed into."""

    @property
    def location(self) -> str: ...

    def _transaction(self) -> AbstractContextManager[Any]: ...

    def _read(self, statement: str | sql.Composable, parameters: Sequence[object] = ()) -> list[tuple[Any, ...]]: ...


class ValidationTables:
    """The validation part of the PostGIS store (mixed into ``PostgisStore``)."""

    def save_validation_sample(self: _Database, rows: Sequence[SampleRow]) -> int:
        with self._transaction() as cursor:
            return save_sample(cursor, list(rows), self.location)

    def validation_sample(self: _Database, sample_id: str | None = None) -> list[SampleRow]:
        if not self._read("SELECT to_regclass('validation_samples') IS NOT NULL")[0][0]:
            return []
        where, parameters = (" WHERE sample_id = %s", (sample_id,)) if sample_id is not None else ("", ())
        rows = self._read(SELECT_SAMPLE + sql.SQL(where + " ORDER BY sample_id, position"), parameters)
        return sample_from(rows)

    def record_validations(self: _Database, answers: Iterable[ValidationAnswer]) -> int:
        checked = [answer.validated() for answer in answers]
        with self._transaction() as cursor:
            return save_answers(cursor, checked)

    def validations(self: _Database, sample_id: str | None = None) -> list[ValidationAnswer]:
        if not self._read("SELECT to_regclass('validations') IS NOT NULL")[0][0]:
            return []
        where, parameters = (" AND sample_id = %s", (sample_id,)) if sample_id is not None else ("", ())
        rows = self._read(SELECT_ANSWERS + sql.SQL(where + " ORDER BY fid"), parameters)
        return answers_from(rows)

    def remove_validation(self: _Database, structure_id: str, observed_on: str, sample_id: str) -> int:
        with self._transaction() as cursor:
            return delete_answer(cursor, structure_id, observed_on, sample_id)
