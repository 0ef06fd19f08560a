"""What a copy of an assessment carries besides the contract layers: the stored change scores
of every image pair, and the work cells with their states and every recorded transition (so a
team's review survives GeoPackage → PostGIS → GeoPackage). Change scores keep their values;
their ``scored_at`` becomes the time of the copy."""

from __future__ import annotations

from typing import Any

import psycopg2.extras

from . import geopackage_cells, postgis_sql
from .geopackage import GeoPackageStore
from .postgis_cell_store import insert_cells, insert_transitions
from .records import ChangeScoreRow
from .store import AssessmentStore


def _score_rows(source: AssessmentStore, before: str, after: str) -> list[ChangeScoreRow]:
    scores = source.change_scores(before, after)
    return [ChangeScoreRow(sid, s.score, s.frac, s.rank, s.suggested) for sid, s in sorted(scores.items())]


def _summary(pairs: int, scores: int, cells: int, transitions: int) -> str:
    return (
        f"change scores: {scores} rows of {pairs} image pair(s); work cells: {cells} with {transitions} transition(s)"
    )


def carried_into(cursor: Any, source: AssessmentStore, srid: int) -> str:
    """Copy the scores and cells of ``source`` inside the open transaction of a new PostGIS
    assessment, before its cell rules exist (cells keep their state); returns a summary."""
    from .observations import now_iso

    pairs = source.change_score_pairs()
    scored_at = now_iso()
    total = 0
    for before, after in pairs:
        rows = _score_rows(source, before, after)
        values = [(r.structure_id, before, after, r.score, r.frac, r.rank, r.suggested, scored_at) for r in rows]
        psycopg2.extras.execute_values(cursor, postgis_sql.SCORES_INSERT, values, page_size=1000)
        total += len(values)
    cells, transitions = source.work_cells(), source.cell_transitions()
    insert_cells(cursor, cells, srid, as_they_are=True)
    insert_transitions(cursor, transitions)
    return _summary(len(pairs), total, len(cells), len(transitions))


def carried_into_geopackage(copy: GeoPackageStore, source: AssessmentStore) -> str:
    """Copy the scores and cells of ``source`` into the new GeoPackage ``copy``."""
    pairs = source.change_score_pairs()
    total = sum(copy.save_change_scores(before, after, _score_rows(source, before, after)) for before, after in pairs)
    cells, transitions = source.work_cells(), source.cell_transitions()
    if cells or transitions:
        geopackage_cells.write_cells(copy.location, cells, transitions)
    return _summary(len(pairs), total, len(cells), len(transitions))
