"""Layout steps of an algorithm running in a background thread run on QGIS's main thread: the
task waits for them, gets their result or their error, and a cancel withdraws a step the main
thread has not started."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from qgis.core import QgsFeedback
from qgis.PyQt.QtCore import QCoreApplication

from sitewatch.core.errors import SiteWatchError
from sitewatch.core.export.package import ExportCanceled
from sitewatch.processing.main_thread import on_main_thread


def in_a_thread(call) -> dict:
    """Run ``call`` in a Python thread while the main thread keeps its event loop running."""
    outcome: dict = {}

    def body() -> None:
        try:
            outcome["value"] = call()
        except SiteWatchError as error:
            outcome["error"] = error

    worker = threading.Thread(target=body)
    worker.start()
    deadline = time.monotonic() + 20
    while worker.is_alive():
        assert time.monotonic() < deadline, "the worker never finished"
        QCoreApplication.processEvents()
        time.sleep(0.005)
    return outcome


def step_recording(threads: list, _pages=None) -> Path:
    threads.append(threading.current_thread())
    return Path("page.pdf")


def test_a_step_from_a_worker_runs_on_the_main_thread(qgis_app):
    threads: list = []
    outcome = in_a_thread(lambda: on_main_thread(lambda pages: step_recording(threads, pages)))
    assert outcome == {"value": Path("page.pdf")}
    assert threads == [threading.main_thread()]


def test_a_step_on_the_main_thread_runs_at_once(qgis_app):
    threads: list = []
    assert on_main_thread(lambda pages: step_recording(threads, pages)) == Path("page.pdf")
    assert threads == [threading.main_thread()]


def test_the_steps_error_reaches_the_worker(qgis_app):
    def failing(_pages) -> Path:
        raise SiteWatchError("The report template cannot be read.")

    outcome = in_a_thread(lambda: on_main_thread(failing))
    assert str(outcome["error"]) == "The report template cannot be read."


def test_a_cancel_withdraws_a_step_the_main_thread_has_not_started(qgis_app):
    feedback = QgsFeedback()
    threads: list = []
    outcome: dict = {}

    def body() -> None:
        with pytest.raises(ExportCanceled) as raised:
            on_main_thread(lambda pages: step_recording(threads, pages), feedback)
        outcome["error"] = raised.value

    worker = threading.Thread(target=body)
    worker.start()
    time.sleep(0.2)  # the main thread is busy elsewhere: the step waits
    feedback.cancel()
    worker.join(5)
    assert not worker.is_alive() and "canceled" in str(outcome["error"])
    QCoreApplication.processEvents()  # the queued call comes, and does nothing
    assert threads == []
