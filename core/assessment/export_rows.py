"""Whole-site reads for an export, without a Python object per observation (3.5 million at
country scale): the observations in force at some dates, and the full observation history
copied into a table of the export's own GeoPackage.

Every store has them (the Python forms below, from ``observations()`` and ``history()``);
the GeoPackage store does both in SQLite (:class:`GeoPackageExportRows`): one
index scan per date, and one ``INSERT … SELECT`` from the attached assessment for the copy.
The two forms give the same rows in the same order (``tests/core/export/test_table_copy.py``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..errors import SiteWatchError
from . import geopackage_checks, schema
from .geopackage_adopt import missing_internal
from .geopackage_sql import OBS_COLUMNS, placeholders, quote_identifier, sql
from .observations import Observation
from .status_at import position_at

ExportRow = tuple[Any, ...]
"""One observation as the export writes it: structure id, date, image id, status name,
confidence, analyst, recorded at, notes, archived at (None = current), reason."""

_CURRENT_LAST = "~"
"""Sorts after any archive time: a current observation follows its archived ones."""


def in_force(rows: Sequence[Observation], dates: Sequence[str]) -> list[dict[str, Observation]]:
    """For each of ``dates``: structure id → its observation in force at that date, from
    ``rows`` (of one date per structure, or ties in order: the later one wins)."""
    rows = sorted(rows, key=lambda o: (o.structure_id, o.observed_on))  # stable: ties keep their order
    found: list[dict[str, Observation]] = [{} for _ in dates]
    start = 0
    while start < len(rows):
        structure_id = rows[start].structure_id
        end = start
        while end < len(rows) and rows[end].structure_id == structure_id:
            end += 1
        days = [o.observed_on for o in rows[start:end]]
        for number, date in enumerate(dates):
            position = position_at(days, date)
            if position is not None:
                found[number][structure_id] = rows[start + position]
        start = end
    return found


InForceColumns = tuple[tuple[Any, ...], ...]
"""The observations in force at one date as columns: one tuple per field of ``OBS_COLUMNS``
(structure id, date, status, …), one item per structure."""


def as_columns(found: Mapping[str, Observation]) -> InForceColumns:
    """The observations of one :func:`in_force` dict as :data:`InForceColumns`."""
    return _columns([tuple(getattr(o, name) for name in OBS_COLUMNS) for o in found.values()])


def _columns(rows: Sequence[Sequence[Any]]) -> InForceColumns:
    """Rows of ``OBS_COLUMNS`` fields as :data:`InForceColumns` (transposed in C)."""
    return tuple(zip(*rows)) if rows else tuple(() for _ in OBS_COLUMNS)


def export_rows(
    current: Sequence[Observation], archived: Sequence[tuple[Observation, str, str]], status_names: Mapping[str, str]
) -> list[ExportRow]:
    """Every current and archived observation, sorted by structure, date and archive time
    (current last; ties keep current before archived, archived in archive order)."""
    rows = [(obs, None, None) for obs in current] + list(archived)
    return [
        (
            obs.structure_id,
            obs.observed_on,
            obs.image_id,
            status_names.get(obs.status, obs.status),
            obs.confidence,
            obs.analyst,
            obs.recorded_at,
            obs.notes,
            at,
            reason,
        )
        for obs, at, reason in sorted(rows, key=lambda r: (r[0].structure_id, r[0].observed_on, r[1] or _CURRENT_LAST))
    ]


def _connect_package(package: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(package.absolute().as_uri(), uri=True, isolation_level=None)
    connection.execute("PRAGMA synchronous = OFF")  # the export's own new file, removed on failure
    return connection


def _insert(table: str, columns: Sequence[str]) -> str:
    return sql(
        "INSERT INTO main.{table} ({columns}) ",
        {"table": quote_identifier(table), "columns": ", ".join(quote_identifier(c) for c in columns)},
    )


def _fill(connection: sqlite3.Connection, table: str, insert: Callable[[], int]) -> int:
    """Run ``insert`` (appending to ``table``) in one transaction, without GDAL's per-row
    feature-count triggers (put back after), and keep the cached feature count right."""
    connection.execute("BEGIN")
    triggers = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name LIKE 'trigger_%'",
        (table,),
    ).fetchall()
    for name, _ in triggers:
        connection.execute(sql("DROP TRIGGER {name}", name=name))
    count = insert()
    for _, text in triggers:
        connection.execute(text)
    connection.execute(
        sql(
            "UPDATE gpkg_ogr_contents SET feature_count = (SELECT count(*) FROM main.{table}) "
            "WHERE lower(table_name) = lower(?)",
            {"table": quote_identifier(table)},
        ),
        (table,),
    )
    connection.execute("COMMIT")
    return count


def insert_rows(package: Path, table: str, columns: Sequence[str], rows: Sequence[ExportRow]) -> int:
    """Append ``rows`` to ``table`` (its ``columns`` in row order) of the export's GeoPackage."""
    statement = _insert(table, columns) + sql("VALUES ({marks})", {"marks": placeholders(len(columns))})
    connection = _connect_package(package)
    try:
        return _fill(connection, table, lambda: connection.executemany(statement, rows).rowcount)
    finally:
        connection.close()


