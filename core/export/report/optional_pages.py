"""The report's optional pages, each written when its data exists: the site history (two
dates or more) and the accuracy page (a validation sample or answers at the after date), with
the corrected totals of the site and each compound as CSV once they can be estimated."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qgis.core import QgsFeedback

from ...assessment.store import AssessmentStore
from ...history.events import event_sentences
from ...history.linear import linear_lengths
from ...history.series import site_history
from ...validation.accuracy import accuracy_report
from ...validation.pre_score import stored_pre_score
from ...validation.totals import totals_rows, write_totals_csv
from .accuracy_page import write_accuracy_page
from .history_page import write_history_page

HISTORY_SUFFIX = "_report_history.pdf"
ACCURACY_SUFFIX = "_report_accuracy.pdf"
TOTALS_SUFFIX = "_accuracy_totals.csv"


def has_validation(store: AssessmentStore, on: str) -> bool:
    return any(row.observed_on == on for row in store.validation_sample()) or any(
        answer.observed_on == on for answer in store.validations()
    )


def write_optional_pages(
    store: AssessmentStore,
    site: str,
    on: str,
    folder: Path,
    prefix: str,
    history: bool,
    accuracy: bool,
    run_layout: Callable[[Callable[[QgsFeedback | None], Path]], Path] = lambda step: step(None),
) -> list[Path]:
    """Write the pages asked for whose data exists into ``folder``; returns their paths. The
    data is read here; each page's layout is written through ``run_layout`` (see
    :mod:`..package`)."""
    written = []
    if history:
        series = site_history(store)
        if len(series.dates) >= 2:
            lengths = linear_lengths(store, series.dates)
            sentences = event_sentences(series)
            path = folder / f"{prefix}{HISTORY_SUFFIX}"
            written.append(run_layout(lambda _pages: write_history_page(site, series, sentences, lengths, path)))
    if accuracy and has_validation(store, on):
        drawn = {row.structure_id for row in store.validation_sample() if row.observed_on == on}
        report = accuracy_report(store, on)
        pre_score = stored_pre_score(store, on)
        page = folder / f"{prefix}{ACCURACY_SUFFIX}"
        written.append(run_layout(lambda _pages: write_accuracy_page(site, report, len(drawn), page, pre_score)))
        if totals_rows(report):  # the corrected totals of the site and each compound, for spreadsheets
            written.append(write_totals_csv(report, folder / f"{prefix}{TOTALS_SUFFIX}"))
    return written
