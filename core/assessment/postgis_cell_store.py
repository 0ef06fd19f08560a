"""The work-cell part of the PostGIS store (mixed into ``PostgisStore``): reads and writes of
``work_cells`` and ``cell_transitions`` (:mod:`.postgis_cells`), each in one transaction. The
client checks a change with :func:`..teamwork.cells.plan_transition` for a clear message; the
database's trigger checks it again, so no client can skip the rules."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Any, Protocol

from psycopg2 import sql
from qgis.core import QgsGeometry

from ..errors import SiteWatchError
from ..teamwork.cells import TRANSITION_COLUMNS, UNASSIGNED, CellTransition, WorkCell, plan_transition
from . import postgis_cells, postgis_sql, schema

_EXISTS = "SELECT to_regclass('work_cells') IS NOT NULL"
_CELL_TEXT = sql.SQL(", ").join(postgis_sql.as_text(f) for f in schema.WORK_CELLS.fields)
_SELECT_CELLS = sql.SQL("SELECT {}, ST_AsBinary(geom) FROM work_cells").format(_CELL_TEXT)
_TRANSITION_TEXT = sql.SQL(", ").join(postgis_sql.as_text(f) for f in schema.CELL_TRANSITIONS.fields)
_INSERT_CELL = sql.SQL("INSERT INTO work_cells (cell_id, name, geom) VALUES (%s, %s, {})")


def cell_from_row(row: Sequence[Any]) -> WorkCell:
    geometry = QgsGeometry()
    if row[-1] is not None:
        geometry.fromWkb(bytes(row[-1]))
    return WorkCell.from_fields(dict(zip(schema.WORK_CELLS.field_names(), row[:-1])), geometry)


def insert_cells(cursor: Any, cells: Sequence[WorkCell], srid: int, as_they_are: bool = False) -> None:
    """Insert ``cells`` (new and unassigned; ``as_they_are``: with their state, for a copy made
    before the rules trigger exists)."""
    geometry = postgis_sql.geometry_expression(srid)
    if not as_they_are:
        statement = _INSERT_CELL.format(geometry)
        for cell in cells:
            cursor.execute(
                statement, (cell.cell_id, cell.name, postgis_sql.geometry_value(schema.WORK_CELLS, cell.geometry))
            )
        return
    columns = [*schema.WORK_CELLS.field_names(), "geom"]
    holders = [postgis_sql.placeholder(f) for f in schema.WORK_CELLS.fields] + [geometry]
    statement = postgis_sql.insert_statement(schema.WORK_CELLS.name, columns, holders)
    for cell in cells:
        row = [getattr(cell, n) for n in schema.WORK_CELLS.field_names()]
        cursor.execute(statement, (*row, postgis_sql.geometry_value(schema.WORK_CELLS, cell.geometry)))


def insert_transitions(cursor: Any, transitions: Sequence[CellTransition]) -> None:
    holders = [postgis_sql.placeholder(f) for f in schema.CELL_TRANSITIONS.fields]
    statement = postgis_sql.insert_statement(schema.CELL_TRANSITIONS.name, TRANSITION_COLUMNS, holders)
    for transition in transitions:
        cursor.execute(statement, tuple(getattr(transition, c) for c in TRANSITION_COLUMNS))


class _Database(Protocol):
    srid: int

    @property
    def location(self) -> str: ...

    @property
    def database(self) -> Any: ...

    def _transaction(self, analyst: str | None = None, reason: str | None = None) -> AbstractContextManager[Any]: ...

    def _read(self, statement: str | sql.Composable, parameters: Sequence[object] = ()) -> list[tuple[Any, ...]]: ...


class PostgisCells:
    """Work cells and image pairs of the PostGIS store."""

    def work_cells(self: _Database) -> list[WorkCell]:
        if not self._read(_EXISTS)[0][0]:
            return []
        return [cell_from_row(r) for r in self._read(_SELECT_CELLS + sql.SQL(" ORDER BY cell_id"))]

    def add_work_cells(self: _Database, cells: Sequence[WorkCell], replace: bool = False) -> int:
        with self._transaction() as cursor:
            cursor.execute(_EXISTS)
            if not cursor.fetchone()[0]:
                for statement in postgis_cells.create_statements(self.database.schema, self.srid):
                    cursor.execute(statement)
            cursor.execute("SELECT cell_id, state FROM work_cells ORDER BY cell_id")
            existing = dict(cursor.fetchall())
            if replace:
                started = [c for c, state in existing.items() if state != UNASSIGNED]
                if started:
                    raise SiteWatchError(
                        f"{len(started)} work cell(s) of {self.location} are already assigned or reviewed "
                        f"({', '.join(started[:5])}); they are never replaced. Add the new cells beside them instead."
                    )
                cursor.execute("DELETE FROM work_cells")
            else:
                taken = sorted(set(existing) & {c.cell_id for c in cells})
                if taken:
                    raise SiteWatchError(
                        f"Work cell {taken[0]} already exists in {self.location}; nothing was written."
                    )
            insert_cells(cursor, cells, self.srid)
        return len(cells)

    def change_cell(
        self: _Database,
        cell_id: str,
        action: str,
        analyst: str,
        assignee: str | None = None,
        comment: str | None = None,
    ) -> WorkCell:
        if not self._read(_EXISTS)[0][0]:
            raise SiteWatchError(f"{self.location} has no work cells yet; make them first (sitewatch:workcells).")
        with self._transaction(analyst) as cursor:
            cursor.execute(_SELECT_CELLS + sql.SQL(" WHERE cell_id = %s FOR UPDATE"), (cell_id,))
            row = cursor.fetchone()
            if row is None:
                raise SiteWatchError(f"There is no work cell {cell_id} in {self.location}.")
            cell = cell_from_row(row)
            cursor.execute(
                "SELECT analyst FROM cell_transitions WHERE cell_id = %s AND to_state = 'awaiting_review' "
                "ORDER BY fid DESC LIMIT 1",
                (cell_id,),
            )
            submitted = cursor.fetchone()
            after = plan_transition(cell, action, analyst, assignee, comment, submitted[0] if submitted else None)
            cursor.execute(
                sql.SQL(
                    "UPDATE work_cells SET state = %s, assignee = %s, comment = %s WHERE cell_id = %s RETURNING {}"
                ).format(postgis_sql.as_text(schema.WORK_CELLS.fields[-1])),
                (after.state, after.assignee, after.comment, cell_id),
            )
            changed_at = cursor.fetchone()[0]
        return replace(after, changed_at=changed_at)

    def cell_transitions(self: _Database, cell_id: str | None = None) -> list[CellTransition]:
        if not self._read("SELECT to_regclass('cell_transitions') IS NOT NULL")[0][0]:
            return []
        where = sql.SQL(" WHERE cell_id = %s" if cell_id is not None else "")
        statement = sql.SQL("SELECT {} FROM cell_transitions{} ORDER BY fid").format(_TRANSITION_TEXT, where)
        return [CellTransition(*row) for row in self._read(statement, (cell_id,) if cell_id is not None else ())]

    def change_score_pairs(self: _Database) -> list[tuple[str, str]]:
        rows = self._read("SELECT DISTINCT before_image, after_image FROM change_scores ORDER BY 1, 2")
        return [(before, after) for before, after in rows]
