"""QGIS attribute values as plain Python values, in one place: NULL becomes None, dates ISO text.

PyQGIS hands attributes over as ``NULL`` QVariants, ``QDate``/``QDateTime`` objects or Python
values depending on the provider; every reader in SiteWatch converts them here.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from qgis.core import QgsVariantUtils
from qgis.PyQt.QtCore import QDate, QDateTime, Qt


def plain(value: object) -> object:
    """``value`` as a plain Python value: NULL → None; a date or date-time → ``YYYY-MM-DD``
    (None when invalid); anything else unchanged."""
    if value is None or QgsVariantUtils.isNull(value):
        return None
    if isinstance(value, QDateTime):
        value = value.date()
    if isinstance(value, QDate):
        return value.toString(Qt.DateFormat.ISODate) if value.isValid() else None
    if isinstance(value, (dt.date, np.datetime64)):
        return str(value)[:10]
    return value


def text(value: object) -> str | None:
    """``value`` as text (bytes decoded as UTF-8, dates ISO); NULL and empty text as None."""
    value = plain(value)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return None if value is None or value == "" else str(value)


def number(value: object) -> float | None:
    """``value`` as a float; NULL, empty and not-a-number values as None."""
    value = plain(value)
    if value is None or value == "":
        return None
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if result != result else result
