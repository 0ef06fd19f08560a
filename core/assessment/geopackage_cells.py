"""Work cells kept in the assessment GeoPackage: the ``work_cells`` polygon layer and the
``cell_transitions`` table (:data:`.schema.WORK_CELLS`, :data:`.schema.CELL_TRANSITIONS`),
created when the lead first splits the work. Cells are added through OGR in one transaction;
a state change reads the cell, checks it with :func:`..teamwork.cells.plan_transition` and
writes it with its transition in one SQLite transaction."""

from __future__ import annotations

import getpass
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace

from osgeo import ogr
from qgis.core import QgsGeometry

from ..errors import SiteWatchError
from ..teamwork.cells import AWAITING_REVIEW, TRANSITION_COLUMNS, UNASSIGNED, CellTransition, WorkCell, plan_transition
from . import schema
from .geopackage_adopt import require_adopted
from .geopackage_sql import sql
from .observations import now_iso

ogr.UseExceptions()

_OGR_TYPES = {"TEXT": ogr.OFTString, "DATETIME": ogr.OFTString, "DATE": ogr.OFTString}
CELL_COLUMNS = schema.WORK_CELLS.field_names()


def _has_table(path: str, table: str) -> bool:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        found = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
        return found.fetchone() is not None
    finally:
        connection.close()


def _create_tables(dataset: ogr.DataSource) -> None:
    """The two team tables, in the structures' CRS, when the file has none yet."""
    structures = dataset.GetLayerByName(schema.STRUCTURES.name)
    srs = structures.GetSpatialRef() if structures is not None else None
    if dataset.GetLayerByName(schema.WORK_CELLS.name) is None:
        layer = dataset.CreateLayer(schema.WORK_CELLS.name, srs, ogr.wkbMultiPolygon, ["FID=fid", "GEOMETRY_NAME=geom"])
        for field in schema.WORK_CELLS.fields:
            layer.CreateField(ogr.FieldDefn(field.name, _OGR_TYPES[field.kind]))
        dataset.ExecuteSQL('CREATE UNIQUE INDEX "work_cells_cell_id_unique" ON "work_cells" ("cell_id")')
    if dataset.GetLayerByName(schema.CELL_TRANSITIONS.name) is None:
        layer = dataset.CreateLayer(schema.CELL_TRANSITIONS.name, None, ogr.wkbNone, ["FID=fid"])
        for field in schema.CELL_TRANSITIONS.fields:
            layer.CreateField(ogr.FieldDefn(field.name, _OGR_TYPES[field.kind]))


@contextmanager
def _ogr_transaction(path: str) -> Iterator[ogr.DataSource]:
    require_adopted(path)
    try:
        dataset = ogr.Open(path, 1)
    except RuntimeError as error:
        raise SiteWatchError(f"Cannot write {path}: {error}; nothing was written.") from None
    if dataset is None:
        raise SiteWatchError(f"{path} is read-only for you; nothing was written.")
    try:
        _create_tables(dataset)
        dataset.StartTransaction()
        try:
            yield dataset
        except BaseException:
            dataset.RollbackTransaction()
            raise
        dataset.CommitTransaction()
    except RuntimeError as error:
        raise SiteWatchError(f"Writing the work cells of {path} failed ({error}); nothing was written.") from None
    finally:
        dataset = None


def write_cells(
    path: str, cells: Sequence[WorkCell], transitions: Sequence[CellTransition] = (), clear: bool = False
) -> int:
    """Write ``cells`` as they are (state included) and ``transitions`` in one transaction (the
    copy of an assessment; new cells go through :func:`add_cells`); ``clear`` first removes
    the cells there were."""
    with _ogr_transaction(path) as dataset:
        if clear:
            dataset.ExecuteSQL(sql("DELETE FROM {table}", table=schema.WORK_CELLS.name))
        layer = dataset.GetLayerByName(schema.WORK_CELLS.name)
        for cell in cells:
            feature = ogr.Feature(layer.GetLayerDefn())
            for name in CELL_COLUMNS:
                value = getattr(cell, name)
                if value is not None:
                    feature.SetField(name, value)
            geometry = ogr.CreateGeometryFromWkb(bytes(cell.geometry.asWkb()))
            if srs := layer.GetSpatialRef():
                geometry.AssignSpatialReference(srs)
            feature.SetGeometry(geometry)
            layer.CreateFeature(feature)
        table = dataset.GetLayerByName(schema.CELL_TRANSITIONS.name)
        for transition in transitions:
            row = ogr.Feature(table.GetLayerDefn())
            for name in TRANSITION_COLUMNS:
                value = getattr(transition, name)
                if value is not None:
                    row.SetField(name, value)
            table.CreateFeature(row)
    return len(cells)


