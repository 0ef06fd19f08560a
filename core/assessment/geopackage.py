"""The GeoPackage implementation of the assessment store: one site in one ``.gpkg`` file.

Observations are written with SQLite transactions (``BEGIN IMMEDIATE``), features through OGR
transactions (:mod:`.geopackage_features`), change scores in their own attribute table
(:mod:`.geopackage_scores`). Nothing outside these modules opens an assessment for writing.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from osgeo import gdal, ogr, osr
from qgis.core import Qgis, QgsCoordinateReferenceSystem, QgsGeometry, QgsVectorLayer

from ..errors import NotAnAssessmentError, SiteWatchError
from . import (
    geopackage_checks,
    geopackage_columns,
    geopackage_features,
    geopackage_scores,
    schema,
    upgrade,
)
from .export_rows import GeoPackageExportRows
from .geopackage_adopt import contract_problems, is_adopted, missing_internal, require_adopted
from .geopackage_bulk import GeoPackageImports
from .geopackage_cell_store import GeoPackageCells
from .geopackage_checks import MAX_NAME_BYTES, check_whole, fresh_temp, locked_message, why_unopenable, write_locked
from .geopackage_sql import OBS_COLUMNS, OgrSql, archive, insert, placeholders, row_to_observation, sql
from .geopackage_validation_store import GeoPackageValidations
from .observations import Observation, now_iso
from .records import ChangeScoreRow, FeatureRecord, ObservationColumns, StoredChangeScore
from .store import AssessmentStore, missing_structure_message
from .styles import STYLE_NAME, default_style_layers

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()


_OGR_FIELD_TYPE = {
    "TEXT": ogr.OFTString,
    "DATE": ogr.OFTDate,
    "DATETIME": ogr.OFTDateTime,
    "REAL": ogr.OFTReal,
    "INTEGER": ogr.OFTInteger64,
}


_OGR_GEOMETRY = {
    None: ogr.wkbNone,
    "Point": ogr.wkbPoint,
    "Polygon": ogr.wkbPolygon,
    "MultiPolygon": ogr.wkbMultiPolygon,
    "MultiLineString": ogr.wkbMultiLineString,
}


_SELECT_BY_KEY = sql(
    "SELECT {columns} FROM {table} WHERE structure_id = ? AND observed_on = ?",
    columns=OBS_COLUMNS,
    table=schema.OBSERVATIONS.name,
)


_STRUCTURE_EXISTS = sql("SELECT 1 FROM {table} WHERE structure_id = ?", table=schema.STRUCTURES.name)


class GeoPackageStore(GeoPackageImports, GeoPackageCells, GeoPackageValidations, GeoPackageExportRows, AssessmentStore):
    """An assessment in one GeoPackage file."""

    def __init__(self, path: str | os.PathLike[str], *, _checked: bool = False):
        if not _checked:
            raise TypeError("Use GeoPackageStore.open() or GeoPackageStore.create().")
        self.path = Path(path).resolve()

    # -- creating and opening -------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        crs: QgsCoordinateReferenceSystem,
        overwrite: bool = False,
        site_name: str | None = None,
    ) -> GeoPackageStore:
        """Create a new, empty assessment at ``path`` (written aside, then moved in place)."""
        target = Path(path).expanduser().absolute()
        if target.suffix.lower() != ".gpkg":
            raise SiteWatchError(f"'{target.name}' must end in .gpkg: an assessment is a GeoPackage.")
        if len(target.name.encode()) > MAX_NAME_BYTES:
            raise SiteWatchError(
                f"The file name '{target.name[:40]}…' is too long ({len(target.name)} characters; at most "
                f"{MAX_NAME_BYTES} bytes): choose a shorter name. The site name itself may be longer (SITE_NAME)."
            )
        if not target.parent.is_dir():
            raise SiteWatchError(f"The folder '{target.parent}' does not exist; create it first or pick another.")
        if target.exists() and not overwrite:
            raise SiteWatchError(f"'{target}' already exists; choose another name or allow overwriting it.")
        if target.is_dir():
            raise SiteWatchError(f"'{target}' is a folder, not a file name.")
        if not crs.isValid():
            raise SiteWatchError("The assessment needs a valid CRS (e.g. the UTM zone of the site).")
        temp = fresh_temp(target)
        try:
            cls._write_empty(temp, crs, site_name or target.stem)
            store = cls(temp, _checked=True)
            store._save_default_styles(default_style_layers(store))
            with write_locked(target):
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
                for field in layer_def.fields + schema.OPTIONAL_FIELDS.get(layer_def.name, ()):
                    layer.CreateField(ogr.FieldDefn(field.name, _OGR_FIELD_TYPE[field.kind]))
                for field in layer_def.fields:
                    if field.unique:
                        dataset.ExecuteSQL(
                            f'CREATE UNIQUE INDEX "{layer_def.name}_{field.name}_unique" '
                            f'ON "{layer_def.name}" ("{field.name}")'
                        )
            dataset.ExecuteSQL(
                'CREATE UNIQUE INDEX "observations_structure_date" ON "observations" ("structure_id", "observed_on")'
            )
            dataset.ExecuteSQL('CREATE INDEX "observation_history_structure" ON "observation_history" ("structure_id")')
            dataset.ExecuteSQL(f'CREATE TABLE "{schema.META_TABLE}" (key TEXT PRIMARY KEY, value TEXT)')
            for key, value in (
                ("schema_version", schema.SCHEMA_VERSION),
                ("site_name", site_name),
                ("created_at", now_iso()),
            ):
                OgrSql(dataset).execute(sql("INSERT INTO {table} VALUES (?, ?)", table=schema.META_TABLE), (key, value))
        finally:
            dataset = None

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> GeoPackageStore:
        """Open an existing assessment after checking it has every contract layer and field
        (nothing is written while checking)."""
        target = Path(path).expanduser().absolute()
        if not target.is_file():
            raise SiteWatchError(f"The assessment '{target}' does not exist.")
        try:
            check_whole(target)
        except SiteWatchError as error:
            raise NotAnAssessmentError(str(error)) from None
        try:
            dataset = gdal.OpenEx(str(target), gdal.OF_VECTOR | gdal.OF_READONLY, allowed_drivers=["GPKG"])
        except RuntimeError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise SiteWatchError(locked_message(target)) from None
            dataset = None
        if dataset is None:
            raise NotAnAssessmentError(why_unopenable(target))
        try:
            problems = contract_problems(dataset)
        finally:
            dataset = None
        if problems:
            raise NotAnAssessmentError(
                f"'{target}' is not a SiteWatch assessment: {'; '.join(problems)}. "
                "Create one with SiteWatch ▸ New assessment (sitewatch:createassessment)."
            )
        upgraded = upgrade.upgrade(target) if is_adopted(target) else None  # made elsewhere: read as it is
        store = cls(target, _checked=True)
        store._opening_notes = (upgraded.message(),) if upgraded else ()
        return store

    # -- the interface --------------------------------------------------------------------

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def provider(self) -> str:
        return "ogr"

    def read_only_reason(self) -> str | None:
        if not is_adopted(self.path):
            return (
                f"{self.path} was made outside SiteWatch: you can look at it and export it; adopt it "
                "(sitewatch:adoptassessment) to record states or draw."
            )
        if os.access(self.path, os.W_OK):
            return None
        return f"{self.path} is read-only for you: you can look at it and export it, but not record states or draw."

    def layer_uri(self, name: str) -> str:
        if schema.layer_def(name) is None:
            raise SiteWatchError(f"'{name}' is not a SiteWatch layer.")
        return f"{self.path}|layername={name}"

    def crs(self) -> QgsCoordinateReferenceSystem:
        return self.layer(schema.STRUCTURES.name).crs()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One SQLite transaction; committed on success, rolled back on any error."""
        require_adopted(self.path)
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

    def _read(self, sql: str, parameters: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        geopackage_checks.roll_back_interrupted(self.path)  # a read-only connection cannot
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5)
        try:
            return connection.execute(sql, parameters).fetchall()
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise SiteWatchError(
                    f"{self.path} is locked by another program; close the other program's edit session and try again."
                ) from None
            raise
        finally:
            connection.close()

    def _write(self, connection: sqlite3.Connection, observation: Observation) -> Observation | None:
        observation = observation.validated()
        if connection.execute(_STRUCTURE_EXISTS, (observation.structure_id,)).fetchone() is None:
            raise SiteWatchError(missing_structure_message(observation.structure_id, self.location))
        key = (observation.structure_id, observation.observed_on)
        old = connection.execute(_SELECT_BY_KEY, key).fetchone()
        if old is not None:
            archive(connection, "structure_id = ? AND observed_on = ?", key, "replaced")
        insert(connection, observation)
        return None if old is None else row_to_observation(old)

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
            old = connection.execute(_SELECT_BY_KEY, key).fetchone()
            if old is not None:
                archive(connection, "structure_id = ? AND observed_on = ?", key, reason)
        return None if old is None else row_to_observation(old)

    def observations(self, structure_ids: Sequence[str] | None = None) -> list[Observation]:
        where = "1 = 1"
        parameters: Sequence[object] = ()
        if structure_ids is not None:
            where = sql("{id} IN ({marks})", {"marks": placeholders(len(structure_ids))}, id="structure_id")
            parameters = tuple(structure_ids)
        statement = sql(
            "SELECT {columns} FROM {table} WHERE {where} ORDER BY structure_id, observed_on",
            {"where": where},
            columns=OBS_COLUMNS,
            table=schema.OBSERVATIONS.name,
        )
        return [row_to_observation(r) for r in self._read(statement, parameters)]

    def observation_columns(self) -> ObservationColumns:
        return geopackage_columns.observation_columns(self.path)

    def history(self, structure_id: str | None = None) -> list[tuple[Observation, str, str]]:
        if schema.OBSERVATION_HISTORY.name in missing_internal(self.path):
            return []  # a GeoPackage made elsewhere, not adopted: no history yet
        where, parameters = ("structure_id = ?", (structure_id,)) if structure_id is not None else ("1 = 1", ())
        statement = sql(
            "SELECT {columns}, archived_at, reason FROM {table} WHERE {where} ORDER BY fid",
            {"where": where},
            columns=OBS_COLUMNS,
            table=schema.OBSERVATION_HISTORY.name,
        )
        rows = self._read(statement, parameters)
        return [(row_to_observation(r[:-2]), r[-2], r[-1]) for r in rows]

    def archive_observations_of(self, structure_ids: Sequence[str], reason: str) -> int:
        if not structure_ids:
            return 0
        where = sql("{id} IN ({marks})", {"marks": placeholders(len(structure_ids))}, id="structure_id")
        with self._transaction() as connection:
            return archive(connection, where, tuple(structure_ids), reason)

    def next_id(self, layer_name: str) -> str:
        layer_def = schema.LAYER_BY_NAME[layer_name]
        if layer_def.id_field is None or layer_def.id_prefix is None:
            raise SiteWatchError(f"Layer '{layer_name}' has no id field.")
        prefix = layer_def.id_prefix
        try:
            rows = self._read(
                sql("SELECT {id} FROM {table} WHERE {id} LIKE ?", id=layer_def.id_field, table=layer_name),
                (prefix + "%",),
            )
        except sqlite3.Error as error:
            raise SiteWatchError(f"Reading {self.path} failed: {error}; nothing was written.") from None
        numbers = [int(r[0][len(prefix) :]) for r in rows if r[0] and r[0][len(prefix) :].isdigit()]
        return f"{prefix}{max(numbers, default=0) + 1:04d}"

    def metadata(self) -> dict[str, str]:
        try:
            return dict(self._read(sql("SELECT key, value FROM {table}", table=schema.META_TABLE)))
        except sqlite3.OperationalError:
            return {}

    # -- features and change scores -------------------------------------------------------

    def add_feature(self, record: FeatureRecord, observations: Iterable[Observation] = ()) -> None:
        geopackage_features.add(self.location, record, [o.validated() for o in observations])

    def get_feature(self, layer_name: str, feature_id: str) -> FeatureRecord | None:
        return geopackage_features.get(self.location, layer_name, feature_id)

    def delete_feature(self, layer_name: str, feature_id: str, reason: str) -> FeatureRecord:
        return geopackage_features.delete(self.location, layer_name, feature_id, reason)

    def update_feature(
        self,
        layer_name: str,
        feature_id: str,
        geometry: QgsGeometry | None = None,
        attributes: dict[str, object] | None = None,
    ) -> FeatureRecord:
        return geopackage_features.update(self.location, layer_name, feature_id, geometry, attributes)

    def save_change_scores(self, before_image: str, after_image: str, rows: Iterable[ChangeScoreRow]) -> int:
        return geopackage_scores.save(self.location, before_image, after_image, rows)

    def change_scores(self, before_image: str, after_image: str) -> dict[str, StoredChangeScore]:
        return geopackage_scores.load(self.location, before_image, after_image)

    def _save_default_styles(self, layers: Iterable[QgsVectorLayer]) -> None:
        """Keep each layer's renderer as its default style in the ``layer_styles`` table."""
        for layer in layers:
            error = layer.saveStyleToDatabase(STYLE_NAME, "Created by SiteWatch", True, "")
            if error:
                raise SiteWatchError(
                    f"Could not store the default style of '{layer.name()}' in {self.location}: {error}"
                )
