"""sitewatch:exportreport run as a background task (QGIS stays responsive, its progress and
cancel in QGIS's task manager) that ends on one message: where the export went, with
*Open folder* and *Open PDF* buttons, or what went wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsProcessingAlgorithm,
    QgsProcessingAlgRunnerTask,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingParameters,
    QgsProject,
)
from qgis.gui import QgisInterface
from qgis.PyQt.QtCore import QTimer, QUrl
from qgis.PyQt.QtGui import QDesktopServices
from qgis.PyQt.QtWidgets import QPushButton

from ..messages import log, notify

ALGORITHM = "sitewatch:exportreport"
IMAGE_PARAMETERS = ("BEFORE_IMAGE", "AFTER_IMAGE")


class _Feedback(QgsProcessingFeedback):  # type: ignore[misc]  # QGIS has no stubs: the base is Any
    """Keeps the algorithm's errors, so a failed run says why."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[str] = []

    def reportError(self, error: str, fatal_error: bool = False) -> None:
        self.errors.append(error)
        super().reportError(error, fatal_error)


def image_files(algorithm: QgsProcessingAlgorithm, parameters: dict[str, Any]) -> dict[str, Any]:
    """``parameters`` with the report's images given as project layers replaced by their files
    (read here, on the main thread)."""
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    files = dict(parameters)
    for name in IMAGE_PARAMETERS:
        if files.get(name):
            layer = QgsProcessingParameters.parameterAsRasterLayer(algorithm.parameterDefinition(name), files, context)
            if layer is not None:
                files[name] = layer.source()
    return files


def open_path(path: str) -> None:
    """Open a folder or file with the desktop's application for it."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(path))


class ExportRun:
    """One export in the background; ``done`` is set once its message is shown."""

    def __init__(self, iface: QgisInterface, parameters: dict[str, Any]):
        self.iface = iface
        self.done = False
        self.results: dict[str, Any] = {}
        algorithm = QgsApplication.processingRegistry().createAlgorithmById(ALGORITHM)
        # The task's context holds no project: its thread would read the project's layers while
        # the interface changes them. Images chosen among the project's layers go as files.
        parameters = image_files(algorithm, parameters)
        self.context = QgsProcessingContext()
        self.feedback = _Feedback()
        self.task = QgsProcessingAlgRunnerTask(algorithm, parameters, self.context, self.feedback)
        self.task.setDescription("SiteWatch: export for reports")
        self.task.executed.connect(self._finished)

    def start(self) -> None:
        QgsApplication.taskManager().addTask(self.task)

    def _finished(self, successful: bool, results: dict[str, Any]) -> None:
        self.results = dict(results) if successful else {}
        # after QGIS's own "Task complete" note (shown while QGIS is not the active window),
        # so the message saying how the export went is the one on top
        QTimer.singleShot(0, self._tell)

    def _tell(self) -> None:
        self.done = True
        if not self.results:
            reason = self.feedback.errors[-1] if self.feedback.errors else "it was canceled"
            notify(self.iface, f"The export failed: {reason}", Qgis.MessageLevel.Critical, duration=0)
            return
        folder = str(self.results.get("OUTPUT_FOLDER") or "")
        pdf = str(self.results.get("REPORT_PDF") or "")
        self.show_result(folder, pdf if pdf and Path(pdf).is_file() else None)

    def show_result(self, folder: str, pdf: str | None) -> None:
        """The success message, with a button per thing to open (kept until closed)."""
        text = f"Exported to {folder}" + (f"; report {Path(pdf).name}" if pdf else "")
        log(text, Qgis.MessageLevel.Success)
        bar = self.iface.messageBar()
        item = bar.createMessage("SiteWatch", text)
        for label, path in (("Open folder", folder), ("Open PDF", pdf)):
            if path:
                button = QPushButton(label, item)
                button.setProperty("path", path)
                button.clicked.connect(lambda _checked=False, target=path: open_path(target))
                item.layout().addWidget(button)
        bar.pushWidget(item, Qgis.MessageLevel.Success, 0)
