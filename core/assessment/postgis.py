"""The PostGIS implementation of the assessment store: one assessment in one PostgreSQL schema,
shared by a team.

The schema and its rules are built by :mod:`.postgis_schema` (constraints, history, audit and
notifications by triggers, so no client can skip them). Each store method is one transaction
on the store's own connection (re-opened when the server comes back after a drop); the
analyst's name goes to the triggers with ``set_config`` so the audit trail says who did it.
"""

from __future__ import annotations

import contextlib
import getpass
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import psycopg2
import psycopg2.extras
from psycopg2 import sql
from qgis.core import QgsCoordinateReferenceSystem, QgsDataSourceUri, QgsGeometry, QgsVectorLayer, QgsWkbTypes

from ..errors import NotAnAssessmentError, SiteWatchError
from . import postgis_schema, postgis_sql, schema
from .location import DatabaseLocation, parse_database_location
from .observations import Observation, now_iso
from .postgis_bulk import BulkImport
from .postgis_cell_store import PostgisCells
from .postgis_connect import connect, first_line, read_error, write_error
from .postgis_listen import ChangeListener
from .postgis_setup import WRITE_RIGHTS, check_can_create, contract_problems, read_only_reason
from .postgis_validations import ValidationTables
from .records import ChangeScoreRow, FeatureRecord, StoredChangeScore
from .store import AssessmentStore, ObservationConflict, conflict_message
from .styles import STYLE_NAME, default_style_layers

_DB_ERRORS = (psycopg2.Error,)


