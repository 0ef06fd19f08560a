"""What the PDF report says: status names of the legend, the panels' image captions, the
``@sw_*`` layout variables and the rows of the compound table."""

from __future__ import annotations

from pathlib import Path

from ... import values
from ...assessment.observations import now_iso
from ...damage.table import COUNT_FIELDS
from ...imagery.registry import ImageRecord
from ..data import ExportData
from ..stats import ALL, UNASSIGNED
from .template import TABLE_STATUSES

UNOBSERVED = "unobserved"
_COUNT_FIELD_OF = {code: field for field, code in COUNT_FIELDS.items()} | {"unknown": "n_unknown"}
"""Status code → the statistics field counting it, for the status columns of the compound table."""


def short_label(code: str) -> str:
    """The SiteWatch label without its explanation ("Unknown (cannot be assessed)" → "Unknown")."""
    return values.STATUS_BY_CODE[code].label.split(" (")[0]


def legend_name(code: str, scheme: str) -> str:
    """A status as the report names it: the scheme's name, then the SiteWatch label in
    parentheses only when it differs (case-insensitively). As SiteWatch labels are unique,
    so are these names, even where a scheme merges classes ("Damaged (Moderate damage)")."""
    if code == UNOBSERVED:
        return "Not observed"
    label = short_label(code)
    if scheme == "sitewatch":
        return label
    name = values.status_name(code, scheme)
    return name if name.casefold() == label.casefold() else f"{name} ({label})"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} %"


def table_rows(data: ExportData) -> list[list[str]]:
    """The compound table's rows: one per compound, then the structures in none (when there
    are any) and the whole site."""
    rows = []
    for row in data.statistics:
        if row["compound"] == UNASSIGNED and not row["n_struct"]:
            continue
        name = row["name"] or row["compound"]
        rows.append(
            [
                f"{name} ({row['compound']})" if row["compound"] not in (ALL, UNASSIGNED) else name,
                str(row["n_struct"]),
                str(row["n_assessed"]),
                *(str(row[_COUNT_FIELD_OF[code]]) for code in TABLE_STATUSES),
                _percent(row["pct_destr"]),
                _percent(row["pct_damag"]),
                "–" if row["n_newdmg"] is None else str(row["n_newdmg"]),
            ]
        )
    return rows


def panel_image(data: ExportData, date: str | None, path: str | None = None) -> ImageRecord | None:
    """The image record a panel shows: the one stored at ``path``, else (as the export picks
    it) the latest image dated on or before ``date``."""
    if path:
        named = [i for i in data.images if i.uri and Path(i.uri).name == Path(path).name]
        if len(named) == 1:
            return named[0]
    candidates = [i for i in data.images if i.acquired and date and i.acquired <= date]
    return max(candidates, key=lambda i: (i.acquired, i.image_id), default=None)


def panel_dates(date: str | None, image: ImageRecord | None) -> str:
    """ "2020-01-08", or "status on 2019-12-01, image of 2019-09-01" when the image is older."""
    if image is None or not image.acquired or image.acquired == date:
        return date or ""
    return f"status on {date}, image of {image.acquired}"


def panel_source(image: ImageRecord | None) -> str:
    """ "Source · sensor" of a panel's image."""
    if image is None:
        return "image not registered"
    return " · ".join(p for p in (image.source, image.sensor) if p) or image.image_id


def layout_variables(data: ExportData, image_paths: tuple[str | None, str | None] = (None, None)) -> dict[str, str]:
    """The ``@sw_*`` layout variables of ``data`` (the panels showing the images at ``image_paths``)."""
    analysts = sorted({row[11] for row in data.tables["structures"].rows if row[11]})
    gsds = sorted({i.gsd_m for i in data.images if i.gsd_m})
    site_row = next(row for row in data.statistics if row["compound"] == ALL)
    panels = {}
    for key, date, path in (("before", data.before_date, image_paths[0]), ("after", data.after_date, image_paths[1])):
        image = panel_image(data, date, path)
        panels.update(
            {
                f"sw_{key}_source": panel_source(image),
                f"sw_{key}_dates": panel_dates(date, image),
                f"sw_{key}_image": (image.acquired or "") if image else "",
            }
        )
    return {
        "sw_site": data.site,
        "sw_before": data.before_date or "",
        "sw_after": data.after_date,
        **panels,
        "sw_analysts": ", ".join(analysts) or "not recorded",
        "sw_scheme": data.scheme,
        "sw_crs": f"{data.crs.description()} ({data.crs.authid()})",
        "sw_gsd": " / ".join(f"{g:g}" for g in gsds) or "unknown",
        "sw_created": now_iso()[:10],
        "sw_structures": str(site_row["n_struct"]),
        "sw_compounds": str(len(data.tables["compounds"].rows)),
        "sw_assessment": Path(data.assessment).name,
        "sw_summary": data.sentence,
    }
