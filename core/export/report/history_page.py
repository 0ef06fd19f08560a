"""The report's history page: the site's counts by status at every date, the stacked chart
over time, the lengths of linear features and the events written as sentences."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from ... import values
from ...damage.table import ALL
from ...history.series import SiteHistory, rows_of
from .history_chart import write_history_chart
from .page_items import MARGIN, PAGE_WIDTH, PageWriter

COUNT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Images", "n_images"),
    ("Structures", "n_struct"),
    ("Intact", "n_intact"),
    ("Possible", "n_possible"),
    ("Moderate", "n_moderate"),
    ("Severe", "n_severe"),
    ("Destroyed", "n_destroy"),
    ("Constr.", "n_constr"),
    ("Unknown", "n_unknown"),
    ("New", "n_new"),
    ("Newly dmg.", "n_newdmg"),
    ("Rebuilt", "n_rebuilt"),
    ("Removed", "n_removed"),
)
"""Header and history field of each count column, after the date."""


def _count(value: int | None) -> str:
    return "–" if value is None else str(value)


def count_rows(history: SiteHistory, compound: str = ALL) -> list[list[str]]:
    """One row per date: the date then the ``COUNT_COLUMNS`` (``–`` where undefined)."""
    return [
        [row.observed_on, *(_count(getattr(row, key)) for _header, key in COUNT_COLUMNS)]
        for row in rows_of(history, compound)
    ]


def length_rows(lengths: Mapping[str, Mapping[str, float]]) -> tuple[list[str], list[list[str]]]:
    """Headers (date, then each linear type) and one row of km per date."""
    kinds = sorted({kind for per_date in lengths.values() for kind in per_date}, key=_linear_order)
    headers = ["Date", *(values.label_of(values.LINEAR_TYPES, k) if _known(k) else k for k in kinds)]
    rows = [[day, *(f"{per_date.get(k, 0.0):.2f} km" for k in kinds)] for day, per_date in sorted(lengths.items())]
    return headers, rows


def _known(kind: str) -> bool:
    return kind in values.codes(values.LINEAR_TYPES)


def _linear_order(kind: str) -> tuple[int, str]:
    known = values.codes(values.LINEAR_TYPES)
    return (known.index(kind) if kind in known else len(known), kind)


def write_history_page(
    site: str,
    history: SiteHistory,
    events: Sequence[str],
    lengths: Mapping[str, Mapping[str, float]],
    path: Path,
) -> Path:
    """Write the history of ``site`` as a searchable A4 PDF (continued on more pages when the
    tables or the events need them)."""
    dates = history.dates
    span = f"{dates[0]} to {dates[-1]}" if dates else "no date"
    writer = PageWriter(
        f"Site history — {site}",
        f"{len(dates)} dates, {span} · counts by status at every date, changes since the previous date",
        f"SiteWatch · {site} · site history · status at a date = latest observation on or before it",
    )
    width = PAGE_WIDTH - 2 * MARGIN
    writer.heading("Structures by status over time (whole site)")
    with tempfile.TemporaryDirectory(prefix="sitewatch-history-") as scratch:
        chart = write_history_chart(rows_of(history, ALL), Path(scratch) / "history.png", width, 70)
        writer.picture(chart, 70)
        writer.heading("Counts by status per date (whole site)")
        first = 19.0
        writer.table(
            ["Date", *(header for header, _key in COUNT_COLUMNS)],
            count_rows(history),
            [first] + [(width - first - 14) / len(COUNT_COLUMNS)] * len(COUNT_COLUMNS),
        )
        writer.label(
            "New, newly damaged, rebuilt and removed count the changes since the previous date "
            "(– at the first date); Unknown includes structures not yet observed at the date.",
            6.5,
            "#505050",
        )
        if any(lengths.get(day) for day in lengths):
            headers, rows = length_rows(lengths)
            writer.heading("Length of linear features per date")
            writer.table(
                headers, rows, [first] + [(width - first - 14) / max(1, len(headers) - 1)] * (len(headers) - 1)
            )
        writer.heading("Events")
        writer.table(["Event"], [[sentence] for sentence in events] or [["No event recorded."]], [width - 4])
        return writer.write(path)