@dataclass(frozen=True)
class PackageLayer:
    """Rows for one empty layer of an export's GeoPackage (created by GDAL), for :func:`fill_layers`."""

    name: str
    fields: Sequence[str]
    count: int
    rows: Callable[[int], Iterable[Sequence[Any]]]
    """Given the SRS id of the layer's geometry column (0 without one): each row, its fid,
    then its geometry blob (spatial layers), then its ``fields``."""
    spatial: bool
    index: tuple[list[int], list[float], list[float], list[float], list[float]] | None = None
    """The R-tree entries of the rows with a geometry: fids, min x, max x, min y, max y."""


def fill_layers(package: Path, layers: Sequence[PackageLayer]) -> None:
    """Write ``layers`` into the export's GeoPackage ``package`` in one transaction, with GDAL's
    feature-count and R-tree triggers (which call GDAL's own SQL functions) set aside and their
    work done here: the R-tree entries, the layer's extent and its feature count."""
    if not layers:
        return
    connection = _connect_package(package)
    try:
        connection.execute("BEGIN")
        for layer in layers:
            _fill_layer(connection, layer)
        connection.execute("COMMIT")
    finally:
        connection.close()


def _fill_layer(connection: sqlite3.Connection, layer: PackageLayer) -> None:
    triggers = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
        "AND (name LIKE 'trigger_%' OR name LIKE 'rtree_%')",
        (layer.name,),
    ).fetchall()
    for trigger, _ in triggers:
        connection.execute(sql("DROP TRIGGER {name}", name=trigger))
    columns, srs_id, geometry_column = ["fid", *layer.fields], 0, ""
    if layer.spatial:
        geometry_column, srs_id = connection.execute(
            "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?)", (layer.name,)
        ).fetchone()
        columns.insert(1, geometry_column)
    insert = sql("VALUES ({marks})", {"marks": placeholders(len(columns))})
    connection.executemany(_insert(layer.name, columns) + insert, layer.rows(srs_id))
    if layer.index is not None and layer.index[0]:
        rtree = "rtree_" + layer.name + "_" + geometry_column
        if connection.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (rtree,)).fetchone():
            connection.executemany(sql("INSERT INTO {rtree} VALUES (?, ?, ?, ?, ?)", rtree=rtree), zip(*layer.index))
        _, min_x, max_x, min_y, max_y = layer.index
        # as GDAL writes it: printed by SQLite with %.18g (16 digits at most) and read back
        connection.execute(
            "UPDATE gpkg_contents SET min_x = CAST(printf('%.18g', ?) AS REAL), "
            "min_y = CAST(printf('%.18g', ?) AS REAL), max_x = CAST(printf('%.18g', ?) AS REAL), "
            "max_y = CAST(printf('%.18g', ?) AS REAL) "
            "WHERE lower(table_name) = lower(?)",
            (min(min_x), min(min_y), max(max_x), max(max_y), layer.name),
        )
    for _, text in triggers:
        connection.execute(text)
    connection.execute(
        "UPDATE gpkg_ogr_contents SET feature_count = ? WHERE lower(table_name) = lower(?)", (layer.count, layer.name)
    )


