"""The review queue's validate mode on a real canvas: the sample alone in its seeded order,
blind (no first status, no suggestion, no other analyst, no status colours), answers written to
``validations`` and never to ``observations``, undo and redo, progress, and everything back
when the mode ends."""

from __future__ import annotations

import time

from qgis.core import Qgis, QgsSingleSymbolRenderer
from qgis.PyQt.QtCore import QCoreApplication, Qt

from sitewatch.core import values
from sitewatch.core.assessment.validation_records import ValidationAnswer
from sitewatch.tests.helpers.review_site import AFTER, BEFORE, key_of, messages, press
from sitewatch.ui.annotation.review_queue_model import SCORE, STATUS, SUGGESTION
from sitewatch.ui.annotation.status_style import is_status_renderer
from sitewatch.ui.validation.blind_style import NEUTRAL_OUTLINE

from .conftest import FIRST_REVIEW


def _wait_for(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the background task did not finish"
        QCoreApplication.processEvents()
        time.sleep(0.005)


def _validate(part, sample_id: str) -> None:
    panel = part.validation
    panel.samples.setCurrentIndex(panel.samples.findData(sample_id))
    panel.validate_button.click()


def _shown(part) -> list[str]:
    """Every text of the queue dock the analyst can read: rows, header, current line, counter."""
    model = part.dock.model
    texts = [part.dock.current_label.text(), part.dock.counter.text(), part.validation.progress.text()]
    texts += [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())]
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            texts += [str(model.data(index)), str(model.data(index, Qt.ItemDataRole.ToolTipRole))]
    return texts


def test_the_queue_holds_the_sample_in_its_order_and_hides_the_first_review(part, sample):
    sample_id, order = sample
    dock, layer = part.dock, part.controller.session.layer("structures")
    assert is_status_renderer(layer.renderer())
    dock.compound.setCurrentIndex(dock.compound.findData("C-0001"))  # a filter the mode must put back
    assert dock.model.cell_text("S-0001", SUGGESTION) == "Moderate damage"
    _validate(part, sample_id)
    assert part.validation.validate_button.isChecked()
    assert part.controller.queue.ids == order  # the sample's seeded random order, nothing else
    assert part.controller.current == order[0] and part.canvas.mapTool() is part.tools["review"]
    shown = " ".join(_shown(part))
    for status in set(FIRST_REVIEW.values()) | {"moderate"}:
        assert values.label_of(values.STATUSES, status) not in shown, status
    assert "ana" not in shown.split() and "carried" not in shown
    assert dock.model.cell_text(order[0], STATUS) == "to validate" and dock.model.cell_text(order[0], SUGGESTION) == ""
    assert dock.counter.text().startswith(f"Validating {sample_id} blind: 0 of 4 validated")
    # the map: one neutral outline for every structure instead of the status colours
    renderer = layer.renderer()
    assert isinstance(renderer, QgsSingleSymbolRenderer)
    assert renderer.symbol().symbolLayer(0).strokeColor().name() == NEUTRAL_OUTLINE
    assert not dock.compound.isEnabled() and not dock.status.isEnabled() and not dock.order.isEnabled()
    assert dock.list.isColumnHidden(SUGGESTION) and dock.list.isColumnHidden(SCORE)
    # leaving puts everything back
    part.validation.validate_button.click()
    assert part.controller.blind is None and is_status_renderer(layer.renderer())
    assert dock.compound.isEnabled() and dock.compound.currentData() == "C-0001"
    assert sorted(part.controller.queue.ids) == ["S-0001", "S-0002", "S-0003"]
    assert dock.model.headerData(STATUS, Qt.Orientation.Horizontal) == f"Status at {AFTER.acquired}"
    assert dock.model.cell_text("S-0001", STATUS) == "Destroyed"
    assert not dock.list.isColumnHidden(SUGGESTION) and not dock.list.isColumnHidden(SCORE)


