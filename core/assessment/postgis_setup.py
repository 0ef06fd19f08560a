"""Checks before creating or opening a PostGIS assessment: PostGIS present, the CRS known, the
schema free (or a SiteWatch assessment that may be overwritten), the contract tables complete."""

from __future__ import annotations

from typing import Any

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
    cursor.execute(f'DROP SCHEMA "{database.schema}" CASCADE')


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
