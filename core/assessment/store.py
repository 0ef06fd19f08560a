"""The assessment store: one site's layers and observations behind one small interface.

:class:`AssessmentStore` is what the rest of SiteWatch uses. :class:`GeoPackageStore` is
the GeoPackage implementation; every GeoPackage-only SQL statement lives in it, so that an
assessment can later live in a PostGIS database shared by a team without touching callers.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from osgeo import gdal, ogr, osr
from qgis.core import Qgis, QgsCoordinateReferenceSystem, QgsFeature, QgsGeometry, QgsVectorLayer

from ..annotation.compounds import CompoundIndex
from ..errors import NotAnAssessmentError, SiteWatchError
from . import schema
from .observations import Observation, now_iso

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()


class AssessmentStore(ABC):
    """One site's assessment, wherever it is stored."""

    @property
    @abstractmethod
    def location(self) -> str:
        """A human-readable name of where the assessment lives (shown in messages)."""

    @property
    @abstractmethod
    def provider(self) -> str:
        """The QGIS data provider key of the layers (``ogr``, ``postgres``)."""

    @abstractmethod
    def layer_uri(self, name: str) -> str:
        """The QGIS data source URI of the contract layer ``name``."""

    def layer(self, name: str) -> QgsVectorLayer:
        """The contract layer ``name`` as a (not yet project-registered) QGIS layer."""
        layer = QgsVectorLayer(self.layer_uri(name), name, self.provider)
        if not layer.isValid():
            raise SiteWatchError(f"Cannot open layer '{name}' of {self.location}.")
        return layer

    @abstractmethod
    def crs(self) -> QgsCoordinateReferenceSystem:
        """The CRS of the assessment's geometry layers."""

    @abstractmethod
    def record_observation(self, observation: Observation) -> Observation | None:
        """Write ``observation`` in one transaction, replacing the one with the same
        structure and date; the replaced row goes to ``observation_history`` and is returned."""

    @abstractmethod
    def record_observations(self, observations: Iterable[Observation]) -> int:
        """Write many observations in one transaction (replacing as above); returns the count."""

    @abstractmethod
    def remove_observation(self, structure_id: str, observed_on: str, reason: str) -> Observation | None:
        """Remove one observation, archiving it in ``observation_history`` with ``reason``."""

    @abstractmethod
    def observations(self, structure_ids: Sequence[str] | None = None) -> list[Observation]:
        """Every current observation (of the given structures only, when given)."""

    @abstractmethod
    def history(self, structure_id: str | None = None) -> list[tuple[Observation, str, str]]:
        """Archived observations as (observation, archived_at, reason), oldest first."""

    @abstractmethod
    def archive_observations_of(self, structure_ids: Sequence[str], reason: str) -> int:
        """Move every observation of ``structure_ids`` to the history (structures deleted)."""

    @abstractmethod
    def next_id(self, layer_name: str) -> str:
        """A new stable id for a feature of ``layer_name`` (e.g. ``S-0042``)."""

    @abstractmethod
    def metadata(self) -> dict[str, str]:
        """The assessment's key/value metadata (site name, schema version)."""

    def add_features(self, layer_name: str, rows: Iterable[dict]) -> int:
        """Add features given as field dicts (``geometry`` a QgsGeometry or WKT) in one
        commit; returns how many were added."""
        layer = self.layer(layer_name)
        names = [f.name() for f in layer.fields()]
        features = []
        for row in rows:
            feature = QgsFeature(layer.fields())
            for key, value in row.items():
                if key == "geometry":
                    geometry = value if isinstance(value, QgsGeometry) else QgsGeometry.fromWkt(value)
                    polygon = geometry.type() == Qgis.GeometryType.Polygon
                    if layer.isSpatial() and polygon and not geometry.isMultipart():
                        geometry.convertToMultiType()
                    feature.setGeometry(geometry)
                elif key in names:
                    feature.setAttribute(key, value)
                else:
                    raise SiteWatchError(f"Layer '{layer_name}' of {self.location} has no field '{key}'.")
            features.append(feature)
        ok, _ = layer.dataProvider().addFeatures(features)
        if not ok:
            errors = "; ".join(layer.dataProvider().errors())
            raise SiteWatchError(f"Could not add features to '{layer_name}' of {self.location}: {errors}")
        return len(features)

    def refresh_compound_ids(self) -> int:
        """Set every structure's ``compound_id`` from geometry; returns how many changed."""
        compounds = self.layer(schema.COMPOUNDS.name)
        index = CompoundIndex(
            (f["compound_id"], f.geometry()) for f in compounds.getFeatures()
        )
        structures = self.layer(schema.STRUCTURES.name)
        field = structures.fields().indexOf("compound_id")
        changes = {}
        for feature in structures.getFeatures():
            compound = index.assign(feature.geometry())
            current = feature["compound_id"]
            current = None if current in (None, "") or current != current else current
            if compound != current:
                changes[feature.id()] = {field: compound}
        if changes and not structures.dataProvider().changeAttributeValues(changes):
            raise SiteWatchError(f"Could not update compound_id in {self.location}.")
        return len(changes)


