"""Overviews for big images: the offer when one is added, and the background builds."""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import Qgis, QgsApplication, QgsRasterLayer
from qgis.PyQt.QtWidgets import QMessageBox, QWidget

from ...core.imagery.overviews import BuildOverviewsTask, needs_overviews


class OverviewBuilds:
    """Starts :class:`BuildOverviewsTask`s and reports each outcome with ``tell``."""

    def __init__(
        self, tell: Callable[[str, Qgis.MessageLevel], None], image_layer: Callable[[str], QgsRasterLayer | None]
    ):
        self.tell = tell
        self.image_layer = image_layer
        self.tasks: list[BuildOverviewsTask] = []

    def offer(self, parent: QWidget, image_id: str, label: str, path: str) -> None:
        """Ask whether to build overviews when a big image has none."""
        if not needs_overviews(path):
            return
        answer = QMessageBox.question(
            parent,
            "Build overviews?",
            f"{label} has no overviews, so it draws slowly when zoomed out. "
            "Build them now (in the background, into a .ovr file beside it)?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.start(image_id, label, path)

    def start(self, image_id: str, label: str, path: str) -> BuildOverviewsTask:
        task = BuildOverviewsTask(path, label)
        task.taskCompleted.connect(lambda: self._done(task, image_id))
        task.taskTerminated.connect(lambda: self._done(task, image_id))
        self.tasks.append(task)
        QgsApplication.taskManager().addTask(task)
        return task

    def _done(self, task: BuildOverviewsTask, image_id: str) -> None:
        self.tasks = [t for t in self.tasks if t is not task]
        if task.status() == task.TaskStatus.Complete:
            layer = self.image_layer(image_id)
            if layer is not None:
                layer.dataProvider().reloadData()
                layer.triggerRepaint()
            self.tell(f"Overviews built for {task.label}.", Qgis.MessageLevel.Success)
        else:
            self.tell(
                task.error or f"Building overviews of {task.label} was canceled; nothing was kept.",
                Qgis.MessageLevel.Warning,
            )

    def cancel_all(self) -> None:
        for task in self.tasks:
            task.cancel()
        self.tasks = []
