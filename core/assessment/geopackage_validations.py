"""Validation samples and answers kept in the assessment GeoPackage.

Two attribute tables outside the layer contract, created on first use and registered in
``gpkg_contents`` like ``change_scores``: ``validations`` (one blind answer per structure, date
and sample: ``structure_id``, ``observed_on``, ``status``, ``confidence``, ``analyst``,
``recorded_at``, ``sample_id``, ``notes``) and ``validation_samples`` (the structures drawn, with
their stratum and its size, which the estimator needs). An answer given again replaces the
earlier one of the same structure, date and sample.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import SiteWatchError
from .geopackage_sql import placeholders, sql
from .validation_records import SAMPLE_COLUMNS, VALIDATION_COLUMNS, SampleRow, ValidationAnswer

VALIDATIONS = "validations"
SAMPLES = "validation_samples"
_CREATE = (
    """CREATE TABLE IF NOT EXISTS validations (
    fid INTEGER PRIMARY KEY AUTOINCREMENT,
    structure_id TEXT NOT NULL,
    observed_on DATE NOT NULL,
    status TEXT NOT NULL,
    confidence TEXT,
    analyst TEXT,
    recorded_at DATETIME NOT NULL,
    sample_id TEXT NOT NULL,
    notes TEXT,
    UNIQUE (structure_id, observed_on, sample_id)
)""",
    """CREATE TABLE IF NOT EXISTS validation_samples (
    fid INTEGER PRIMARY KEY AUTOINCREMENT,
    sample_id TEXT NOT NULL,
    structure_id TEXT NOT NULL,
    observed_on DATE NOT NULL,
    stratum TEXT NOT NULL,
    stratum_size INTEGER NOT NULL,
    position INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    UNIQUE (sample_id, structure_id)
)""",
)
_DESCRIPTIONS = {
    VALIDATIONS: "SiteWatch blind validation answers (never observations)",
    SAMPLES: "SiteWatch validation samples",
}


def _write(gpkg_path: str, what: str, statements: Sequence[tuple[str, Sequence[Sequence[object]]]]) -> None:
    try:
        connection = sqlite3.connect(gpkg_path, timeout=5, isolation_level=None)
    except sqlite3.Error as error:
        raise SiteWatchError(f"Cannot open {gpkg_path}: {error}.") from None
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            for create in _CREATE:
                connection.execute(create)
            for table, description in _DESCRIPTIONS.items():
                connection.execute(
                    "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description) "
                    "VALUES (?, 'attributes', ?, ?)",
                    (table, table, description),
                )
            for statement, rows in statements:
                connection.executemany(statement, rows)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    except sqlite3.Error as error:
        raise SiteWatchError(f"Saving the {what} into {gpkg_path} failed ({error}); nothing was written.") from None
    finally:
        connection.close()


def _read(gpkg_path: str, table: str, statement: str, parameters: Sequence[object]) -> list[tuple[Any, ...]]:
    try:
        connection = sqlite3.connect(f"file:{gpkg_path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as error:
        raise SiteWatchError(f"Cannot open {gpkg_path}: {error}.") from None
    try:
        exists = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
        if not exists.fetchone():
            return []
        return connection.execute(statement, parameters).fetchall()
    except sqlite3.Error as error:
        raise SiteWatchError(f"Reading the table {table} of {gpkg_path} failed ({error}).") from None
    finally:
        connection.close()


def save_answers(gpkg_path: str, answers: Iterable[ValidationAnswer]) -> int:
    rows = [tuple(getattr(a.validated(), c) for c in VALIDATION_COLUMNS) for a in answers]
    statement = sql(
        "INSERT OR REPLACE INTO {table} ({columns}) VALUES ({marks})",
        {"marks": placeholders(len(VALIDATION_COLUMNS))},
        table=VALIDATIONS,
        columns=VALIDATION_COLUMNS,
    )
    _write(gpkg_path, "validation answers", [(statement, rows)])
    return len(rows)


def delete_answer(gpkg_path: str, structure_id: str, observed_on: str, sample_id: str) -> int:
    """Delete one answer (undo of a recorded answer); returns how many rows matched."""
    key = (structure_id, observed_on, sample_id)
    where = {"where": "WHERE structure_id = ? AND observed_on = ? AND sample_id = ?"}
    found = _read(gpkg_path, VALIDATIONS, sql("SELECT count(*) FROM {table} {where}", where, table=VALIDATIONS), key)
    count = int(found[0][0]) if found else 0
    if count:
        delete = sql("DELETE FROM {table} {where}", where, table=VALIDATIONS)
        _write(gpkg_path, "removal of a validation answer", [(delete, [key])])
    return count


def load_answers(gpkg_path: str, sample_id: str | None) -> list[ValidationAnswer]:
    where, parameters = ("WHERE sample_id = ?", (sample_id,)) if sample_id is not None else ("", ())
    statement = sql(
        "SELECT {columns} FROM {table} {where} ORDER BY fid",
        {"where": where},
        table=VALIDATIONS,
        columns=VALIDATION_COLUMNS,
    )
    rows = _read(gpkg_path, VALIDATIONS, statement, parameters)
    return [ValidationAnswer(**dict(zip(VALIDATION_COLUMNS, row))) for row in rows]


def save_sample(gpkg_path: str, rows: Sequence[SampleRow]) -> int:
    """Write a drawn sample; a sample id already used is refused (a sample is never redrawn in place)."""
    ids = sorted({row.sample_id for row in rows})
    for sample_id in ids:
        if load_sample(gpkg_path, sample_id):
            raise SiteWatchError(
                f"The validation sample '{sample_id}' already exists in {gpkg_path}; use another seed or date."
            )
    statement = sql(
        "INSERT INTO {table} ({columns}) VALUES ({marks})",
        {"marks": placeholders(len(SAMPLE_COLUMNS))},
        table=SAMPLES,
        columns=SAMPLE_COLUMNS,
    )
    _write(gpkg_path, "validation sample", [(statement, [tuple(getattr(r, c) for c in SAMPLE_COLUMNS) for r in rows])])
    return len(rows)


def load_sample(gpkg_path: str, sample_id: str | None) -> list[SampleRow]:
    where, parameters = ("WHERE sample_id = ?", (sample_id,)) if sample_id is not None else ("", ())
    statement = sql(
        "SELECT {columns} FROM {table} {where} ORDER BY sample_id, position",
        {"where": where},
        table=SAMPLES,
        columns=SAMPLE_COLUMNS,
    )
    rows = _read(gpkg_path, SAMPLES, statement, parameters)
    return [SampleRow(*row) for row in rows]
