"""The report's optional pages read back from the PDF: the site history (counts per date, events,
the stacked chart in the status colours) and the accuracy page (confusion matrix, κ, corrected
totals with intervals, or the preliminary caveat without a validation)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest

from sitewatch.core import values
from sitewatch.core.assessment.records import ChangeScoreRow
from sitewatch.core.assessment.validation_records import ValidationAnswer
from sitewatch.core.export.package import ExportRequest, export_assessment
from sitewatch.core.history.events import event_sentences
from sitewatch.core.history.series import site_history
from sitewatch.core.validation.accuracy import accuracy_report, draw_validation_sample
from sitewatch.core.validation.pre_score import pre_score_agreement
from sitewatch.tests.helpers.export_site import AFTER, BEFORE, build_site
from sitewatch.tests.helpers.pdf import pdf_text, render


def _export(store, folder: Path, **options) -> list[str]:
    export_assessment(store, ExportRequest(str(folder), AFTER, BEFORE, formats=("CSV",), report=True, **options))
    return sorted(p.name for p in folder.iterdir())


def _one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def exported(site, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pages") / "out"
    _export(site, folder)
    return folder


def test_history_page_has_the_counts_of_every_date_and_every_event(site, exported):
    page = next(exported.glob("*_report_history.pdf"))
    text = pdf_text(page, "-layout")
    history = site_history(site)
    assert history.dates == (BEFORE, AFTER)
    for day in history.dates:
        row = history.row(day)
        line = next(line for line in text.splitlines() if line.strip().startswith(day))
        numbers = line.split()[1:]
        assert numbers[:9] == [
            str(v)
            for v in (
                row.n_images,
                row.n_struct,
                row.n_intact,
                row.n_possible,
                row.n_moderate,
                row.n_severe,
                row.n_destroy,
                row.n_constr,
                row.n_unknown,
            )
        ], line
    after = history.row(AFTER)
    assert after.n_destroy == 3 and after.n_new is not None
    flat = _one_line(text)
    for sentence in event_sentences(history):
        assert _one_line(sentence) in flat, sentence
    assert "between 2019-09-01 and 2020-01-08" in flat and "destroyed in compound C-0002" in flat


def test_history_chart_is_stacked_in_the_status_colours(exported, tmp_path):
    page = next(exported.glob("*_report_history.pdf"))
    pixels = render(page, tmp_path, dpi=80)
    colours = pixels.reshape(3, -1).T
    for status in ("destroyed", "intact", "severe", "moderate", "construction"):
        wanted = np.array([int(values.STATUS_BY_CODE[status].colour[i : i + 2], 16) for i in (1, 3, 5)])
        close = (np.abs(colours - wanted) <= 6).all(axis=1).sum()
        assert close > 40, status


def test_no_accuracy_page_without_a_validation_and_pages_can_be_turned_off(site, exported, tmp_path):
    assert not list(exported.glob("*_report_accuracy.pdf"))
    names = _export(site, tmp_path / "off", history_page=False)
    assert not [n for n in names if n.endswith("_report_history.pdf")]
    assert any(n.endswith("_report.pdf") for n in names)


def test_accuracy_page_says_preliminary_until_the_sample_is_reviewed_then_shows_the_numbers(tmp_path):
    store = build_site(tmp_path / "site")
    sample_id, rows = draw_validation_sample(store, AFTER, margin=0.3, seed=5, size=12)
    names = _export(store, tmp_path / "drawn")
    page = tmp_path / "drawn" / next(n for n in names if n.endswith("_report_accuracy.pdf"))
    text = _one_line(pdf_text(page))
    assert "PRELIMINARY — NOT FIELD VALIDATED" in text
    assert f"blind second review of {len(rows)} sampled structures" in text

    # the validator agrees everywhere but calls one destroyed structure severe
    first = {r.structure_id: r.stratum for r in rows}
    destroyed = sorted(s for s, status in first.items() if status == "destroyed")
    answers = [
        ValidationAnswer(s, AFTER, "severe" if s == destroyed[0] else status, sample_id, analyst="V")
        for s, status in first.items()
    ]
    store.record_validations(answers)
    names = _export(store, tmp_path / "validated")
    page = tmp_path / "validated" / next(n for n in names if n.endswith("_report_accuracy.pdf"))
    text = pdf_text(page, "-layout")
    flat = _one_line(text)
    report = accuracy_report(store, AFTER)
    assert "PRELIMINARY" not in flat
    assert f"Structures compared: {report.agreement.pairs}" in flat
    assert f"Cohen's κ {report.agreement.kappa:.2f}" in flat
    assert f"linearly weighted κ (damage scale) {report.agreement.weighted_kappa:.2f}" in flat
    assert f"overall agreement {100 * report.agreement.agreement:.1f} %" in flat
    for sentence in report.sentences():
        assert sentence in flat, sentence
    destroyed_row = next(line for line in text.splitlines() if line.strip().startswith("Destroyed"))
    matrix_row = [int(v) for v in report.agreement.matrix[report.agreement.classes.index("destroyed")]]
    assert re.findall(r"\d+", destroyed_row)[: len(matrix_row)] == [str(v) for v in matrix_row]
    estimate = report.site.of("destroyed") if report.site else None
    assert estimate is not None and f"{estimate.estimate:.1f}" in flat

    # per compound: the corrected totals with intervals on the page and in the CSV beside it
    for compound, compound_estimate in report.compounds.items():
        line = next(line for line in text.splitlines() if line.strip().startswith(compound))
        one = compound_estimate.of("destroyed")
        assert f"{one.estimate:.0f} ({one.interval_text() or '–'})" in line, line
    totals = tmp_path / "validated" / next(n for n in names if n.endswith("_accuracy_totals.csv"))
    with totals.open(encoding="utf-8-sig") as stream:
        rows = list(csv.DictReader(stream))
    assert {r["scope"] for r in rows} == {"ALL", *report.compounds}
    destroyed_all = next(r for r in rows if r["scope"] == "ALL" and r["status"] == "destroyed")
    assert float(destroyed_all["estimate"]) == pytest.approx(estimate.estimate, abs=1e-3)
    assert destroyed_all["ci_high"] == ("" if estimate.high is None else f"{estimate.high:.3f}")


def test_accuracy_page_shows_the_analyst_against_the_pre_score_when_scores_are_stored(tmp_path):
    store = build_site(tmp_path / "site")
    sample_id, rows = draw_validation_sample(store, AFTER, margin=0.3, seed=5, size=12)
    store.record_validations([ValidationAnswer(r.structure_id, AFTER, r.stratum, sample_id) for r in rows])
    names = _export(store, tmp_path / "unscored")
    page = tmp_path / "unscored" / next(n for n in names if n.endswith("_report_accuracy.pdf"))
    assert "pre-score" not in _one_line(pdf_text(page))

    first = {o.structure_id: o.status for o in store.observations() if o.observed_on == AFTER}
    destroyed = sorted(s for s, status in first.items() if status == "destroyed")[0]
    scores = [
        ChangeScoreRow(s, 0.5, 0.3, n, "severe" if s == destroyed else status)
        for n, (s, status) in enumerate(sorted(first.items()), start=1)
        if status in ("intact", "possible", "moderate", "severe", "destroyed", "construction")
    ]
    store.save_change_scores("IMG-0001", "IMG-0002", scores)
    names = _export(store, tmp_path / "scored")
    page = tmp_path / "scored" / next(n for n in names if n.endswith("_report_accuracy.pdf"))
    text = pdf_text(page, "-layout")
    flat = _one_line(text)
    pre = pre_score_agreement(store, AFTER)
    assert pre.agreement.pairs == len(scores)
    assert "AGREEMENT BETWEEN THE ANALYST AND THE PRE-SCORE (CHANGE SCORE)" in flat.upper()
    assert "image pair IMG-0001 → IMG-0002" in flat
    assert f"Analyst vs pre-score: structures compared {len(scores)}" in flat
    assert f"overall agreement {100 * pre.agreement.agreement:.1f} %" in flat
    assert f"Cohen's κ {pre.agreement.kappa:.2f}" in flat
    assert f"linearly weighted κ {pre.agreement.weighted_kappa:.2f}" in flat
    assert "Pre-score \\ analyst" in flat
    # the pre-score's matrix: the row of the suggested severe holds the destroyed structure
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if "Pre-score \\ analyst" in line)
    severe_row = next(line for line in lines[start:] if line.strip().startswith("Severe damage"))
    matrix = pre.agreement.matrix[pre.agreement.classes.index("severe")]
    assert re.findall(r"\d+", severe_row)[: len(matrix)] == [str(int(v)) for v in matrix]
    assert int(matrix[pre.agreement.classes.index("destroyed")]) == 1
