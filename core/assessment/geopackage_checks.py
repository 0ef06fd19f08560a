"""Checks of a GeoPackage file before the store opens or replaces it: why it cannot be opened
(not SQLite, cut short, corrupt, locked), whether another program is writing to it, the
longest file name accepted, and the hidden files a killed create left beside it."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from ..errors import SiteWatchError
from ..processes import alive
from ..vector_files import cut_short

MAX_NAME_BYTES = 200
"""Longest file name accepted for an assessment: most file systems allow 255 bytes, and the
hidden name it is written under first is longer."""


def locked_message(target: Path) -> str:
    return (
        f"'{target}' is locked by another program that is writing to it. Close that program's edit "
        "session (or the program) and try again."
    )


def roll_back_interrupted(target: Path) -> None:
    """Undo the write a program killed mid-transaction left in ``target`` (its ``-journal``
    holds the pages to put back). SQLite does so on the next read by a connection that may
    write; GDAL and these checks read with read-only connections, which cannot, and would call
    the file corrupt or cut short."""
    journal = Path(f"{target}-journal")
    if not journal.is_file() or journal.stat().st_size == 0 or not os.access(target, os.W_OK):
        return
    try:
        # a journal left by a killed program has no lock holder; a live writer's is not to be waited for
        connection = sqlite3.connect(target, timeout=1)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return  # not a database, or locked: the checks that follow say so


def check_whole(target: Path) -> None:
    """Refuse a file that is not SQLite at all, or shorter than its header says (cut short by
    a copy or a download that stopped): GDAL would open what is left without a word. A write
    interrupted by a crash is rolled back first."""
    roll_back_interrupted(target)
    with target.open("rb") as stream:
        header = stream.read(100)
    if not header.startswith(b"SQLite format 3\x00"):
        raise SiteWatchError(
            f"'{target}' is not a GeoPackage (not an SQLite database file); open a SiteWatch assessment (.gpkg)."
        )
    cut = cut_short(target, header)
    if cut is not None:
        raise SiteWatchError(f"'{target}' is incomplete (cut short: {cut}); restore it from a backup or copy it again.")


def why_unopenable(target: Path) -> str:
    """Why GDAL could not open a whole SQLite file ``target`` as a GeoPackage: locked, corrupt,
    or another kind of SQLite database, each with what to do."""
    try:
        connection = sqlite3.connect(f"file:{target}?mode=ro", uri=True, timeout=0)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        if "locked" in str(error) or "busy" in str(error):
            return locked_message(target)
        if "readonly" in str(error) and Path(f"{target}-journal").is_file():
            return (
                f"'{target}' holds a write that a program stopped half-way; SiteWatch undoes it when it "
                "opens the file with write permission: open it once as a user who may write it and its folder."
            )
        return f"'{target}' is corrupt ({error}); restore it from a backup."
    return f"'{target}' is an SQLite database but not a GeoPackage; open a SiteWatch assessment (.gpkg)."


@contextlib.contextmanager
def write_locked(target: Path) -> Iterator[None]:
    """Hold the write lock of an existing SQLite file while it is replaced, so no other
    program is in (or starts) a write transaction whose commit would go to the replaced file;
    refuse when another program holds it. Nothing happens for a file that is not SQLite."""
    if not target.is_file():
        yield
        return
    connection = sqlite3.connect(target, timeout=0, isolation_level=None)
    try:
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise SiteWatchError(locked_message(target) + " It was not replaced.") from None
            # not a database (e.g. a text file named .gpkg): nothing can be writing to it
        yield
    finally:
        connection.close()


def fresh_temp(target: Path) -> Path:
    """The hidden name a new assessment is written under before it is moved to ``target``,
    after removing what creates of ``target`` killed on the way left beside it (their hidden
    GeoPackage and its journal) once their process is gone."""
    pattern = re.compile(rf"^\.{re.escape(target.stem)}\.(\d+)\.tmp\.gpkg(-journal|-wal|-shm)?$")
    for path in target.parent.iterdir():
        match = pattern.match(path.name)
        if match and path.is_file() and not alive(int(match.group(1))):
            path.unlink(missing_ok=True)
    return target.with_name(f".{target.stem}.{os.getpid()}.tmp.gpkg")