def package_rows(package: Path, table: str, columns: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``table`` of the export's GeoPackage in feature id order (``columns``), read
    as they are stored: what was copied in, for the CSV of the same table."""
    connection = sqlite3.connect(package.absolute().as_uri() + "?mode=ro", uri=True)
    try:
        statement = sql(
            "SELECT {columns} FROM {table} ORDER BY fid",
            {"table": quote_identifier(table), "columns": ", ".join(quote_identifier(c) for c in columns)},
        )
        yield from connection.execute(statement)
    finally:
        connection.close()


class _File(Protocol):
    @property
    def path(self) -> Path: ...


_IN_FORCE = sql(
    "SELECT {columns} FROM (SELECT structure_id AS sid, max(observed_on) AS day FROM {table} "
    "WHERE observed_on <= ? GROUP BY structure_id) JOIN {table} ON structure_id = sid AND observed_on = day",
    columns=OBS_COLUMNS,
    table=schema.OBSERVATIONS.name,
)
"""Each structure's observation in force at a date: the latest date on or before it per
structure, from the (structure, date) index alone, then that one row."""


def _status_case(status_names: Mapping[str, str]) -> tuple[str, list[str]]:
    """``CASE status WHEN ? THEN ? … ELSE status END`` and its parameters (values as parameters)."""
    if not status_names:
        return "status", []
    whens = " ".join("WHEN ? THEN ?" for _ in status_names)
    parameters = [value for pair in status_names.items() for value in pair]
    return sql("CASE status {whens} ELSE status END", {"whens": whens}), parameters


_COPY_ORDER = " ORDER BY 1, 2, 11, 12, 13"
"""Structure, date, archive time (current last), current before archived, then store order:
the order of :func:`export_rows`."""


def _copy_select(with_history: bool, status_names: Mapping[str, str]) -> tuple[str, list[str]]:
    """The SELECT of every observation in export order: ten values named ``c1`` … ``c10``,
    then the three sort keys."""
    status, parameters = _status_case(status_names)
    kept = ("structure_id", "observed_on", "image_id", status, "confidence", "analyst", "recorded_at", "notes")
    named = ", ".join(sql("{value} AS {name}", {"value": value}, name=f"c{n + 1}") for n, value in enumerate(kept))
    current = sql(
        "SELECT {named}, NULL AS c9, NULL AS c10, {last} AS at_key, 0 AS arm, fid FROM src.{table}",
        {"named": named, "last": "'" + _CURRENT_LAST + "'"},
        table=schema.OBSERVATIONS.name,
    )
    if not with_history:  # in the order of the (structure, date) index: nothing to sort
        return current + " ORDER BY 1, 2", parameters
    archived = sql(
        "SELECT {kept}, archived_at, reason, coalesce(nullif(archived_at, ''), {last}), 1, fid FROM src.{table}",
        {"kept": ", ".join(kept), "last": "'" + _CURRENT_LAST + "'"},
        table=schema.OBSERVATION_HISTORY.name,
    )
    return current + " UNION ALL " + archived + _COPY_ORDER, parameters * 2


def _in_force_columns(path: Path, dates: Sequence[str]) -> list[InForceColumns]:
    """The observations in force at each of ``dates`` in the GeoPackage at ``path`` as columns:
    the rows SQLite hands over, turned into columns in C (no object per observation)."""
    if not dates:
        return []
    connection = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True, timeout=5)
    try:
        found = []
        for date in dates:
            found.append(_columns(connection.execute(_IN_FORCE, (date,)).fetchall()))
        return found
    except sqlite3.OperationalError as error:
        raise SiteWatchError(f"Cannot read the observations of {path}: {error}.") from None
    finally:
        connection.close()


class GeoPackageExportRows:
    """The GeoPackage store's forms (mixed into ``GeoPackageStore``)."""

    def observations_at_columns(self: _File, dates: Sequence[str]) -> list[InForceColumns]:
        geopackage_checks.roll_back_interrupted(self.path)
        return _in_force_columns(self.path, dates)

    def observations_at_columns_aside(self: _File, dates: Sequence[str]) -> Callable[[], list[InForceColumns]]:
        # SQLite lets go of Python's lock while it steps: the caller reads the structures meanwhile
        geopackage_checks.roll_back_interrupted(self.path)  # here, before anything else reads
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sitewatch-in-force")
        future = pool.submit(_in_force_columns, self.path, dates)
        pool.shutdown(wait=False)
        return future.result

    def copy_observation_rows(
        self: _File, package: Path, table: str, columns: Sequence[str], status_names: Mapping[str, str]
    ) -> int:
        geopackage_checks.roll_back_interrupted(self.path)
        archive = schema.OBSERVATION_HISTORY.name not in missing_internal(self.path)
        connection = _connect_package(package)
        try:
            connection.execute("ATTACH DATABASE ? AS src", (self.path.absolute().as_uri() + "?mode=ro",))
            archived = (
                archive
                and connection.execute(
                    sql("SELECT EXISTS (SELECT 1 FROM src.{table})", table=schema.OBSERVATION_HISTORY.name)
                ).fetchone()[0]
            )
            # merging in archived rows sorts within each (structure, date): only when there are some
            select, parameters = _copy_select(bool(archived), status_names)
            statement = _insert(table, columns) + sql(
                "SELECT {columns} FROM ({select})",
                {"select": select},
                columns=[f"c{n + 1}" for n in range(len(columns))],
            )
            return _fill(connection, table, lambda: connection.execute(statement, parameters).rowcount)
        except sqlite3.OperationalError as error:
            raise SiteWatchError(f"Cannot copy the observations of {self.path}: {error}.") from None
        finally:
            connection.close()
