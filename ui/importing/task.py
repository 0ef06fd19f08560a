"""Core import work (a preview or an import) run off the UI thread, reporting back on it.

The task gets everything it reads ready-made on the main thread (the source layer, the
assessment's layers, the store) and touches no widget, project layer or ``iface``; its result
or error message is handed to ``done`` on the main thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qgis.core import QgsTask

from ...core.assessment.store import WriteCancelled
from ...core.errors import SiteWatchError

Progress = Callable[[float], bool]
Work = Callable[[Progress], Any]
Done = Callable[[Any, str | None, bool], None]
"""Called on the main thread with (result or None, error message or None, cancelled)."""


class CoreTask(QgsTask):
    """Runs ``work(progress)`` on a worker thread; ``progress`` returns False once cancelled."""

    def __init__(self, description: str, work: Work, done: Done):
        super().__init__(description, QgsTask.Flag.CanCancel)
        self._work: Work | None = work
        self._done = done
        self.result: Any = None
        self.error: str | None = None
        self.cancelled = False

    def _progress(self, fraction: float) -> bool:
        self.setProgress(100 * min(1.0, max(0.0, fraction)))
        return not self.isCanceled()

    def run(self) -> bool:
        """Never lets an exception out: one escaping ``QgsTask.run`` on a worker thread aborts QGIS."""
        work, self._work = self._work, None
        if work is None:
            return False
        try:
            self.result = work(self._progress)
        except WriteCancelled:
            self.cancelled = True
        except SiteWatchError as error:
            self.error = str(error)
        except (RuntimeError, OSError, ValueError, MemoryError) as error:  # GDAL / OGR failures
            self.error = f"The import failed: {type(error).__name__}: {str(error).strip()}; nothing was written."
        if self.isCanceled():
            self.cancelled = True
        return self.error is None and not self.cancelled

    def finished(self, result: bool) -> None:
        self._done(self.result if result else None, self.error, self.cancelled or (not result and not self.error))
