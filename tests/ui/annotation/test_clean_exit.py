"""A whole review session in its own process — open, N, status keys, renders — ends cleanly:
the teardown order (map tool, highlight, controller, assessment, widgets, then QGIS) leaves
nothing for Python's exit to destroy after QGIS is gone, which crashed the review benchmark."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_review_session_process_exits_without_a_crash(tmp_path):
    figures = tmp_path / "figures.json"
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO / ".build" / "pkgroot"))
    command = [sys.executable, str(REPO / "bench" / "bench_review.py"), "--structures", "300", "--dates", "3"]
    command += ["--compounds", "4", "--repeats", "4", "--json", str(figures)]
    finished = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300, check=False)
    assert finished.returncode in (0, 2), finished.stderr[-2000:]  # 2: a speed goal missed, never a signal
    assert "peak memory" in finished.stdout
    assert json.loads(figures.read_text())["structures"] == 300
