"""Change pre-scores kept in the assessment GeoPackage, per image pair, for the review queue.

They live in ``change_scores``, an attribute table outside the layer contract (registered in
``gpkg_contents`` as ``attributes``), one row per structure and (before, after) image pair:
``structure_id``, ``before_image``, ``after_image``, ``chg_score``, ``chg_frac``, ``chg_rank``,
``suggested``, ``scored_at``. Saving a pair replaces that pair's rows in one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import NamedTuple

from ..errors import SiteWatchError

TABLE = "change_scores"
_CREATE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    fid INTEGER PRIMARY KEY AUTOINCREMENT,
    structure_id TEXT NOT NULL,
    before_image TEXT NOT NULL,
    after_image TEXT NOT NULL,
    chg_score REAL,
    chg_frac REAL,
    chg_rank INTEGER,
    suggested TEXT NOT NULL,
    scored_at TEXT NOT NULL,
    UNIQUE (structure_id, before_image, after_image)
)"""


class PreScore(NamedTuple):
    """What the review queue orders by: ``score`` and ``rank`` are None for ``unknown``."""

    score: float | None
    rank: int | None
    suggested: str


class ScoreRow(NamedTuple):
    structure_id: str
    score: float | None
    frac: float | None
    rank: int | None
    suggested: str


def save_prescores(gpkg_path: str, before_image: str, after_image: str, rows: Iterable[ScoreRow]) -> int:
    """Replace the pre-scores of the (before, after) pair; returns the number of rows written."""
    scored_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    values = [(r.structure_id, before_image, after_image, r.score, r.frac, r.rank, r.suggested, scored_at)
              for r in rows]
    try:
        connection = sqlite3.connect(gpkg_path, timeout=5, isolation_level=None)
    except sqlite3.Error as error:
        raise SiteWatchError(f"Cannot open {gpkg_path}: {error}.") from None
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute(_CREATE)
            connection.execute(
                "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description) "
                "VALUES (?, 'attributes', ?, 'SiteWatch change pre-scores per image pair')", (TABLE, TABLE))
            connection.execute(f"DELETE FROM {TABLE} WHERE before_image = ? AND after_image = ?",
                               (before_image, after_image))
            connection.executemany(
                f"INSERT INTO {TABLE} (structure_id, before_image, after_image, chg_score, chg_frac, chg_rank, "
                "suggested, scored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    except sqlite3.Error as error:
        raise SiteWatchError(f"Saving the change pre-scores into {gpkg_path} failed ({error}); "
                             "nothing was written.") from None
    finally:
        connection.close()
    return len(values)


def load_prescores(gpkg_path: str, before_image: str, after_image: str) -> dict[str, PreScore]:
    """``{structure_id: PreScore(score, rank, suggested)}`` of the pair; empty when never scored."""
    try:
        connection = sqlite3.connect(f"file:{gpkg_path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as error:
        raise SiteWatchError(f"Cannot open {gpkg_path}: {error}.") from None
    try:
        exists = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                    (TABLE,)).fetchone()
        if not exists:
            return {}
        rows = connection.execute(
            f"SELECT structure_id, chg_score, chg_rank, suggested FROM {TABLE} "
            "WHERE before_image = ? AND after_image = ?", (before_image, after_image)).fetchall()
    finally:
        connection.close()
    return {sid: PreScore(score, rank, suggested) for sid, score, rank, suggested in rows}