def test_keys_record_validation_answers_never_observations_with_undo_and_progress(part, sample, assessment):
    sample_id, order = sample
    observations = sorted(assessment.observations(), key=lambda o: (o.structure_id, o.observed_on))
    _validate(part, sample_id)
    tool, first = part.tools["review"], order[0]
    press(tool, Qt.Key.Key_L)
    press(tool, key_of("severe"))
    answers = assessment.validations(sample_id)
    assert [(a.structure_id, a.observed_on, a.status, a.confidence, a.analyst) for a in answers] == [
        (first, AFTER.acquired, "severe", "low", "Test Analyst")
    ]
    assert sorted(assessment.observations(), key=lambda o: (o.structure_id, o.observed_on)) == observations
    assert part.dock.model.cell_text(first, STATUS) == "validated Severe damage"
    assert "1 of 4 validated" in part.dock.counter.text() and "1 of 4 validated" in part.validation.progress.text()
    press(tool, Qt.Key.Key_H)  # changes the confidence of the answer just given
    press(tool, key_of("destroyed"))  # a second thought replaces the answer
    assert [(a.status, a.confidence) for a in assessment.validations(sample_id)] == [("destroyed", "high")]
    press(tool, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # back to the first thought
    assert [(a.status, a.confidence) for a in assessment.validations(sample_id)] == [("severe", "high")]
    press(tool, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    press(tool, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert assessment.validations(sample_id) == [] and "0 of 4 validated" in part.dock.counter.text()
    press(tool, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert [a.status for a in assessment.validations(sample_id)] == ["severe"]
    # Enter and Y would use the first review and the change score: refused, nothing written
    press(tool, Qt.Key.Key_N)
    assert part.controller.current == order[1]
    press(tool, Qt.Key.Key_Return)
    press(tool, Qt.Key.Key_Y)
    warnings = messages(part.context.iface, Qgis.MessageLevel.Warning)
    assert "Enter would confirm the first review's state" in warnings
    assert "Y would record the change score's suggestion" in warnings
    assert len(assessment.validations(sample_id)) == 1
    press(tool, key_of("unknown"))  # the validator cannot tell: an answer too
    assert {a.structure_id: a.status for a in assessment.validations(sample_id)} == {
        first: "severe",
        order[1]: "unknown",
    }
    assert sorted(assessment.observations(), key=lambda o: (o.structure_id, o.observed_on)) == observations


def test_another_analysts_answer_shows_neither_status_nor_name(part, sample, assessment):
    sample_id, order = sample
    assessment.record_validations([ValidationAnswer(order[2], AFTER.acquired, "destroyed", sample_id, analyst="Zoe")])
    part.validation.fill_samples()
    assert part.validation.samples.currentText() == f"{sample_id} · 1 of 4 validated"
    _validate(part, sample_id)
    assert part.controller.current == order[0]  # the first structure nobody answered
    assert part.dock.model.cell_text(order[2], STATUS) == "validated by another analyst"
    shown = " ".join(_shown(part))
    assert "Zoe" not in shown and "Destroyed" not in shown


def test_answers_need_the_after_image_of_the_samples_date(part, sample, assessment):
    sample_id, _ = sample
    part.context.session.set_pair(None, BEFORE)
    _validate(part, sample_id)
    press(part.tools["review"], key_of("intact"))
    assert assessment.validations(sample_id) == []
    assert f"choose the after image of {AFTER.acquired}" in messages(part.context.iface, Qgis.MessageLevel.Warning)


def test_draw_sample_runs_the_algorithm_and_picks_the_new_sample(part, assessment, sitewatch_provider):
    panel = part.validation
    panel.seed.setValue(42)
    panel.margin.setValue(0.3)
    panel.draw_button.click()
    _wait_for(lambda: panel.task is None)
    new_id = f"VS-{AFTER.acquired}-42"
    assert panel.samples.currentData() == new_id
    assert len(assessment.validation_sample(new_id)) >= 2
    panel.draw_button.click()  # the same seed again: refused, said, nothing changed
    _wait_for(lambda: panel.task is None)
    assert "already exists" in messages(part.context.iface, Qgis.MessageLevel.Warning)


def test_closing_the_assessment_ends_the_mode(part, sample, assessment):
    sample_id, _ = sample
    _validate(part, sample_id)
    session = part.context.session
    session.close()
    assert part.controller.blind is None and not part.validation.validate_button.isChecked()
    assert not part.validation.validate_button.isEnabled()
    session.open(str(assessment.path))
    assert is_status_renderer(session.layer("structures").renderer())
    assert sorted(part.controller.queue.ids) == sorted(FIRST_REVIEW)
    assert part.validation.samples.currentData() == sample_id


def test_a_structure_outside_the_sample_is_not_validated(part, sample, assessment):
    sample_id, order = sample
    outside = next(s for s in FIRST_REVIEW if s not in order)
    _validate(part, sample_id)
    part.controller.select(outside)  # clicked on the map with the review tool
    assert "not in the sample" in part.dock.current_label.text()
    press(part.tools["review"], key_of("intact"))
    assert assessment.validations(sample_id) == []
    assert f"{outside} is not in the validation sample" in messages(part.context.iface, Qgis.MessageLevel.Critical)
