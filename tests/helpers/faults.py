"""For the fault-injection tests: checksums of every file under a folder, to assert that a
refused or failed run changed nothing, and real processes to kill."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from .constants import PACKAGE_HOME

_SQLITE_MAGIC = b"SQLite format 3\x00"
_BOOKKEEPING = ((18, 20), (24, 28), (92, 96))
"""Header bytes SQLite rewrites without any change of content: the journal mode (QGIS opens a
GeoPackage in WAL mode and closes it in rollback mode, even to read it) and the change
counters that go with it. Every page of data still counts."""


def _digest(path: Path) -> str:
    data = bytearray(path.read_bytes())
    if data.startswith(_SQLITE_MAGIC):
        for start, end in _BOOKKEEPING:
            data[start:end] = bytes(end - start)
    return hashlib.sha256(data).hexdigest()


def checksums(folder: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every file under ``folder`` (hidden files included)."""
    return {str(path.relative_to(folder)): _digest(path) for path in sorted(folder.rglob("*")) if path.is_file()}


def start_python(code: str, stdin: bool = False) -> subprocess.Popen:
    """Run ``code`` in a new Python process with QGIS started (offscreen) and ``sitewatch``
    importable; the caller waits for or kills it (and writes to its stdin with ``stdin``)."""
    prelude = "from qgis.core import QgsApplication\napp = QgsApplication([], False)\napp.initQgis()\n"
    env = dict(os.environ, PYTHONPATH=str(PACKAGE_HOME), QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        env=env,
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def dead_pid() -> int:
    """The id of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _holds(ready: Callable[[], bool]) -> bool:
    """``ready()``, False while the files it looks at are being moved or removed under it."""
    try:
        return ready()
    except FileNotFoundError:
        return False


def _wait_stopped(process: subprocess.Popen, timeout: float = 30) -> None:
    """Wait until ``process`` has really stopped after SIGSTOP (state T in /proc), or ended."""
    deadline = time.monotonic() + timeout
    stat = Path(f"/proc/{process.pid}/stat")
    while process.poll() is None and time.monotonic() < deadline:
        try:
            state = stat.read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return
        if state in ("T", "t"):
            return
        time.sleep(0.001)


def kill_when(process: subprocess.Popen, ready: Callable[[], bool], timeout: float = 300) -> None:
    """kill -9 ``process`` at a moment ``ready()`` is true (fails if it never is).

    When ``ready()`` first holds the process is stopped (SIGSTOP) and ``ready()`` asked again
    while it cannot move on: on a loaded machine the kill would otherwise land a moment too
    late, after the state looked for had passed. If it has passed, the process resumes and is
    watched again."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"the moment to kill never came: {process.communicate()}")
        if _holds(ready):
            os.kill(process.pid, signal.SIGSTOP)
            _wait_stopped(process)
            if _holds(ready):
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
                return
            os.kill(process.pid, signal.SIGCONT)
        time.sleep(0.005)
