"""Run a Python script as the unprivileged user ``nobody``: as root every file is writable, so
the read-only cases need another user. The script reads a copy of the plugin's core in a
folder ``nobody`` may enter (the checkout may sit in a folder only its owner can enter)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .constants import REPO

NOBODY = 65534


def skip_reason() -> str | None:
    """Why scripts cannot run as ``nobody`` here, or None."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return "needs root and setpriv to run as another user"
    return None


@contextmanager
def shared_folder() -> Iterator[Path]:
    """A new folder every user may enter and read (not written by ``nobody``), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="sitewatch-nobody-"))
    try:
        folder.chmod(0o755)
        package_home = folder / "pkgroot"
        shutil.copytree(
            REPO / "core", package_home / "sitewatch" / "core", ignore=shutil.ignore_patterns("__pycache__")
        )
        shutil.copy(REPO / "__init__.py", package_home / "sitewatch" / "__init__.py")
        for path in [package_home, *package_home.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        yield folder
    finally:
        shutil.rmtree(folder)


def run_as_nobody(folder: Path, script: str, *arguments: str) -> subprocess.CompletedProcess:
    """Run ``script`` (Python source) as ``nobody`` with the core copied into ``folder``."""
    path = folder / "script.py"
    path.write_text(script)
    path.chmod(0o644)
    return subprocess.run(
        [
            shutil.which("setpriv") or "setpriv",
            f"--reuid={NOBODY}",
            f"--regid={NOBODY}",
            "--clear-groups",
            "/usr/bin/python3",
            str(path),
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": os.environ["PATH"],
            "PYTHONPATH": str(folder / "pkgroot"),
            "HOME": str(folder),
            "QT_QPA_PLATFORM": "offscreen",
        },
    )
