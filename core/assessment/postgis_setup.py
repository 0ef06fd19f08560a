"""Checks before creating or opening a PostGIS assessment: PostGIS present, the CRS known, the
schema free (or a SiteWatch assessment that may be overwritten), the contract tables complete."""

from __future__ import annotations

from typing import Any

from psycopg2 import sql

from ..errors import SiteWatchError
from . import schema
from .location import DatabaseLocation


def check_can_create(cursor: Any, database: DatabaseLocation, srid: int, overwrite: bool) -> None:
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
    if cursor.fetchone() is None:
        raise SiteWatchError(
            f"The database '{database.get('dbname') or database.get('service')}' has no PostGIS extension; "
            "ask its administrator to run CREATE EXTENSION postgis; in it. Nothing was created."
        )
    cursor.execute("SELECT 1 FROM spatial_ref_sys WHERE srid = %s", (srid,))
    if cursor.fetchone() is None:
        raise SiteWatchError(f"The database does not know the CRS EPSG:{srid}; pick another CRS.")
    cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (database.schema,))
    if cursor.fetchone() is None:
        return
    if not overwrite:
        raise SiteWatchError(
            f"The schema '{database.schema}' already exists in that database; choose another name "
            "or allow overwriting it. Nothing was changed."
        )
    cursor.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
        (database.schema, schema.META_TABLE),
    )
    if cursor.fetchone() is None:
        raise SiteWatchError(
            f"The schema '{database.schema}' exists and is not a SiteWatch assessment; it is never "
            "overwritten. Choose another name."
        )
    cursor.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(database.schema)))


def contract_problems(present: dict[str, set[str]]) -> list[str]:
    """What the tables ``present`` ({table: columns}) lack of the assessment contract."""
    problems = []
    for layer_def in schema.LAYERS:
        if layer_def.name not in present:
            problems.append(f"table '{layer_def.name}' is missing")
            continue
        missing = [f for f in layer_def.field_names() if f not in present[layer_def.name]]
        if missing:
            problems.append(f"table '{layer_def.name}' lacks column(s) {', '.join(missing)}")
    return problems


WRITE_RIGHTS = (
    "SELECT current_user, has_table_privilege('observations', 'INSERT, UPDATE, DELETE'), "
    "current_setting('transaction_read_only') = 'on'"
)
"""The role, whether it may change observations, whether the session is read-only."""


def read_only_reason(rights: tuple[Any, ...], location: str) -> str | None:
    """What an analyst whose role may only read is told (``rights``: the row of WRITE_RIGHTS)."""
    role, may_write, read_only = rights
    if may_write and not read_only:
        return None
    return (
        f"Your database role '{role}' may only read {location}: you can look at it and export it, "
        "but not record states or draw. Ask the assessment's lead for analyst rights."
    )
