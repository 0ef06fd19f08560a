"""Change scores kept in the assessment GeoPackage, per image pair, for the review queue.

They live in ``change_scores``, an attribute table outside the layer contract (registered in
``gpkg_contents`` as ``attributes``), one row per structure and (before, after) image pair:
``structure_id``, ``before_image``, ``after_image``, ``chg_score``, ``chg_frac``, ``chg_rank``,
``suggested``, ``scored_at``. Saving a pair replaces that pair's rows in one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime, timezone

from ..errors import SiteWatchError
from .geopackage_adopt import require_adopted
from .records import ChangeScoreRow, StoredChangeScore

TABLE = "change_scores"
_CREATE = """
CREATE TABLE IF NOT EXISTS change_scores (
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


def save(gpkg_path: str, before_image: str, after_image: str, rows: Iterable[ChangeScoreRow]) -> int:
    """Replace the change scores of the (before, after) pair; returns the number of rows written.
    A GeoPackage made elsewhere is refused until adopted (nothing is written into it)."""
    require_adopted(gpkg_path)
    scored_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    values = [
        (r.structure_id, before_image, after_image, r.score, r.frac, r.rank, r.suggested, scored_at) for r in rows
    ]
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
                "VALUES (?, 'attributes', ?, 'SiteWatch change scores per image pair')",
                (TABLE, TABLE),
            )
            connection.execute(
                "DELETE FROM change_scores WHERE before_image = ? AND after_image = ?", (before_image, after_image)
            )
            connection.executemany(
                "INSERT INTO change_scores (structure_id, before_image, after_image, chg_score, chg_frac, "
                "chg_rank, suggested, scored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    except sqlite3.Error as error:
        raise SiteWatchError(
            f"Saving the change scores into {gpkg_path} failed ({error}); nothing was written."
        ) from None
    finally:
        connection.close()
    return len(values)


def load(gpkg_path: str, before_image: str, after_image: str) -> dict[str, StoredChangeScore]:
    """``{structure_id: StoredChangeScore}`` of the pair; empty when never scored."""
    try:
        connection = sqlite3.connect(f"file:{gpkg_path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as error:
        raise SiteWatchError(f"Cannot open {gpkg_path}: {error}.") from None
    try:
        exists = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)
        ).fetchone()
        if not exists:
            return {}
        rows = connection.execute(
            "SELECT structure_id, chg_score, chg_rank, suggested, chg_frac FROM change_scores "
            "WHERE before_image = ? AND after_image = ?",
            (before_image, after_image),
        ).fetchall()
    except sqlite3.Error as error:
        raise SiteWatchError(f"Reading the change scores of {gpkg_path} failed ({error}).") from None
    finally:
        connection.close()
    return {sid: StoredChangeScore(score, rank, suggested, frac) for sid, score, rank, suggested, frac in rows}


def pairs(gpkg_path: str) -> list[tuple[str, str]]:
    """Every (before, after) image pair with stored scores."""
    connection = sqlite3.connect(f"file:{gpkg_path}?mode=ro", uri=True, timeout=5)
    try:
        if not connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)).fetchone():
            return []
        rows = connection.execute("SELECT DISTINCT before_image, after_image FROM change_scores ORDER BY 1, 2")
        return [(before, after) for before, after in rows]
    except sqlite3.Error as error:
        raise SiteWatchError(f"Reading the change scores of {gpkg_path} failed ({error}).") from None
    finally:
        connection.close()
