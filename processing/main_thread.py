"""Print layouts of an algorithm running in a background task, drawn on QGIS's main thread.

QGIS's print layouts are not thread safe: its own layout export algorithms are NoThreading
("this needs to be done in main thread, layouts are not thread safe"), and a layout is a
QGraphicsScene, whose constructor and destructor change the application's list of scenes
without a lock, racing any map canvas or layout the interface creates at the same time.
``sitewatch:exportreport`` runs in a task (the QGIS window stays usable: its data work takes
most of the time), so each of its layout steps (one PDF document each) is handed to the main
thread here while the task waits; between two steps the main thread is back in its event
loop, and within a step of several pages (the compound pages' atlas) the window is kept
alive after each page the way QGIS's layout designer does it during an atlas export (pending
events processed from the export's progress). Run on the main thread itself (``qgis_process``,
``processing.run`` from the console), a step runs at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from qgis.core import QgsFeedback
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QThread, QTimer, pyqtSignal, pyqtSlot

from ..core.errors import SiteWatchError
from ..core.export.package import ExportCanceled, LayoutRunner, LayoutStep

POLL_SECONDS = 0.05
"""How often a waiting task looks at its cancel button."""
BUSY_RETRY_MS = 50
"""A step arriving while another runs (its pages let events through) waits this long and retries."""
EVENTS_MS = 50
"""After each page, pending events are processed for at most this long."""


class _MainThreadCalls(QObject):  # type: ignore[misc]  # QGIS has no stubs: the base is Any
    """Lives on the main thread; runs the calls queued to it there, one at a time."""

    requested = pyqtSignal(object)

    def __init__(self) -> None:
        super().__init__()
        self.busy = False
        self.requested.connect(self._run, Qt.ConnectionType.QueuedConnection)

    @pyqtSlot(object)  # type: ignore[untyped-decorator]
    def _run(self, call: Callable[[], None]) -> None:
        if self.busy:  # a page of another step let this one in: not inside it
            QTimer.singleShot(BUSY_RETRY_MS, lambda: self._run(call))
            return
        self.busy = True
        try:
            # what waited behind this call first (input, painting, timers): the window answers
            # between two steps even when the task hands the next one over at once
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, EVENTS_MS)
            call()
        finally:
            self.busy = False


_CALLS = _MainThreadCalls()
"""Made when the provider loads this module, which QGIS does on its main thread."""


class _Handover:
    """One layout step handed to the main thread: its outcome, and whether the task withdrew it
    (canceled before the main thread started it)."""

    def __init__(self, step: LayoutStep, feedback: QgsFeedback | None):
        self.step = step
        self.feedback = feedback
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.started = False
        self.withdrawn = False
        self.result: Path | None = None
        self.error: SiteWatchError | OSError | RuntimeError | None = None

    def run(self) -> None:
        """On the main thread."""
        with self.lock:
            if self.withdrawn:
                return
            self.started = True
        pages = QgsFeedback()
        pages.progressChanged.connect(lambda _progress: self._between_pages(pages))
        try:
            self.result = self.step(pages)
        except (SiteWatchError, OSError, RuntimeError) as error:  # the export's own failures
            self.error = error
        finally:  # anything else is QGIS's Python error on the main thread; the task still ends
            self.done.set()

    def _between_pages(self, pages: QgsFeedback) -> None:
        """After each page: the window answers, and the task's cancel stops the pages."""
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, EVENTS_MS)
        if self.feedback is not None and self.feedback.isCanceled():
            pages.cancel()

    def withdraw(self) -> bool:
        """True when the step will not run (it had not started)."""
        with self.lock:
            self.withdrawn = not self.started
            return self.withdrawn


def on_main_thread(step: LayoutStep, feedback: QgsFeedback | None = None) -> Path:
    """Run ``step`` on the main thread (at once when already there) and return its result; a
    cancel while it waits for the main thread withdraws it (ExportCanceled)."""
    application = QCoreApplication.instance()
    if application is None or sip.unwrapinstance(QThread.currentThread()) == sip.unwrapinstance(application.thread()):
        return step(None)
    handover = _Handover(step, feedback)
    _CALLS.requested.emit(handover.run)
    while not handover.done.wait(POLL_SECONDS):
        if feedback is not None and feedback.isCanceled() and handover.withdraw():
            raise ExportCanceled("The export was canceled; nothing was written.")
    if handover.error is not None:
        raise handover.error
    if handover.result is None:
        raise SiteWatchError("Writing a PDF page failed on QGIS's main thread; see QGIS's Python error for why.")
    return handover.result


def layout_runner(feedback: QgsFeedback | None) -> LayoutRunner:
    """The export's ``run_layout``: each layout step on the main thread (see the module docstring)."""
    return lambda step: on_main_thread(step, feedback)
