"""A process recording states is killed with SIGKILL mid-stream: every state it reported as
committed is in the reopened GeoPackage, and the file is intact."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import textwrap

from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.tests.helpers.constants import PACKAGE_HOME
from sitewatch.tests.helpers.damage_site import add_structures

RECORDER = textwrap.dedent("""
    import datetime, sys
    from sitewatch.core.assessment.observations import Observation
    from sitewatch.core.assessment.geopackage import GeoPackageStore
    from sitewatch.core.annotation.undo import RecordObservation, UndoStack

    store = GeoPackageStore.open(sys.argv[1])
    stack = UndoStack()
    statuses = ("intact", "possible", "moderate", "severe", "destroyed")
    start = datetime.date(2019, 1, 1)
    for number in range(1_000_000):
        on = (start + datetime.timedelta(days=number // 50)).isoformat()
        observation = Observation(f"S-{number % 50 + 1:04d}", on, statuses[number % 5], "IMG-X", "high", "bot")
        stack.push(RecordObservation(store, observation))
        if number % 7 == 6:  # now and then an undo and a redo, as an analyst would
            stack.undo()
            stack.redo()
        print(observation.structure_id, observation.observed_on, observation.status, observation.recorded_at,
              flush=True)
""")


def test_killed_recorder_loses_nothing_it_reported(assessment, tmp_path):
    add_structures(assessment, [f"S-{n:04d}" for n in range(1, 51)])
    script = tmp_path / "recorder.py"
    script.write_text(RECORDER)
    environment = dict(os.environ, PYTHONPATH=str(PACKAGE_HOME), QT_QPA_PLATFORM="offscreen")
    process = subprocess.Popen(
        ["/usr/bin/python3", str(script), str(assessment.path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    reported = []
    try:
        for line in process.stdout:
            reported.append(tuple(line.split()))
            if len(reported) == 300:
                process.send_signal(signal.SIGKILL)
                break
    finally:
        process.kill()
        process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()
    assert len(reported) == 300, process.stderr

    store = GeoPackageStore.open(assessment.path)
    committed = {(o.structure_id, o.observed_on, o.status, o.recorded_at) for o in store.observations()}
    assert set(reported) <= committed
    assert len(committed) - len(reported) <= 1  # at most one committed before it could be reported
    connection = sqlite3.connect(assessment.path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        connection.close()
