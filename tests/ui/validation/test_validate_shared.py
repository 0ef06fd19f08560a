"""Validating a sample of a shared PostGIS assessment: another validator's answers show in the
progress and the queue as they are given (LISTEN/NOTIFY), still blind (neither status nor name)."""

from __future__ import annotations

import time

from qgis.PyQt.QtCore import QCoreApplication

from sitewatch.core.assessment.validation_records import ValidationAnswer
from sitewatch.tests.helpers.review_site import AFTER


def _wait_for(condition, seconds: float) -> float:
    started = time.perf_counter()
    while not condition():
        assert time.perf_counter() - started < seconds, f"not seen within {seconds} s"
        QCoreApplication.processEvents()
        time.sleep(0.005)
    return time.perf_counter() - started


def test_another_validators_answer_appears_live_in_the_progress(shared_part):
    part, sample_id, other = shared_part
    panel = part.validation
    panel.samples.setCurrentIndex(panel.samples.findData(sample_id))
    panel.validate_button.click()
    assert "0 of 4 validated" in panel.progress.text()
    structure = part.controller.queue.ids[-1]
    other.record_validations([ValidationAnswer(structure, AFTER.acquired, "destroyed", sample_id, analyst="zed")])
    elapsed = _wait_for(lambda: "1 of 4 validated" in panel.progress.text(), 2.0)
    assert elapsed < 2.0
    assert "1 of 4 validated" in part.dock.counter.text()
    row = part.dock.row_text(structure)
    assert "validated by another analyst" in row and "zed" not in row and "Destroyed" not in row
