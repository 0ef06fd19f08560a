"""Dates as earlier assessments write them, read as ISO ``YYYY-MM-DD``.

Accepted: ``2020-03-12``, date-times (``2020-03-12T10:20:00Z``, ``2020-03-12 10:20``),
``2020/03/12``, ``20200312``, and day-first ``12/03/2020`` or ``12.03.2020`` (UNOSAT and
Copernicus EMS are European products; ``03/25/2020`` is read month-first because 25 cannot be a
month). QGIS date values are taken as they are; NULL and empty give None.
"""

from __future__ import annotations

import datetime as dt
import re

from ..attributes import text

_ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ].*)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?: .*)?")


def parse_date(value: object) -> str | None:
    """``value`` as ``YYYY-MM-DD``; None for NULL or empty; ValueError when it is no date."""
    raw = text(value)
    if raw is None or not raw.strip():
        return None
    raw = raw.strip()
    match = _ISO.fullmatch(raw) or _COMPACT.fullmatch(raw)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DAY_FIRST.fullmatch(raw)
        if not match:
            raise ValueError(raw)
        first, second, year = (int(g) for g in match.groups())
        day, month = (second, first) if second > 12 >= first else (first, second)
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(raw) from None
