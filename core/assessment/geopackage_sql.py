"""SQL shared by the GeoPackage store's observation writes, whether they run on its own
SQLite connection or inside a transaction held open on an OGR dataset (feature edits)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from osgeo import ogr

from . import schema
from .observations import Observation, now_iso

OBS_COLUMNS = tuple(f.name for f in schema.OBSERVATION_FIELDS)


def _sql_literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


class OgrSql:
    """Runs the store's parameterised statements through an OGR dataset, so they join the
    transaction open on it (OGR's ExecuteSQL takes no parameters: values go in as literals)."""

    rowcount = -1

    def __init__(self, dataset: ogr.DataSource):
        self.dataset = dataset

    def execute(self, sql: str, parameters: Sequence[object] = ()) -> OgrSql:
        pieces = sql.split("?")
        if len(pieces) != len(parameters) + 1:
            raise ValueError(f"{len(parameters)} parameters for {len(pieces) - 1} placeholders in {sql}")
        text = pieces[0] + "".join(_sql_literal(v) + piece for v, piece in zip(parameters, pieces[1:]))
        self.dataset.ExecuteSQL(text)
        return self


def row_to_observation(row: Sequence[Any]) -> Observation:
    return Observation(**dict(zip(OBS_COLUMNS, row)))


def archive(connection: sqlite3.Connection | OgrSql, where: str, parameters: Sequence[object], reason: str) -> int:
    """Move the observations ``where`` selects to ``observation_history`` with ``reason``."""
    columns = ", ".join(OBS_COLUMNS)
    cursor = connection.execute(
        f"INSERT INTO observation_history ({columns}, archived_at, reason) "
        f"SELECT {columns}, ?, ? FROM observations WHERE {where}",
        (now_iso(), reason, *parameters),
    )
    connection.execute(f"DELETE FROM observations WHERE {where}", parameters)
    return cursor.rowcount


def insert(connection: sqlite3.Connection | OgrSql, observation: Observation) -> None:
    connection.execute(
        f"INSERT INTO observations ({', '.join(OBS_COLUMNS)}) VALUES ({', '.join('?' * len(OBS_COLUMNS))})",
        tuple(getattr(observation, c) for c in OBS_COLUMNS),
    )
