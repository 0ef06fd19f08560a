"""The output folder of an export: which existing folder may be replaced, the renames that
replace it, and the recovery of what a killed export left beside it.

An export is written into ``.<name>.partial-<pid>`` and moved into place by two renames (the
old folder to ``.<name>.old-<pid>``, the new one to ``<name>``). A process killed on the way
leaves those hidden folders behind; the next export into the same place cleans them up, and
puts the old folder back when the kill came between the two renames."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from ..errors import SiteWatchError
from ..processes import alive
from .manifest import GENERATOR, MANIFEST_NAME


def _leftovers(target: Path, kind: str) -> list[Path]:
    """``.<name>.<kind>-<pid>`` folders beside ``target`` whose process is gone."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.{kind}-(\d+)$")
    found = []
    for path in target.parent.iterdir() if target.parent.is_dir() else ():
        match = pattern.match(path.name)
        if match and path.is_dir() and not alive(int(match.group(1))):
            found.append(path)
    return sorted(found, key=lambda p: p.stat().st_mtime)


def recover(target: Path) -> list[str]:
    """Undo what killed exports into ``target`` left behind; returns what was done, for the log."""
    done = []
    olds = _leftovers(target, "old")
    if olds and not target.exists():
        os.rename(olds[-1], target)  # the kill came between the two renames: the old export stays
        done.append(f"restored the previous export {target} from {olds[-1].name}")
        olds = olds[:-1]
    for path in olds + _leftovers(target, "partial"):
        shutil.rmtree(path, ignore_errors=True)
        done.append(f"removed {path.name}, left by an export that was stopped")
    return done


def _manifest_files(folder: Path) -> set[str] | None:
    """The file names a SiteWatch export manifest in ``folder`` lists, or None when there is
    no such manifest (none, unreadable, or another program's ``manifest.json``)."""
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("generator") != GENERATOR:
        return None
    files = manifest.get("files")
    if not isinstance(files, list) or not all(isinstance(f, dict) and isinstance(f.get("file"), str) for f in files):
        return None
    return {f["file"] for f in files}


def check_replaceable(target: Path) -> None:
    """Refuse to replace a folder unless it is empty or a SiteWatch export holding only the
    files its manifest lists: replacing deletes the whole folder."""
    contents = sorted(p.name for p in target.iterdir())
    if not contents:
        return
    listed = _manifest_files(target)
    if listed is None:
        why = (
            f"its {MANIFEST_NAME} was not written by SiteWatch"
            if (target / MANIFEST_NAME).exists()
            else f"it has no {MANIFEST_NAME}"
        )
        raise SiteWatchError(
            f"'{target}' is not a SiteWatch export ({why}); overwriting would delete its files. "
            "Choose an empty or new folder."
        )
    others = [name for name in contents if name != MANIFEST_NAME and name not in listed]
    if others:
        raise SiteWatchError(
            f"'{target}' holds files its SiteWatch {MANIFEST_NAME} does not list ({', '.join(others[:5])}"
            f"{', …' if len(others) > 5 else ''}); overwriting would delete them. Move them away or choose "
            "another folder."
        )


def move_into_place(temp: Path, target: Path) -> None:
    """Replace ``target`` by ``temp`` with renames only (the old folder goes last)."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.rename(target, old)
    try:
        os.rename(temp, target)
    except OSError:
        if old is not None:
            os.rename(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
