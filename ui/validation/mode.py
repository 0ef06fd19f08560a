"""The validate mode: the review queue holds one validation sample in its seeded random order,
the map, the queue, the layer tree (the first review's tables) and the Damage panel's counts hide
the first review, the change score and other analysts' answers, and
the review keys record validation answers (undoable with Ctrl+Z) until the mode ends; ending it
puts the queue's filters, order and the map's status colours back.

It plugs into the annotation controller as its ``blind`` review (:class:`..annotation.controller.BlindReview`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from qgis.core import Qgis

from ...core import values
from ...core.annotation.review import QueueFilter, ReviewQueue
from ...core.annotation.undo import Command
from ...core.errors import SiteWatchError
from ...core.validation.blind_review import BlindSample, RecordValidation
from .. import settings
from ..annotation.controller import AnnotationController
from .blind_layers import BlindLayers
from .blind_style import BlindStyle

if TYPE_CHECKING:  # psycopg2 is needed only with a PostGIS assessment
    from ...core.assessment.postgis_listen import RemoteChange

VALIDATIONS_TABLE = "validations"
"""The table of the answers (the notifications of a PostGIS assessment name it)."""

KEYS_REFUSED = {
    "Enter": "Enter would confirm the first review's state",
    "Y": "Y would record the change score's suggestion",
}


class ValidationMode:
    """One sample validated blind through ``controller``; ``changed`` runs after every answer,
    undo and redo, and when the mode starts or ends."""

    def __init__(self, controller: AnnotationController, changed: Callable[[], None] = lambda: None):
        self.controller = controller
        self.changed = changed
        self.sample: BlindSample | None = None
        self.style = BlindStyle()
        self.layers = BlindLayers(controller.session)
        self._saved: tuple[QueueFilter, str] = (QueueFilter(), "id")

    @property
    def active(self) -> bool:
        return self.sample is not None

    def _say(self, text: str, level: Qgis.MessageLevel = Qgis.MessageLevel.Info) -> None:
        self.controller.message.emit(text, level)

    def enter(self, sample_id: str) -> None:
        """Start validating ``sample_id``: a SiteWatchError (nothing changed) when it cannot."""
        controller = self.controller
        if controller.store is None:
            raise SiteWatchError("Open an assessment before validating a sample.")
        if controller.read_only:
            raise SiteWatchError(controller.read_only)
        sample = BlindSample(controller.store, sample_id)
        self.leave()
        self.sample = sample
        self._saved = (controller.queue_filter, controller.queue_order)
        controller.blind = self
        controller.undo_stack.listeners.insert(0, self._after_command)  # before the queue refreshes
        controller.session.remote_changed.connect(self._remote_changed)
        self.style.hide_statuses(controller.style.layer)
        self.layers.hide()
        controller.rebuild_queue(QueueFilter(), "id")
        start = next((s for s in sample.ids if s not in sample.answers), sample.ids[0])
        controller.select(start)
        controller.navigated.emit(start)
        self._check_date()
        self.changed()

    def leave(self) -> None:
        """Stop validating: the queue, its filters and the map's status colours come back."""
        if self.sample is None:
            return
        controller = self.controller
        self.sample = None
        controller.blind = None
        if self._after_command in controller.undo_stack.listeners:
            controller.undo_stack.listeners.remove(self._after_command)
        controller.session.remote_changed.disconnect(self._remote_changed)
        self.style.restore()
        self.layers.restore()
        queue_filter, order = self._saved
        controller.rebuild_queue(queue_filter, order)
        controller.current_changed.emit(controller.current)
        self.changed()

    def _check_date(self) -> bool:
        """Answers are of the sample's date: the after image must be of that date."""
        sample, after = self.sample, self.controller.session.after
        if sample is None:
            return False
        if after is None or after.acquired != sample.on:
            shown = after.acquired if after is not None and after.acquired else "no dated after image"
            self._say(
                f"The sample {sample.sample_id} checks the first review of {sample.on} ({shown} is shown): "
                f"choose the after image of {sample.on} in the Imagery panel before answering.",
                Qgis.MessageLevel.Warning,
            )
            return False
        return True

    # -- the controller's blind review -------------------------------------------------------

    def restrict(self, queue: ReviewQueue) -> None:
        if self.sample is not None:
            queue.show_only(self.sample.ids)

    def record(self, status: str, confidence: str) -> bool:
        sample, controller = self.sample, self.controller
        if sample is None or controller.current is None:
            self._say("No structure of the sample is selected: press N.", Qgis.MessageLevel.Warning)
            return False
        if controller.read_only:
            self._say(controller.read_only, Qgis.MessageLevel.Warning)
            return False
        if not self._check_date():
            return False
        try:
            command = sample.answer(controller.current, status, confidence, settings.analyst_name())
            controller.undo_stack.push(command)
        except SiteWatchError as error:
            self._say(str(error), Qgis.MessageLevel.Critical)
            return False
        label = values.label_of(values.STATUSES, status)
        self._say(f"{controller.current}: validated {label} · {sample.progress_text()}", Qgis.MessageLevel.Info)
        return True

    def set_confidence(self, confidence: str) -> bool:
        sample, current = self.sample, self.controller.current
        own = sample.answers.get(current) if sample is not None and current is not None else None
        label = values.label_of(values.CONFIDENCES, confidence)
        if own is None or own.analyst != settings.analyst_name() or own.confidence == confidence:
            self._say(f"Confidence {label} for the next answers.")
            return False
        return self.record(own.status, confidence)

    def refuse(self, key: str) -> bool:
        reason = KEYS_REFUSED.get(key, f"{key} is not used")
        self._say(
            f"{reason}: it is off while validating blind. Look at the images and press a status key.",
            Qgis.MessageLevel.Warning,
        )
        return False

    def status_text(self, structure_id: str) -> str:
        if self.sample is None:
            return ""
        return self.sample.answer_text(structure_id, settings.analyst_name())

    def counter_text(self) -> str:
        if self.sample is None:
            return ""
        return (
            f"Validating {self.sample.sample_id} blind: {self.sample.progress_text()} · "
            "N / P in the sample's random order"
        )

    def _after_command(self, command: Command) -> None:
        """An answer was recorded, undone or redone: read the sample's answers again."""
        if self.sample is None or not isinstance(command, RecordValidation):
            return
        self.sample.reload()
        self.controller.states_changed.emit([command.answer.structure_id])
        self.changed()

    def _remote_changed(self, changes: list[RemoteChange]) -> None:
        """Other validators answered on a shared (PostGIS) assessment: the progress and the
        queue's "validated by another analyst" follow as they answer."""
        answered = sorted({c.key for c in changes if c.table == VALIDATIONS_TABLE and c.key})
        if self.sample is None or not answered:
            return
        self.sample.reload()
        self.controller.states_changed.emit([s for s in answered if s in self.sample.ids])
        self.controller.queue_changed.emit()  # the queue's counter
        self.changed()
