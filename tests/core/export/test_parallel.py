"""The export's writers on two threads (core/export/parallel.py): every step runs once, the
background ones on a second thread (and here once the foreground is done), and a failure or
a cancel on either side is raised only once the second thread has stopped, with no step
started after it."""

from __future__ import annotations

import threading

import pytest

from sitewatch.core.export.parallel import run_beside


class Canceled(Exception):
    pass


def _recorder(log: list, name: str, wait: threading.Event | None = None, error: Exception | None = None):
    def step() -> None:
        if wait is not None:
            assert wait.wait(5), f"{name} waited in vain"
        log.append((name, threading.current_thread() is threading.main_thread()))
        if error is not None:
            raise error

    return step


def test_every_step_runs_once_the_background_ones_beside_the_foreground(qgis_app):
    log: list = []
    started = threading.Event()

    def first_behind() -> None:
        started.set()
        log.append(("gdal 1", threading.current_thread() is threading.main_thread()))

    # the foreground waits for the background to have started: they run at the same time
    foreground = [_recorder(log, "tables", started), _recorder(log, "kml")]
    progress: list = []
    run_beside(foreground, [first_behind], progress.append)
    assert sorted(log) == [("gdal 1", False), ("kml", True), ("tables", True)]
    assert progress[-1] == 3 and progress == sorted(progress)  # never backwards, all done at the end


def test_the_foreground_takes_the_background_steps_not_started(qgis_app):
    log: list = []
    started, release = threading.Event(), threading.Event()

    def first() -> None:
        started.set()
        assert release.wait(5)
        log.append(("gdal 1", threading.current_thread() is threading.main_thread()))

    def second() -> None:
        log.append(("gdal 2", threading.current_thread() is threading.main_thread()))
        release.set()

    # the second thread is held in its first step until the foreground has taken the second
    run_beside([_recorder(log, "tables", started)], [first, second], lambda _done: None)
    assert log == [("tables", True), ("gdal 2", True), ("gdal 1", False)]


def test_a_background_failure_is_raised_here_and_stops_the_rest(qgis_app):
    log: list = []
    failed = threading.Event()

    def failing() -> None:
        failed.set()
        raise RuntimeError("could not write x.geojson")

    def tables() -> None:
        assert failed.wait(5)
        threading.Event().wait(0.3)  # the failure has reached the second thread's loop
        log.append("tables")

    background = [failing, _recorder(log, "shapefiles")]
    foreground = [tables, _recorder(log, "kml")]
    with pytest.raises(RuntimeError, match="x.geojson"):
        run_beside(foreground, background, lambda _done: None)
    assert ("shapefiles", False) not in log and ("shapefiles", True) not in log


def test_a_cancel_lets_the_current_background_step_finish_and_starts_no_other(qgis_app):
    log: list = []
    behind_started, canceled = threading.Event(), threading.Event()

    def long_step() -> None:
        behind_started.set()
        assert canceled.wait(5)
        threading.Event().wait(0.3)  # still running when the cancel is seen here
        log.append("geojson finished")

    def check(_done: int) -> None:
        if canceled.is_set():
            raise Canceled()

    def cancel() -> None:
        assert behind_started.wait(5)
        canceled.set()

    with pytest.raises(Canceled):
        run_beside([cancel, _recorder(log, "kml")], [long_step, _recorder(log, "shapefiles")], check)
    # raised once the step running there had finished; nothing started after the cancel
    assert log == ["geojson finished"]


def test_a_foreground_failure_waits_for_the_background_step(qgis_app):
    log: list = []
    behind_started = threading.Event()

    def slow() -> None:
        behind_started.set()
        threading.Event().wait(0.3)
        log.append("geojson finished")

    foreground = [_recorder(log, "tables", behind_started, OSError("disk full"))]
    with pytest.raises(OSError, match="disk full"):
        run_beside(foreground, [slow, _recorder(log, "shapefiles")], lambda _done: None)
    assert log == [("tables", True), "geojson finished"]


def test_an_export_canceled_while_its_formats_are_written_leaves_nothing(site, tmp_path):
    from qgis.core import QgsFeedback

    from sitewatch.core.export.package import ExportCanceled, ExportRequest, export_assessment
    from sitewatch.tests.helpers.export_site import AFTER, BEFORE

    feedback = QgsFeedback()
    seen: list = []
    # canceled at the first progress told (the GeoPackage written): the GeoJSON is then being written
    feedback.progressChanged.connect(lambda progress: (seen.append(progress), progress > 0 and feedback.cancel()))
    folder = tmp_path / "out"
    with pytest.raises(ExportCanceled):
        export_assessment(site, ExportRequest(str(folder), AFTER, BEFORE), feedback)
    assert seen == [100 / 6]  # GeoPackage done of 6 steps: canceled then, nothing after
    assert not folder.exists() and list(tmp_path.iterdir()) == []
    assert not [t for t in threading.enumerate() if t.name.startswith("sitewatch-export")]
