"""The "Score changes" action: runs sitewatch:changescore as a background task on the
session's before/after pair and keeps the scores in the assessment (``change_scores`` table)
so the review queue can order structures by them (:meth:`...core.assessment.store.AssessmentStore.change_scores`)."""

from __future__ import annotations

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsFeature,
    QgsProcessingAlgRunnerTask,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProject,
)
from qgis.PyQt.QtGui import QAction

from ...core import attributes
from ...core.assessment import schema
from ...core.assessment.records import ChangeScoreRow
from ...core.errors import SiteWatchError
from ...core.imagery.registry import resolve_uri
from ..context import InterfacePart, PluginContext
from ..icons import icon
from ..messages import log, notify

ALGORITHM_ID = "sitewatch:changescore"


class ChangeScoreAction(InterfacePart):
    def __init__(self, context: PluginContext):
        super().__init__(context)
        self.action = QAction(icon("change_score"), "Score changes", context.iface.mainWindow())
        self.action.setToolTip(
            "Score changes: rank every structure by how much it changed between the chosen before and "
            "after images and suggest a status, in the background; no key"
        )
        self.action.triggered.connect(self.run)
        context.toolbar.addAction(self.action)
        context.menu.addAction(self.action)
        self.task: QgsProcessingAlgRunnerTask | None = None
        self._run_parts: tuple | None = None
        session = context.session
        for signal in (session.opened, session.closed, session.pair_changed):
            signal.connect(self._update_enabled)
        self._update_enabled()

    def _update_enabled(self, *_args: object) -> None:
        session = self.context.session
        ready = session.store is not None and session.before is not None and session.after is not None
        self.action.setEnabled(ready and self.task is None)

    def run(self) -> None:
        session = self.context.session
        try:
            if session.store is None or session.before is None or session.after is None:
                raise SiteWatchError("Choose a before and an after image of the open assessment first.")
            paths = [resolve_uri(session.store, record) for record in (session.before, session.after)]
            for path, record in zip(paths, (session.before, session.after)):
                if not path:
                    raise SiteWatchError(f"Image {record.image_id} has no file (uri) in the imagery layer.")
        except SiteWatchError as error:
            notify(self.context.iface, str(error), Qgis.MessageLevel.Warning)
            return
        algorithm = QgsApplication.processingRegistry().createAlgorithmById(ALGORITHM_ID)
        if algorithm is None:
            notify(
                self.context.iface,
                f"The algorithm {ALGORITHM_ID} is not available: enable the SiteWatch "
                "plugin's processing provider (Processing ▸ Options ▸ Providers).",
                Qgis.MessageLevel.Critical,
                0,
            )
            return
        parameters = {
            "BEFORE": paths[0],
            "AFTER": paths[1],
            "STRUCTURES": session.store.layer_uri(schema.STRUCTURES.name),
            "OUTPUT": "TEMPORARY_OUTPUT",
        }
        # No project in the task's context: every input is a file path or URI. With the project,
        # the task's thread resolved BEFORE against the project's layer store while the main
        # thread ran events, and the full test suite segfaulted there (twice in two runs).
        context = QgsProcessingContext()
        context.setTransformContext(QgsProject.instance().transformContext())
        feedback = QgsProcessingFeedback()
        self.task = QgsProcessingAlgRunnerTask(algorithm, parameters, context, feedback)
        pair = (session.store, session.before.image_id, session.after.image_id)
        self._run_parts = (algorithm, context, feedback, pair)
        self.task.executed.connect(self._finished)
        self._update_enabled()
        QgsApplication.taskManager().addTask(self.task)
        # the log only: on the message bar it would resurface under the result once that expires
        log(f"Scoring changes between {session.before.label()} and {session.after.label()}…")

    def _finished(self, successful: bool, results: dict) -> None:
        """On the main thread: store the scores of the finished run, or report why it failed."""
        _, context, feedback, (store, before_id, after_id) = self._run_parts
        self.task, self._run_parts = None, None
        self._update_enabled()
        if not successful:
            notify(
                self.context.iface,
                "Change scoring failed: " + (feedback.textLog().strip().splitlines() or ["canceled"])[-1],
                Qgis.MessageLevel.Critical,
                0,
            )
            return
        layer = context.getMapLayer(results.get("OUTPUT") or "")
        if layer is None:
            notify(
                self.context.iface,
                "Change scoring produced no scores layer; nothing was saved.",
                Qgis.MessageLevel.Critical,
                0,
            )
            return
        rows = [_row(feature) for feature in layer.getFeatures()]
        try:
            count = store.save_change_scores(before_id, after_id, rows)
        except SiteWatchError as error:
            notify(self.context.iface, str(error), Qgis.MessageLevel.Critical, 0)
            return
        unknown = sum(1 for row in rows if row.rank is None)
        self.context.session.scores_changed.emit()
        notify(
            self.context.iface,
            f"Scored {count} structures ({unknown} unknown); the review queue can now take the most changed first.",
            Qgis.MessageLevel.Success,
        )

    def unload(self) -> None:
        session = self.context.session
        for signal in (session.opened, session.closed, session.pair_changed):
            signal.disconnect(self._update_enabled)
        if self.task is not None:
            self.task.cancel()
        self.context.toolbar.removeAction(self.action)
        self.context.menu.removeAction(self.action)
        self.action.deleteLater()


def _row(feature: QgsFeature) -> ChangeScoreRow:
    """One feature of sitewatch:changescore's output as the row the store keeps."""
    rank = attributes.number(feature["chg_rank"])
    return ChangeScoreRow(
        str(feature["structure_id"]),
        attributes.number(feature["chg_score"]),
        attributes.number(feature["chg_frac"]),
        None if rank is None else int(rank),
        str(feature["suggested"]),
    )
