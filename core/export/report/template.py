"""The report templates shipped in ``resources/`` and the columns of their compound table.

``scripts/make_report_template.py`` (not shipped) generated the templates once from these
definitions; the plugin only reads them."""

from __future__ import annotations

from pathlib import Path

from ... import values

TEMPLATE = Path(__file__).resolve().parents[3] / "resources" / "report.qpt"
COMPOUND_TEMPLATE = TEMPLATE.with_name("report_compound.qpt")
TABLE_STATUSES = ("destroyed", "severe", "moderate", "possible", "intact", "construction", "unknown")
"""Status columns of the compound table: each structure counts in exactly one, so they add up to Structures."""
TABLE_HEADERS = (
    "Compound",
    "Structures",
    "Assessed",
    *(values.STATUS_BY_CODE[code].label.split(" (")[0] for code in TABLE_STATUSES),
    "% destroyed",
    "% damaged",
    "Newly damaged",
)
"""Columns of the compound table, in order (the report fills rows in this order); status
columns carry the SiteWatch labels, as the chart's legend does and the map legend shows."""