def add_cells(path: str, cells: Sequence[WorkCell], replace_existing: bool) -> int:
    existing = read_cells(path)
    if replace_existing:
        started = [c.cell_id for c in existing if c.state != UNASSIGNED]
        if started:
            raise SiteWatchError(
                f"{len(started)} work cell(s) of {path} are already assigned or reviewed ({', '.join(started[:5])}); "
                "they are never replaced. Add the new cells beside them instead."
            )
    else:
        taken = {c.cell_id for c in existing} & {c.cell_id for c in cells}
        if taken:
            raise SiteWatchError(f"Work cell {sorted(taken)[0]} already exists in {path}; nothing was written.")
    fresh = [replace(c, state=UNASSIGNED, assignee=None, comment=None, changed_by=None, changed_at=None) for c in cells]
    return write_cells(path, fresh, clear=replace_existing)


def read_cells(path: str) -> list[WorkCell]:
    if not _has_table(path, schema.WORK_CELLS.name):
        return []
    dataset = ogr.Open(path, 0)
    try:
        layer = dataset.GetLayerByName(schema.WORK_CELLS.name)
        cells = []
        for feature in layer:
            geometry = QgsGeometry()
            ogr_geometry = feature.GetGeometryRef()
            if ogr_geometry is not None:
                geometry.fromWkb(bytes(ogr_geometry.ExportToIsoWkb()))
            attributes = {n: feature.GetField(n) if feature.IsFieldSetAndNotNull(n) else None for n in CELL_COLUMNS}
            cells.append(WorkCell.from_fields(attributes, geometry))
        return sorted(cells, key=lambda c: c.cell_id)
    finally:
        dataset = None


def read_transitions(path: str, cell_id: str | None = None) -> list[CellTransition]:
    if not _has_table(path, schema.CELL_TRANSITIONS.name):
        return []
    where, parameters = ("WHERE cell_id = ?", (cell_id,)) if cell_id is not None else ("", ())
    statement = sql(
        "SELECT {columns} FROM {table} {where} ORDER BY fid",
        {"where": where},
        columns=TRANSITION_COLUMNS,
        table=schema.CELL_TRANSITIONS.name,
    )
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return [CellTransition(*row) for row in connection.execute(statement, parameters)]
    finally:
        connection.close()


def change_cell(
    path: str, cell_id: str, action: str, analyst: str, assignee: str | None, comment: str | None
) -> WorkCell:
    if not _has_table(path, schema.WORK_CELLS.name):
        raise SiteWatchError(f"{path} has no work cells yet; make them first (sitewatch:workcells).")
    quoted = cell_id.replace("'", "''")
    with _ogr_transaction(path) as dataset:
        layer = dataset.GetLayerByName(schema.WORK_CELLS.name)
        layer.SetAttributeFilter(f"cell_id = '{quoted}'")
        feature = layer.GetNextFeature()
        layer.SetAttributeFilter(None)
        if feature is None:
            raise SiteWatchError(f"There is no work cell {cell_id} in {path}.")
        fields = {n: feature.GetField(n) if feature.IsFieldSetAndNotNull(n) else None for n in CELL_COLUMNS}
        geometry = QgsGeometry()
        if (ogr_geometry := feature.GetGeometryRef()) is not None:
            geometry.fromWkb(bytes(ogr_geometry.ExportToIsoWkb()))
        cell = WorkCell.from_fields(fields, geometry)
        table = dataset.GetLayerByName(schema.CELL_TRANSITIONS.name)
        table.SetAttributeFilter(f"cell_id = '{quoted}' AND to_state = '{AWAITING_REVIEW}'")
        submitted_by = None
        for row in table:  # in fid order: the last one is who submitted it last
            submitted_by = row.GetField("analyst")
        table.SetAttributeFilter(None)
        after = plan_transition(cell, action, analyst, assignee, comment, submitted_by)
        at = now_iso()
        for name, value in (("state", after.state), ("assignee", after.assignee), ("comment", after.comment)):
            if value is None:
                feature.SetFieldNull(name)
            else:
                feature.SetField(name, value)
        feature.SetField("changed_by", analyst)
        feature.SetField("changed_at", at)
        layer.SetFeature(feature)
        transition = CellTransition(
            cell_id, action, cell.state, after.state, after.assignee, analyst, _login(), at, after.comment
        )
        row_out = ogr.Feature(table.GetLayerDefn())
        for name in TRANSITION_COLUMNS:
            value = getattr(transition, name)
            if value is not None:
                row_out.SetField(name, value)
        table.CreateFeature(row_out)
    return replace(after, changed_at=at)


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USERNAME", "")