def _ogr_field_type(kind: str) -> int:
    return {
        "TEXT": ogr.OFTString,
        "DATE": ogr.OFTDate,
        "DATETIME": ogr.OFTDateTime,
        "REAL": ogr.OFTReal,
        "INTEGER": ogr.OFTInteger64,
    }[kind]


_OGR_GEOMETRY = {
    None: ogr.wkbNone,
    "Point": ogr.wkbPoint,
    "Polygon": ogr.wkbPolygon,
    "MultiPolygon": ogr.wkbMultiPolygon,
    "MultiLineString": ogr.wkbMultiLineString,
}

_OBS_COLUMNS = tuple(f.name for f in schema.OBSERVATION_FIELDS)


def _sql_literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


class _OgrSql:
    """Runs the store's parameterised statements through an OGR dataset, so they join the
    transaction open on it (OGR's ExecuteSQL takes no parameters: values go in as literals)."""

    rowcount = -1

    def __init__(self, dataset: ogr.DataSource):
        self.dataset = dataset

    def execute(self, sql: str, parameters: Sequence = ()) -> _OgrSql:
        pieces = sql.split("?")
        if len(pieces) != len(parameters) + 1:
            raise ValueError(f"{len(parameters)} parameters for {len(pieces) - 1} placeholders in {sql}")
        text = pieces[0] + "".join(_sql_literal(v) + piece for v, piece in zip(parameters, pieces[1:]))
        self.dataset.ExecuteSQL(text)
        return self


def _row_to_observation(row: Sequence) -> Observation:
    return Observation(**dict(zip(_OBS_COLUMNS, row)))


