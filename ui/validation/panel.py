"""The validate controls of the review queue dock: pick a validation sample (drawn by
sitewatch:validationsample, or here with *Draw sample*), start and end the blind validation,
and its progress ("12 of 60 validated")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsProcessingAlgRunnerTask,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProject,
)
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from ...core.errors import SiteWatchError
from ...core.validation.blind_review import sample_summaries
from ..annotation.controller import AnnotationController
from ..messages import warns
from .mode import ValidationMode

SAMPLE_ALGORITHM = "sitewatch:validationsample"


class _Feedback(QgsProcessingFeedback):  # type: ignore[misc]  # QGIS has no stubs: the base is Any
    """Keeps the algorithm's errors, so a failed draw says why."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[str] = []

    def reportError(self, error: str, fatal_error: bool = False) -> None:
        self.errors.append(error)
        super().reportError(error, fatal_error)


class ValidationPanel(QGroupBox):
    """Sample picker, *Draw sample*, *Validate* (checked while validating) and the progress."""

    def __init__(
        self,
        controller: AnnotationController,
        filters: list[QWidget],
        use_review_tool: Callable[[], object] = lambda: None,
        parent: QWidget | None = None,
    ):
        super().__init__("Validate (blind second review)", parent)
        self.controller = controller
        self.filters = filters
        self.use_review_tool = use_review_tool
        self.mode = ValidationMode(controller, self.show_state)
        self.task: QgsProcessingAlgRunnerTask | None = None
        self._run: tuple[QgsProcessingContext, _Feedback] | None = None
        self.samples = QComboBox()
        self.samples.setToolTip("Validation samples of the assessment (sitewatch:validationsample)")
        self.margin = QDoubleSpinBox()
        self.margin.setRange(0.01, 0.5)
        self.margin.setSingleStep(0.01)
        self.margin.setValue(0.1)
        self.margin.setPrefix("± ")
        self.margin.setToolTip("Margin of error at 95 % the sample's size is chosen for (0.10 = ±10 points)")
        self.seed = QSpinBox()
        self.seed.setRange(0, 999_999)
        self.seed.setValue(1)
        self.seed.setToolTip("Random seed: the same seed draws the same sample (id VS-<date>-<seed>)")
        self.draw_button = QPushButton("Draw sample")
        self.draw_button.setToolTip(
            "Draw a stratified random sample of the structures reviewed at the after image's date"
        )
        self.validate_button = QPushButton("Validate")
        self.validate_button.setCheckable(True)
        self.validate_button.setToolTip(
            "Review the sample blind: the queue holds only its structures in random order; the first "
            "review's status, the change score and others' names are hidden and the map shows outlines "
            "only; status keys record validation answers (Ctrl+Z undoes). Click again to stop"
        )
        self.progress = QLabel()
        self.progress.setWordWrap(True)
        grid = QGridLayout(self)
        grid.addWidget(QLabel("Sample"), 0, 0)
        grid.addWidget(self.samples, 0, 1, 1, 3)
        grid.addWidget(self.margin, 1, 0)
        grid.addWidget(self.seed, 1, 1)
        grid.addWidget(self.draw_button, 1, 2)
        grid.addWidget(self.validate_button, 1, 3)
        grid.addWidget(self.progress, 2, 0, 1, 4)
        self.draw_button.clicked.connect(self.draw_sample)
        self.validate_button.toggled.connect(self._toggled)
        session = controller.session
        session.opened.connect(self._session_changed)
        session.closed.connect(self._session_changed)
        self.fill_samples()

    def showEvent(self, event: object) -> None:  # noqa: N802 (Qt override)
        """Shown again: samples drawn meanwhile (e.g. with the Processing toolbox) are listed."""
        super().showEvent(event)
        if not self.mode.active:
            self.fill_samples()

    def warn(self, text: str) -> None:
        self.controller.message.emit(text, Qgis.MessageLevel.Warning)

    def _session_changed(self, *_args: object) -> None:
        self.mode.leave()  # another assessment (or none): its samples are not this one's
        self.fill_samples()

    @warns
    def fill_samples(self, select: str | None = None) -> None:
        chosen = select or self.samples.currentData()
        self.samples.clear()
        store = self.controller.store
        for summary in sample_summaries(store) if store is not None else []:
            self.samples.addItem(summary.label(), summary.sample_id)
        index = self.samples.findData(chosen) if chosen else -1
        self.samples.setCurrentIndex(max(index, 0) if self.samples.count() else -1)
        self.show_state()

    def show_state(self) -> None:
        """The button, the progress line and the queue's filters as the mode is."""
        active = self.mode.active
        self.validate_button.blockSignals(True)
        self.validate_button.setChecked(active)
        self.validate_button.blockSignals(False)
        self.validate_button.setText("Stop validating" if active else "Validate")
        has_store = self.controller.store is not None
        self.validate_button.setEnabled(has_store and (active or self.samples.count() > 0))
        self.draw_button.setEnabled(has_store and not active and self.task is None)
        self.samples.setEnabled(not active)
        for widget in self.filters:
            widget.setEnabled(not active)  # the queue holds the sample while validating
        sample = self.mode.sample
        if sample is not None:
            self.progress.setText(f"{sample.sample_id}: {sample.progress_text()} (blind)")
            index = self.samples.findData(sample.sample_id)
            if index >= 0:
                self.samples.setItemText(index, f"{sample.sample_id} · {sample.progress_text()}")
        elif not has_store:
            self.progress.setText("Open an assessment to validate its review.")
        elif not self.samples.count():
            self.progress.setText("No validation sample yet: draw one at the after image's date.")
        else:
            self.progress.setText("Pick a sample and press Validate to review it blind.")

    def _toggled(self, checked: bool) -> None:
        if not checked:
            self.mode.leave()
            return
        sample_id = self.samples.currentData()
        try:
            if not sample_id:
                raise SiteWatchError("No validation sample to validate: draw one first.")
            self.mode.enter(sample_id)
        except SiteWatchError as error:
            self.warn(str(error))
            self.show_state()
            return
        self.use_review_tool()

    def draw_sample(self) -> None:
        """Run sitewatch:validationsample on the open assessment at the after image's date in
        the background; the new sample is then picked."""
        store, on = self.controller.store, self.controller.review_date()
        if store is None or on is None:
            self.warn("Open an assessment and choose a dated after image before drawing a sample.")
            return
        parameters: dict[str, Any] = {
            "ASSESSMENT": store.location,
            "DATE": on,
            "MARGIN": self.margin.value(),
            "SEED": self.seed.value(),
            "OUTPUT": "TEMPORARY_OUTPUT",
        }
        algorithm = QgsApplication.processingRegistry().createAlgorithmById(SAMPLE_ALGORITHM)
        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        feedback = _Feedback()
        self._run = (context, feedback)  # both must live as long as the task
        self.task = QgsProcessingAlgRunnerTask(algorithm, parameters, context, feedback)
        self.task.setDescription("SiteWatch: draw a validation sample")
        self.task.executed.connect(self._drawn)
        self.show_state()
        QgsApplication.taskManager().addTask(self.task)

    def _drawn(self, successful: bool, results: dict[str, Any]) -> None:
        feedback = self._run[1] if self._run is not None else None
        self.task, self._run = None, None
        if not successful:
            reason = feedback.errors[-1] if feedback is not None and feedback.errors else "it was canceled"
            self.warn(f"No sample was drawn: {reason}")
            self.fill_samples()
            return
        self.controller.message.emit(
            f"Sample {results['SAMPLE_ID']}: {results['SAMPLE_SIZE']} structure(s) to review blind.",
            Qgis.MessageLevel.Success,
        )
        self.fill_samples(str(results["SAMPLE_ID"]))

    def unload(self) -> None:
        self.mode.leave()
        session = self.controller.session
        session.opened.disconnect(self._session_changed)
        session.closed.disconnect(self._session_changed)
