"""Corrected totals as a table: the site (scope ``ALL``) and each compound, one row per status,
with the first review's count, the corrected estimate, its 95 % interval and standard error;
what the accuracy page lists and what ``<prefix>_accuracy_totals.csv`` and the
``COMPOUND_OUTPUT`` of sitewatch:accuracy hold.

Compound totals apply the site's error rates to the compound's counts (a synthetic estimate:
the sample is drawn for the site), so their intervals carry the site's sampling error only."""

from __future__ import annotations

import csv
from pathlib import Path

from .accuracy import CLASSES, AccuracyReport
from .estimate import StratifiedEstimate

SITE_SCOPE = "ALL"
TOTALS_COLUMNS = ("scope", "status", "first_review", "estimate", "ci_low", "ci_high", "std_error")
"""The columns of the totals table (users' scripts read them)."""
Row = tuple[str, str, int, float, float | None, float | None, float | None]


def _rows_of(scope: str, estimate: StratifiedEstimate) -> list[Row]:
    rows: list[Row] = []
    for code in CLASSES:
        one = estimate.of(code)
        rows.append((scope, code, one.mapped, one.estimate, one.low, one.high, one.standard_error))
    return rows


def totals_rows(report: AccuracyReport) -> list[Row]:
    """The site's rows, then each compound's (``UNASSIGNED`` for structures in none); empty
    when the totals could not be corrected (``report.not_estimated`` says why)."""
    if report.site is None:
        return []
    rows = _rows_of(SITE_SCOPE, report.site)
    for compound, estimate in sorted(report.compounds.items()):
        rows.extend(_rows_of(compound, estimate))
    return rows


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def write_totals_csv(report: AccuracyReport, path: Path) -> Path:
    """UTF-8 CSV (with a BOM, as the export's other CSVs) of :func:`totals_rows`."""
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(TOTALS_COLUMNS)
        for row in totals_rows(report):
            writer.writerow([_cell(value) for value in row])
    return path
