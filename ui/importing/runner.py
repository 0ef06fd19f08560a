"""What both Import dialogs share: the preview / import buttons, one background task at a time
with its progress bar and cancel, and the end of an import (message bar, layers re-read)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qgis.core import Qgis, QgsApplication
from qgis.gui import QgisInterface
from qgis.PyQt.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.assessment import schema
from ...core.errors import SiteWatchError
from ..assessment.session import AssessmentSession
from ..messages import notify
from .task import CoreTask, Work

CHANGED_LAYERS = {schema.STRUCTURES.name, schema.OBSERVATIONS.name, schema.OBSERVATION_HISTORY.name}


class ImportDialogBase(QDialog):
    """A non-modal dialog with Preview, Import, a progress bar with Cancel and Close.

    Subclasses build their form in ``form`` and implement :meth:`preview_work`,
    :meth:`import_work` (each returns the work a :class:`CoreTask` runs, made on the main
    thread, or raises a SiteWatchError naming what to fix), :meth:`show_preview` and
    :meth:`summary`."""

    TITLE = "Import"

    def __init__(self, iface: QgisInterface, session: AssessmentSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.iface = iface
        self.session = session
        self.task: CoreTask | None = None
        self.last_result: Any = None
        self.setWindowTitle(self.TITLE)
        self.form = QVBoxLayout()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the preview or import; an import stopped writes nothing")
        self.cancel_button.clicked.connect(self.cancel)
        running = QHBoxLayout()
        running.addWidget(self.progress, 1)
        running.addWidget(self.cancel_button)
        self.preview_button = QPushButton("Preview")
        self.preview_button.setToolTip("Work out what the import would do, without writing anything")
        self.import_button = QPushButton("Import")
        self.import_button.setToolTip("Write into the open assessment in one transaction (all or nothing)")
        self.close_button = QPushButton("Close")
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        for button in (self.preview_button, self.import_button, self.close_button):
            button.setAutoDefault(False)
            self.buttons.addWidget(button)
        self.preview_button.clicked.connect(self.preview)
        self.import_button.clicked.connect(self.run_import)
        self.close_button.clicked.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.status)
        layout.addLayout(running)
        layout.addLayout(self.buttons)
        self._set_running(False)

    # -- what a subclass provides -----------------------------------------------------------

    def preview_work(self) -> Work:
        raise NotImplementedError

    def import_work(self) -> Work:
        raise NotImplementedError

    def show_preview(self, result: Any) -> None:
        raise NotImplementedError

    def summary(self, result: Any) -> str:
        raise NotImplementedError

    # -- running ----------------------------------------------------------------------------

    def busy(self) -> bool:
        return self.task is not None

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.progress.setValue(0)
        for button in (self.preview_button, self.import_button):
            button.setEnabled(not running)

    def _start(self, description: str, make_work: Callable[[], Work], done: Callable[[Any], None]) -> None:
        if self.task is not None:
            return
        try:
            if self.session.store is None:
                raise SiteWatchError("No assessment is open: use SiteWatch ▸ Open assessment or New assessment.")
            work = make_work()
        except SiteWatchError as error:
            self.status.setText(str(error))
            return
        self.task = CoreTask(
            description, work, lambda result, error, cancelled: self._ended(result, error, cancelled, done)
        )
        self.task.progressChanged.connect(lambda value: self.progress.setValue(int(value)))
        self._set_running(True)
        self.status.setText(f"{description}…")
        QgsApplication.taskManager().addTask(self.task)

    def _ended(self, result: Any, error: str | None, cancelled: bool, done: Callable[[Any], None]) -> None:
        self.task = None
        self._set_running(False)
        if error is not None:
            self.status.setText(error)
        elif cancelled or result is None:
            self.status.setText("Cancelled; nothing was written.")
        else:
            done(result)

    def preview(self) -> None:
        """Work out the import in the background and show its counts; nothing is written."""
        self._start("Previewing the import", self.preview_work, self._previewed)

    def _previewed(self, result: Any) -> None:
        self.last_result = result
        self.status.setText("Preview: nothing was written. Import writes this into the assessment.")
        self.show_preview(result)

    def run_import(self) -> None:
        """Import in the background; ends with the summary on the message bar."""
        reason = self.session.store.read_only_reason() if self.session.store is not None else None
        if reason:
            self.status.setText(reason)
            return
        self._start("Importing", self.import_work, self._imported)

    def _imported(self, result: Any) -> None:
        self.last_result = result
        self.show_preview(result)
        text = self.summary(result)
        self.status.setText(text)
        notify(self.iface, text, Qgis.MessageLevel.Success, 10)
        self.session.store_changed.emit(None, set(CHANGED_LAYERS))
        self.close()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def closeEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        self.cancel()
        super().closeEvent(event)
