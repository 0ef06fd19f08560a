"""The whole plugin in tests: its parts, deferred deletes and the damage dock's background task."""

from __future__ import annotations

import time

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QCoreApplication, QEvent

from sitewatch.ui.damage.dock import DamageDock


def flush_deletes() -> None:
    deferred = QEvent.Type.DeferredDelete
    QCoreApplication.sendPostedEvents(None, getattr(deferred, "value", deferred))  # int on Qt 5, enum on Qt 6
    QCoreApplication.processEvents()


def part_of(plugin, kind):
    return next(part for part in plugin.parts if isinstance(part, kind))


def wait_until_idle(dock: DamageDock, seconds: float = 20.0) -> None:
    """Let the event loop run until the dock's refresh task has finished."""
    deadline = time.monotonic() + seconds
    QCoreApplication.processEvents()
    while dock.busy() or QgsApplication.taskManager().countActiveTasks():
        if time.monotonic() > deadline:
            raise AssertionError("the damage panel did not finish refreshing")
        QCoreApplication.processEvents()
        time.sleep(0.005)
    QCoreApplication.processEvents()