class PostgisStore(PostgisCells, ValidationTables, BulkImport, AssessmentStore):
    """An assessment in one schema of a PostgreSQL/PostGIS database."""

    def __init__(self, location: DatabaseLocation, srid: int, *, _checked: bool = False):
        if not _checked:
            raise TypeError("Use PostgisStore.open() or PostgisStore.create().")
        self.database = location
        self.srid = srid
        self.analyst = getpass.getuser()
        """Who edits features (observations carry their own analyst); shown in the audit trail."""
        self._connection: Any = None
        self._lock = threading.RLock()

    # -- creating and opening -------------------------------------------------------------

    @classmethod
    def create(
        cls,
        location: str | DatabaseLocation,
        crs: QgsCoordinateReferenceSystem,
        overwrite: bool = False,
        site_name: str | None = None,
    ) -> PostgisStore:
        """Create a new, empty assessment in the schema the location names, in one transaction
        (a failure leaves no schema behind)."""
        database = location if isinstance(location, DatabaseLocation) else parse_database_location(location)
        if not crs.isValid() or crs.postgisSrid() <= 0:
            raise SiteWatchError("The assessment needs a valid CRS with an EPSG code (e.g. the UTM zone of the site).")
        srid = int(crs.postgisSrid())
        connection = connect(database)
        try:
            with connection, connection.cursor() as cursor:
                check_can_create(cursor, database, srid, overwrite)
                for statement in postgis_schema.create_statements(database.schema, srid):
                    cursor.execute(statement)
                cursor.execute(postgis_sql.search_path(database.schema, local=True))
                cursor.executemany(
                    postgis_sql.META_INSERT,
                    [
                        ("schema_version", schema.SCHEMA_VERSION),
                        ("site_name", site_name or database.schema),
                        ("created_at", now_iso()),
                        ("srid", str(srid)),
                    ],
                )
        except psycopg2.errors.InsufficientPrivilege as error:
            raise SiteWatchError(
                f"Your database role may not create the schema '{database.schema}' ({first_line(error)}); "
                "ask the database administrator for CREATE rights on the database. Nothing was created."
            ) from None
        except _DB_ERRORS as error:
            raise SiteWatchError(
                f"Creating the assessment {database} failed: {first_line(error)}. Nothing was created."
            ) from None
        finally:
            connection.close()
        store = cls(database, srid, _checked=True)
        store._save_default_styles(default_style_layers(store))
        return store

    @classmethod
    def open(cls, location: str | DatabaseLocation) -> PostgisStore:
        """Open an existing assessment after checking its schema has every contract table and
        field. Nothing is written while checking."""
        database = location if isinstance(location, DatabaseLocation) else parse_database_location(location)
        connection = connect(database)
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute(
                    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = %s",
                    (database.schema,),
                )
                present: dict[str, set[str]] = {}
                for table, column in cursor.fetchall():
                    present.setdefault(table, set()).add(column)
                srid = 0
                if schema.META_TABLE in present:
                    cursor.execute(postgis_sql.meta_value(database.schema), ("srid",))
                    row = cursor.fetchone()
                    srid = int(row[0]) if row else 0
        except _DB_ERRORS as error:
            raise read_error(error, database) from None
        finally:
            connection.close()
        if not present:
            raise NotAnAssessmentError(
                f"There is no schema '{database.schema}' (or you may not read it) in the database of {database}."
            )
        problems = contract_problems(present)
        if problems or not srid:
            problems = problems or [f"its {schema.META_TABLE} table has no srid"]
            raise NotAnAssessmentError(
                f"{database} is not a SiteWatch assessment: {'; '.join(problems)}. "
                "Create one with sitewatch:createassessment."
            )
        return cls(database, srid, _checked=True)

    # -- connection and transactions ------------------------------------------------------

    def listen(self) -> ChangeListener:
        """A listener to the changes other sessions make (this store's own are left out)."""
        with self._lock:
            own_pid = int(self._cursor_connection().get_backend_pid())
        return ChangeListener(self.database, ignore_pids=(own_pid,))

    def close(self) -> None:
        """Close the store's connection (a later call opens a new one)."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _cursor_connection(self) -> Any:
        if self._connection is None or self._connection.closed:
            self._connection = connect(self.database)
            with self._connection, self._connection.cursor() as cursor:
                cursor.execute(postgis_sql.search_path(self.database.schema))
            self._connection.commit()
        return self._connection

    @contextlib.contextmanager
    def _transaction(self, analyst: str | None = None, reason: str | None = None) -> Iterator[Any]:
        """One transaction on the store's connection: committed on success, rolled back on any
        error, which comes out as a SiteWatchError saying nothing was written."""
        with self._lock:
            connection = self._cursor_connection()
            try:
                with connection, connection.cursor() as cursor:
                    postgis_sql.set_session(cursor, analyst or self.analyst, reason)
                    yield cursor
            except _DB_ERRORS as error:
                self._drop_if_broken(error)
                raise write_error(error, self.database) from None

    def _read(self, statement: str | sql.Composable, parameters: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Rows of one read; a kept connection cut meanwhile (the server restarted) is replaced
        once, as a read is safe to repeat (a write never is: it says so instead)."""
        with self._lock:
            kept = self._connection is not None and not self._connection.closed
            try:
                return self._fetch(statement, parameters)
            except _DB_ERRORS as error:
                self._drop_if_broken(error)
                if not kept or self._connection is not None:
                    raise read_error(error, self.database) from None
            try:
                return self._fetch(statement, parameters)
            except _DB_ERRORS as error:
                self._drop_if_broken(error)
                raise read_error(error, self.database) from None

    def _fetch(self, statement: str | sql.Composable, parameters: Sequence[object]) -> list[tuple[Any, ...]]:
        with self._cursor_connection() as connection, connection.cursor() as cursor:
            cursor.execute(statement, tuple(parameters))
            return list(cursor.fetchall())

    def _drop_if_broken(self, error: BaseException) -> None:
        if isinstance(error, (psycopg2.OperationalError, psycopg2.InterfaceError)):
            with contextlib.suppress(*_DB_ERRORS):
                self._connection.close()
            self._connection = None

    # -- the interface --------------------------------------------------------------------

    @property
    def location(self) -> str:
        return self.database.text()

    @property
    def provider(self) -> str:
        return "postgres"

    def layer_uri(self, name: str) -> str:
        layer_def = schema.layer_def(name)
        if layer_def is None:
            raise SiteWatchError(f"'{name}' is not a SiteWatch layer.")
        uri = QgsDataSourceUri(self.database.conninfo())
        uri.setDataSource(self.database.schema, name, "geom" if layer_def.geometry else "", "", "fid")
        if layer_def.geometry is not None:
            uri.setSrid(str(self.srid))
            uri.setWkbType(QgsWkbTypes.parseType(layer_def.geometry))
        if self.database.authcfg:
            uri.setAuthConfigId(self.database.authcfg)
        return str(uri.uri(False))

    def crs(self) -> QgsCoordinateReferenceSystem:
        return QgsCoordinateReferenceSystem(f"EPSG:{self.srid}")

    def read_only_reason(self) -> str | None:
        return read_only_reason(self._read(WRITE_RIGHTS)[0], self.location)

    def _write(self, cursor: Any, observation: Observation) -> Observation | None:
        old = postgis_sql.select_current(cursor, observation.structure_id, observation.observed_on, lock=True)
        if old is None:
            cursor.execute(postgis_sql.OBS_INSERT_IF_NEW, postgis_sql.observation_values(observation))
            if cursor.rowcount == 1:
                return None
            # Another session inserted it since the check: replace that one (it goes to the history).
            old = postgis_sql.select_current(cursor, observation.structure_id, observation.observed_on, lock=True)
        cursor.execute(postgis_sql.OBS_UPSERT, postgis_sql.observation_values(observation))
        return old

    def record_observation(self, observation: Observation) -> Observation | None:
        observation = observation.validated()
        with self._transaction(observation.analyst) as cursor:
            return self._write(cursor, observation)

    def record_observation_if_unchanged(
        self, observation: Observation, expected: Observation | None
    ) -> Observation | None:
        observation = observation.validated()
        with self._transaction(observation.analyst) as cursor:
            current = postgis_sql.select_current(cursor, observation.structure_id, observation.observed_on, lock=True)
            if current != expected:
                raise ObservationConflict(
                    conflict_message(observation.structure_id, observation.observed_on, current), current
                )
            if current is None:
                cursor.execute(postgis_sql.OBS_INSERT_IF_NEW, postgis_sql.observation_values(observation))
                if cursor.rowcount == 0:  # inserted by another session since the check
                    now = postgis_sql.select_current(cursor, observation.structure_id, observation.observed_on)
                    raise ObservationConflict(
                        conflict_message(observation.structure_id, observation.observed_on, now), now
                    )
                return None
            cursor.execute(postgis_sql.OBS_UPSERT, postgis_sql.observation_values(observation))
            return current

    def record_observations(self, observations: Iterable[Observation]) -> int:
        observations_list = [o.validated() for o in observations]
        rows = [postgis_sql.observation_values(o) for o in observations_list]
        analysts = {o.analyst for o in observations_list}
        with self._transaction(analysts.pop() if len(analysts) == 1 else None) as cursor:
            psycopg2.extras.execute_batch(cursor, postgis_sql.OBS_UPSERT, rows, page_size=500)
        return len(rows)

    def remove_observation(self, structure_id: str, observed_on: str, reason: str) -> Observation | None:
        with self._transaction(reason=reason) as cursor:
            old = postgis_sql.select_current(cursor, structure_id, observed_on, lock=True)
            if old is not None:
                cursor.execute(
                    "DELETE FROM observations WHERE structure_id = %s AND observed_on = %s::date",
                    (structure_id, observed_on),
                )
        return old

    def observations(self, structure_ids: Sequence[str] | None = None) -> list[Observation]:
        where = sql.SQL("WHERE structure_id = ANY(%s)" if structure_ids is not None else "")
        parameters = (list(structure_ids),) if structure_ids is not None else ()
        statement = sql.SQL("SELECT {} FROM observations {} ORDER BY structure_id, observed_on")
        rows = self._read(statement.format(postgis_sql.OBS_SELECT, where), parameters)
        return [postgis_sql.row_to_observation(r) for r in rows]

    def history(self, structure_id: str | None = None) -> list[tuple[Observation, str, str]]:
        archived = postgis_sql.as_text(schema.FieldDef("archived_at", "DATETIME"))
        where = sql.SQL("WHERE structure_id = %s" if structure_id is not None else "")
        parameters = (structure_id,) if structure_id is not None else ()
        statement = sql.SQL("SELECT {}, {}, reason FROM observation_history {} ORDER BY fid")
        rows = self._read(statement.format(postgis_sql.OBS_SELECT, archived, where), parameters)
        return [(postgis_sql.row_to_observation(r[:-2]), r[-2], r[-1]) for r in rows]

    def archive_observations_of(self, structure_ids: Sequence[str], reason: str) -> int:
        if not structure_ids:
            return 0
        with self._transaction(reason=reason) as cursor:
            cursor.execute("DELETE FROM observations WHERE structure_id = ANY(%s)", (list(structure_ids),))
            return int(cursor.rowcount)

    def next_id(self, layer_name: str) -> str:
        layer_def = schema.LAYER_BY_NAME[layer_name]
        if layer_def.id_field is None or layer_def.id_prefix is None:
            raise SiteWatchError(f"Layer '{layer_name}' has no id field.")
        prefix = layer_def.id_prefix
        rows = self._read(
            sql.SQL("SELECT max(substr({0}, %s)::bigint) FROM {1} WHERE {0} ~ %s").format(
                sql.Identifier(layer_def.id_field), sql.Identifier(layer_name)
            ),
            (len(prefix) + 1, "^" + prefix.replace("-", "\\-") + "[0-9]+$"),
        )
        return f"{prefix}{(rows[0][0] or 0) + 1:04d}"

    def metadata(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self._read(postgis_sql.META_SELECT)}

    # -- features and change scores -------------------------------------------------------

    def add_feature(self, record: FeatureRecord, observations: Iterable[Observation] = ()) -> None:
        checked = [o.validated() for o in observations]
        layer_def = schema.LAYER_BY_NAME[record.layer_name]
        with self._transaction() as cursor:
            if postgis_sql.find_feature(cursor, layer_def, record.feature_id) is not None:
                raise SiteWatchError(
                    f"{record.feature_id} already exists in '{record.layer_name}'; nothing was written."
                )
            postgis_sql.insert_feature(cursor, record, self.srid)
            for observation in checked:
                cursor.execute(postgis_sql.OBS_INSERT, postgis_sql.observation_values(observation))

    def get_feature(self, layer_name: str, feature_id: str) -> FeatureRecord | None:
        layer_def = schema.LAYER_BY_NAME[layer_name]
        rows = self._read(postgis_sql.feature_where(layer_def), (feature_id,))
        return postgis_sql.record_from_row(layer_def, rows[0]) if rows else None

    def delete_feature(self, layer_name: str, feature_id: str, reason: str) -> FeatureRecord:
        layer_def = schema.LAYER_BY_NAME[layer_name]
        with self._transaction(reason=reason) as cursor:
            record = postgis_sql.find_feature(cursor, layer_def, feature_id, lock=True)
            if record is None:
                raise SiteWatchError(f"{feature_id} is not in '{layer_name}' (already deleted?).")
            if layer_name == schema.STRUCTURES.name:
                cursor.execute("DELETE FROM observations WHERE structure_id = %s", (feature_id,))
            cursor.execute(postgis_sql.feature_delete(layer_def), (feature_id,))
        return record

    def update_feature(
        self,
        layer_name: str,
        feature_id: str,
        geometry: QgsGeometry | None = None,
        attributes: dict[str, object] | None = None,
    ) -> FeatureRecord:
        layer_def = schema.LAYER_BY_NAME[layer_name]
        with self._transaction() as cursor:
            before = postgis_sql.find_feature(cursor, layer_def, feature_id, lock=True)
            if before is None:
                raise SiteWatchError(f"{feature_id} is not in '{layer_name}' (deleted?).")
            postgis_sql.update_feature(cursor, layer_def, feature_id, self.srid, geometry, attributes or {})
        return before

    def save_change_scores(self, before_image: str, after_image: str, rows: Iterable[ChangeScoreRow]) -> int:
        scored_at = now_iso()
        values = [
            (r.structure_id, before_image, after_image, r.score, r.frac, r.rank, r.suggested, scored_at) for r in rows
        ]
        with self._transaction() as cursor:
            cursor.execute(postgis_sql.SCORES_DELETE, (before_image, after_image))
            psycopg2.extras.execute_values(cursor, postgis_sql.SCORES_INSERT, values, page_size=1000)
        return len(values)

    def change_scores(self, before_image: str, after_image: str) -> dict[str, StoredChangeScore]:
        rows = self._read(postgis_sql.SCORES_SELECT, (before_image, after_image))
        return {sid: StoredChangeScore(score, rank, suggested, frac) for sid, score, rank, suggested, frac in rows}

    def _save_default_styles(self, layers: Iterable[QgsVectorLayer]) -> None:
        """Keep each layer's renderer as its default style (QGIS's ``layer_styles`` table)."""
        for layer in layers:
            error = layer.saveStyleToDatabase(STYLE_NAME, "Created by SiteWatch", True, "")
            if error:
                raise SiteWatchError(
                    f"Could not store the default style of '{layer.name()}' in {self.location}: {error}"
                )
