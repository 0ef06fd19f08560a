"""The site history computed off the UI thread, from layers the task opens read-only on the
main thread (never the project layers)."""

from __future__ import annotations

from qgis.core import QgsCoordinateTransformContext, QgsFeedback, QgsTask, QgsVectorLayer

from ...core.assessment.store import AssessmentStore
from ...core.errors import SiteWatchError
from ...core.history.events import event_sentences
from ...core.history.series import HISTORY_LAYERS, SiteHistory, history_of_layers


class HistoryTask(QgsTask):
    """Counts by status at every date and the events of the site."""

    def __init__(self, store: AssessmentStore):
        super().__init__("SiteWatch: site history", QgsTask.Flag.CanCancel)
        self.feedback = QgsFeedback()
        self.history: SiteHistory | None = None
        self.events: list[str] = []
        self.error: str | None = None
        options = QgsVectorLayer.LayerOptions(QgsCoordinateTransformContext())
        options.loadDefaultStyle = False
        options.skipCrsValidation = True
        options.forceReadOnly = True
        # made here, on the main thread (OGR layers made on a worker deadlocked, see DamageTask)
        self.layers = {
            name: QgsVectorLayer(store.layer_uri(name), name, store.provider, options) for name in HISTORY_LAYERS
        }

    def run(self) -> bool:
        """Never lets an exception out: one escaping ``QgsTask.run`` on a worker thread aborts QGIS."""
        try:
            self.history = history_of_layers(self.layers, self.feedback)
            self.events = event_sentences(self.history)
        except SiteWatchError as error:
            self.error = str(error)
            return False
        except (RuntimeError, OSError, ValueError, IndexError, MemoryError) as error:
            self.error = f"Computing the site history failed: {type(error).__name__}: {str(error).strip()}"
            return False
        return not self.isCanceled()

    def cancel(self) -> None:
        self.feedback.cancel()
        super().cancel()
