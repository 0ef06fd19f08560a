"""Upgrading an assessment written by an older SiteWatch: a list of steps, one per schema version.

Each step brings a GeoPackage from the version before it to its ``version``; :func:`upgrade`
runs the pending ones when an assessment is opened. Before anything changes, the file is copied
beside itself (``<name>.v<old>-backup.gpkg``, SQLite's backup API so a write-ahead log is
included); the steps then run on a second copy that replaces the file in one rename, and the
metadata's ``schema_version`` is set. A file that cannot be written is read as it is (readers treat
missing optional fields as empty); a file from a newer SiteWatch is refused. Steps are
idempotent and written through OGR so the GeoPackage's own metadata stays right.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from osgeo import gdal, ogr

from ..errors import SiteWatchError
from . import schema
from .geopackage_checks import write_locked
from .geopackage_sql import sql

gdal.UseExceptions()
ogr.UseExceptions()

_OGR_TYPES = {"DATE": ogr.OFTDate, "TEXT": ogr.OFTString, "REAL": ogr.OFTReal, "INTEGER": ogr.OFTInteger64}


def missing_optional_fields(path: str | os.PathLike[str]) -> dict[str, list[schema.FieldDef]]:
    """The fields added to the contract after schema 1 that ``path`` lacks, by layer."""
    dataset = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_READONLY, allowed_drivers=["GPKG"])
    try:
        missing: dict[str, list[schema.FieldDef]] = {}
        for layer_name, field_defs in schema.OPTIONAL_FIELDS.items():
            layer = dataset.GetLayerByName(layer_name)
            if layer is None:
                continue
            defn = layer.GetLayerDefn()
            present = {defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())}
            absent = [f for f in field_defs if f.name not in present]
            if absent:
                missing[layer_name] = absent
        return missing
    finally:
        dataset = None


def add_optional_fields(path: str | os.PathLike[str]) -> int:
    """Add every missing optional field (``linear_features.removed_on``, DATE, empty); returns
    how many were added."""
    missing = missing_optional_fields(path)
    if not missing:
        return 0
    dataset = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_UPDATE, allowed_drivers=["GPKG"])
    added = 0
    try:
        for layer_name, field_defs in missing.items():
            layer = dataset.GetLayerByName(layer_name)
            for field in field_defs:
                layer.CreateField(ogr.FieldDefn(field.name, _OGR_TYPES[field.kind]))
                added += 1
    finally:
        dataset = None
    return added


@dataclass(frozen=True)
class UpgradeStep:
    version: int
    """The schema version the step brings a file to."""
    description: str
    apply: Callable[[Path], object]
    needed: Callable[[Path], bool]
    """Whether a file still lacks what the step adds (a file may claim a version it does not match)."""


STEPS: tuple[UpgradeStep, ...] = (
    UpgradeStep(
        2,
        "linear_features.removed_on (DATE, empty) added",
        add_optional_fields,
        lambda path: bool(missing_optional_fields(path)),
    ),
)
CURRENT = int(schema.SCHEMA_VERSION)
"""The version new assessments are written with; the last step brings a file to it."""


def file_version(path: str | os.PathLike[str]) -> int | None:
    """The ``schema_version`` in the metadata table; None without one (a file made elsewhere)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = connection.execute(
            sql("SELECT value FROM {table} WHERE key = 'schema_version'", table=schema.META_TABLE)
        ).fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        connection.close()
    try:
        return int(row[0]) if row else 1
    except (TypeError, ValueError):
        return 1


def _copy(source: Path, target: Path) -> None:
    origin, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        origin.backup(copy)
    finally:
        origin.close()
        copy.close()


def backup_path(path: Path, version: int) -> Path:
    """A free name beside ``path`` for its backup before upgrading from ``version``."""
    candidate = path.with_name(f"{path.stem}.v{version}-backup.gpkg")
    number = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.v{version}-backup-{number}.gpkg")
        number += 1
    return candidate


@dataclass(frozen=True)
class Upgraded:
    """What :func:`upgrade` did to a file: from which version, the steps, where the backup is."""

    path: Path
    version: int
    steps: tuple[UpgradeStep, ...]
    backup: Path

    def message(self) -> str:
        """What the analyst is told once, on opening."""
        done = "; ".join(step.description for step in self.steps)
        return (
            f"{self.path.name} was written by an older SiteWatch (schema {self.version}) and was upgraded to "
            f"schema {CURRENT} ({done}). The file as it was is kept in {self.backup}."
        )


def upgrade(path: str | os.PathLike[str]) -> Upgraded | None:
    """Run the pending steps on the assessment at ``path`` (backup first); returns what was done
    (None: nothing was pending, or the file cannot be written and is read as it is)."""
    target = Path(path)
    version = file_version(target)
    if version is None:
        return None
    if version > CURRENT:
        raise SiteWatchError(
            f"'{target.name}' was written by a newer SiteWatch (schema {version}; this one knows up to "
            f"{CURRENT}): update the SiteWatch plugin to open it."
        )
    pending = [step for step in STEPS if step.version > version or step.needed(target)]
    if not pending or not os.access(target, os.W_OK) or not os.access(target.parent, os.W_OK):
        return None
    backup = backup_path(target, version)
    temp = target.with_name(f".{target.stem}.upgrade-{os.getpid()}.gpkg")
    try:
        _copy(target, backup)
        _copy(target, temp)
        for step in pending:
            step.apply(temp)
        connection = sqlite3.connect(temp, isolation_level=None)
        try:
            connection.execute(
                sql(
                    "INSERT OR REPLACE INTO {table} (key, value) VALUES ('schema_version', ?)", table=schema.META_TABLE
                ),
                (str(CURRENT),),
            )
        finally:
            connection.close()
        with write_locked(target):
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            os.replace(temp, target)
    except (OSError, RuntimeError, sqlite3.Error) as error:
        raise SiteWatchError(
            f"Upgrading '{target}' failed ({error}); it was left as it was (a copy is in {backup.name})."
        ) from None
    finally:
        for leftover in (temp, Path(str(temp) + "-wal"), Path(str(temp) + "-shm")):
            leftover.unlink(missing_ok=True)
    return Upgraded(target, version, tuple(pending), backup.absolute())