class GeoPackageStore(AssessmentStore):
    """An assessment in one GeoPackage file."""

    def __init__(self, path: str | os.PathLike, *, _checked: bool = False):
        if not _checked:
            raise TypeError("Use GeoPackageStore.open() or GeoPackageStore.create().")
        self.path = Path(path).resolve()

    # -- creating and opening -------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | os.PathLike,
        crs: QgsCoordinateReferenceSystem,
        overwrite: bool = False,
        site_name: str | None = None,
    ) -> GeoPackageStore:
        """Create a new, empty assessment at ``path`` (written aside, then moved in place)."""
        from .styles import store_default_styles

        target = Path(path).expanduser().absolute()
        if target.suffix.lower() != ".gpkg":
            raise SiteWatchError(f"'{target.name}' must end in .gpkg: an assessment is a GeoPackage.")
        if not target.parent.is_dir():
            raise SiteWatchError(f"The folder '{target.parent}' does not exist; create it first or pick another.")
        if target.exists() and not overwrite:
            raise SiteWatchError(
                f"'{target}' already exists; choose another name or allow overwriting it."
            )
        if target.is_dir():
            raise SiteWatchError(f"'{target}' is a folder, not a file name.")
        if not crs.isValid():
            raise SiteWatchError("The assessment needs a valid CRS (e.g. the UTM zone of the site).")
        temp = target.with_name(f".{target.stem}.{os.getpid()}.tmp.gpkg")
        try:
            cls._write_empty(temp, crs, site_name or target.stem)
            store = cls(temp, _checked=True)
            store_default_styles(store)
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            os.replace(temp, target)
        except (OSError, RuntimeError) as error:
            raise SiteWatchError(
                f"Cannot write the assessment '{target}': {error}. "
                "Check that the folder is writable and has free space."
            ) from None
        finally:
            for leftover in (temp, Path(str(temp) + "-wal"), Path(str(temp) + "-shm")):
                leftover.unlink(missing_ok=True)
        return cls(target, _checked=True)

    @staticmethod
    def _write_empty(path: Path, crs: QgsCoordinateReferenceSystem, site_name: str) -> None:
        srs = osr.SpatialReference()
        srs.ImportFromWkt(crs.toWkt(Qgis.CrsWktVariant.PreferredGdal))
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
        try:
            for layer_def in schema.LAYERS:
                spatial = layer_def.geometry is not None
                layer = dataset.CreateLayer(
                    layer_def.name,
                    srs if spatial else None,
                    _OGR_GEOMETRY[layer_def.geometry],
                    ["FID=fid", "GEOMETRY_NAME=geom"] if spatial else ["FID=fid"],
                )
                for field in layer_def.fields:
                    layer.CreateField(ogr.FieldDefn(field.name, _ogr_field_type(field.kind)))
                for field in layer_def.fields:
                    if field.unique:
                        dataset.ExecuteSQL(
                            f'CREATE UNIQUE INDEX "{layer_def.name}_{field.name}_unique" '
                            f'ON "{layer_def.name}" ("{field.name}")'
                        )
            dataset.ExecuteSQL(
                'CREATE UNIQUE INDEX "observations_structure_date" '
                'ON "observations" ("structure_id", "observed_on")'
            )
            dataset.ExecuteSQL(
                'CREATE INDEX "observation_history_structure" ON "observation_history" ("structure_id")'
            )
            dataset.ExecuteSQL(f'CREATE TABLE "{schema.META_TABLE}" (key TEXT PRIMARY KEY, value TEXT)')
            for key, value in (("schema_version", schema.SCHEMA_VERSION), ("site_name", site_name),
                               ("created_at", now_iso())):
                quoted = value.replace("'", "''")
                dataset.ExecuteSQL(f"INSERT INTO \"{schema.META_TABLE}\" VALUES ('{key}', '{quoted}')")
        finally:
            dataset = None

    @classmethod
    def open(cls, path: str | os.PathLike) -> GeoPackageStore:
        """Open an existing assessment after checking it has every contract layer and field.

        Nothing is written while checking."""
        target = Path(path).expanduser().absolute()
        if not target.is_file():
            raise SiteWatchError(f"The assessment '{target}' does not exist.")
        try:
            dataset = gdal.OpenEx(str(target), gdal.OF_VECTOR | gdal.OF_READONLY, allowed_drivers=["GPKG"])
        except RuntimeError:
            dataset = None
        if dataset is None:
            raise NotAnAssessmentError(f"'{target}' is not a GeoPackage; open a SiteWatch assessment (.gpkg).")
        try:
            problems = []
            for layer_def in schema.LAYERS:
                layer = dataset.GetLayerByName(layer_def.name)
                if layer is None:
                    problems.append(f"layer '{layer_def.name}' is missing")
                    continue
                defn = layer.GetLayerDefn()
                present = {defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())}
                missing = [f for f in layer_def.field_names() if f not in present]
                if missing:
                    problems.append(f"layer '{layer_def.name}' lacks field(s) {', '.join(missing)}")
        finally:
            dataset = None
        if problems:
            raise NotAnAssessmentError(
                f"'{target}' is not a SiteWatch assessment: {'; '.join(problems)}. "
                "Create one with SiteWatch ▸ New assessment (sitewatch:createassessment)."
            )
        return cls(target, _checked=True)

    # -- the interface --------------------------------------------------------------------

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def provider(self) -> str:
        return "ogr"

    def layer_uri(self, name: str) -> str:
        if name not in schema.LAYER_BY_NAME:
            raise SiteWatchError(f"'{name}' is not a SiteWatch layer.")
        return f"{self.path}|layername={name}"

    def crs(self) -> QgsCoordinateReferenceSystem:
        return self.layer(schema.STRUCTURES.name).crs()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One SQLite transaction; committed on success, rolled back on any error."""
        try:
            connection = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        except sqlite3.Error as error:
            raise SiteWatchError(f"Cannot open {self.path}: {error}.") from None
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        except sqlite3.OperationalError as error:
            message = str(error)
            if "locked" in message or "busy" in message:
                raise SiteWatchError(
                    f"{self.path} is locked by another program; nothing was written. "
                    "Close the other program's edit session and try again."
                ) from None
            if "readonly" in message:
                raise SiteWatchError(f"{self.path} is read-only; nothing was written.") from None
            raise SiteWatchError(f"Writing {self.path} failed: {message}; nothing was written.") from None
        finally:
            connection.close()

    def _read(self, sql: str, parameters: Sequence = ()) -> list[tuple]:
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5)
        try:
            return connection.execute(sql, parameters).fetchall()
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise SiteWatchError(
                    f"{self.path} is locked by another program; close the other program's edit "
                    "session and try again."
                ) from None
            raise
        finally:
            connection.close()

    @staticmethod
    def _archive(connection: sqlite3.Connection | _OgrSql, where: str, parameters: Sequence, reason: str) -> int:
        columns = ", ".join(_OBS_COLUMNS)
        cursor = connection.execute(
            f"INSERT INTO observation_history ({columns}, archived_at, reason) "
            f"SELECT {columns}, ?, ? FROM observations WHERE {where}",
            (now_iso(), reason, *parameters),
        )
        connection.execute(f"DELETE FROM observations WHERE {where}", parameters)
        return cursor.rowcount

    @staticmethod
    def _insert(connection: sqlite3.Connection | _OgrSql, observation: Observation) -> None:
        connection.execute(
            f"INSERT INTO observations ({', '.join(_OBS_COLUMNS)}) VALUES ({', '.join('?' * len(_OBS_COLUMNS))})",
            tuple(getattr(observation, c) for c in _OBS_COLUMNS),
        )

    def archive_observations_in(self, dataset: ogr.DataSource, structure_ids: Sequence[str], reason: str) -> None:
        """Like :meth:`archive_observations_of`, inside the transaction the caller holds open on
        ``dataset`` (this assessment opened with OGR), so it commits or rolls back with it."""
        if structure_ids:
            where = f"structure_id IN ({', '.join('?' * len(structure_ids))})"
            self._archive(_OgrSql(dataset), where, tuple(structure_ids), reason)

    def restore_observations_in(self, dataset: ogr.DataSource, observations: Iterable[Observation]) -> None:
        """Write archived ``observations`` back as current ones inside the caller's transaction
        on ``dataset`` (see :meth:`archive_observations_in`)."""
        executor = _OgrSql(dataset)
        for observation in observations:
            self._insert(executor, observation.validated())

    def _write(self, connection: sqlite3.Connection, observation: Observation) -> Observation | None:
        observation = observation.validated()
        key = (observation.structure_id, observation.observed_on)
        old = connection.execute(
            f"SELECT {', '.join(_OBS_COLUMNS)} FROM observations WHERE structure_id = ? AND observed_on = ?",
            key,
        ).fetchone()
        if old is not None:
            self._archive(connection, "structure_id = ? AND observed_on = ?", key, "replaced")
        self._insert(connection, observation)
        return None if old is None else _row_to_observation(old)

    def record_observation(self, observation: Observation) -> Observation | None:
        with self._transaction() as connection:
            return self._write(connection, observation)

    def record_observations(self, observations: Iterable[Observation]) -> int:
        count = 0
        with self._transaction() as connection:
            for observation in observations:
                self._write(connection, observation)
                count += 1
        return count

    def remove_observation(self, structure_id: str, observed_on: str, reason: str) -> Observation | None:
        key = (structure_id, observed_on)
        with self._transaction() as connection:
            old = connection.execute(
                f"SELECT {', '.join(_OBS_COLUMNS)} FROM observations WHERE structure_id = ? AND observed_on = ?",
                key,
            ).fetchone()
            if old is not None:
                self._archive(connection, "structure_id = ? AND observed_on = ?", key, reason)
        return None if old is None else _row_to_observation(old)

    def observations(self, structure_ids: Sequence[str] | None = None) -> list[Observation]:
        sql = f"SELECT {', '.join(_OBS_COLUMNS)} FROM observations"
        parameters: Sequence = ()
        if structure_ids is not None:
            sql += f" WHERE structure_id IN ({', '.join('?' * len(structure_ids))})"
            parameters = tuple(structure_ids)
        return [_row_to_observation(r) for r in self._read(sql + " ORDER BY structure_id, observed_on", parameters)]

    def history(self, structure_id: str | None = None) -> list[tuple[Observation, str, str]]:
        sql = f"SELECT {', '.join(_OBS_COLUMNS)}, archived_at, reason FROM observation_history"
        parameters: Sequence = ()
        if structure_id is not None:
            sql += " WHERE structure_id = ?"
            parameters = (structure_id,)
        rows = self._read(sql + " ORDER BY fid", parameters)
        return [(_row_to_observation(r[:-2]), r[-2], r[-1]) for r in rows]

    def archive_observations_of(self, structure_ids: Sequence[str], reason: str) -> int:
        if not structure_ids:
            return 0
        where = f"structure_id IN ({', '.join('?' * len(structure_ids))})"
        with self._transaction() as connection:
            return self._archive(connection, where, tuple(structure_ids), reason)

    def next_id(self, layer_name: str) -> str:
        layer_def = schema.LAYER_BY_NAME[layer_name]
        if layer_def.id_field is None or layer_def.id_prefix is None:
            raise SiteWatchError(f"Layer '{layer_name}' has no id field.")
        prefix = layer_def.id_prefix
        rows = self._read(
            f'SELECT "{layer_def.id_field}" FROM "{layer_name}" WHERE "{layer_def.id_field}" LIKE ?',
            (prefix + "%",),
        )
        numbers = [int(r[0][len(prefix):]) for r in rows if r[0] and r[0][len(prefix):].isdigit()]
        return f"{prefix}{max(numbers, default=0) + 1:04d}"

    def metadata(self) -> dict[str, str]:
        try:
            return dict(self._read(f'SELECT key, value FROM "{schema.META_TABLE}"'))
        except sqlite3.OperationalError:
            return {}


def open_assessment(path: str | os.PathLike) -> AssessmentStore:
    """Open the assessment at ``path`` (today: a GeoPackage)."""
    return GeoPackageStore.open(path)
