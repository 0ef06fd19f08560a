"""SiteWatch settings, kept in QGIS's own settings under ``SiteWatch/``."""

from __future__ import annotations

import getpass

from qgis.core import QgsSettings

from ..core import values

PREFIX = "SiteWatch/"


def analyst_name() -> str:
    """The name written in ``created_by`` and ``analyst`` (default: the OS user)."""
    name = QgsSettings().value(PREFIX + "analyst", "", type=str)
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "analyst"


def has_analyst_name() -> bool:
    """True once the analyst has given a name (kept in QGIS's settings, so asked only once)."""
    return bool(QgsSettings().value(PREFIX + "analyst", "", type=str).strip())


def set_analyst_name(name: str) -> None:
    QgsSettings().setValue(PREFIX + "analyst", name.strip())


def last_folder() -> str:
    return QgsSettings().value(PREFIX + "last_folder", "", type=str)


def set_last_folder(folder: str) -> None:
    QgsSettings().setValue(PREFIX + "last_folder", folder)


def default_confidence() -> str:
    """The confidence the review tool records until H / M / L is pressed (default ``high``);
    a stored value that is not a confidence code falls back to ``high``."""
    code = QgsSettings().value(PREFIX + "default_confidence", "high", type=str)
    return code if code in {value.code for value in values.CONFIDENCES} else "high"


def review_margin_m() -> float:
    """Metres around the structure under review that ``N`` / ``P`` also show, its neighbours
    within them included (``SiteWatch/review_margin_m``, default 20; 0 to 500)."""
    value = QgsSettings().value(PREFIX + "review_margin_m", 20.0, type=float)
    return min(500.0, max(0.0, value))


def export_scheme() -> str:
    """The status label scheme of the last export (``SiteWatch/export_scheme``, default
    ``sitewatch``); a stored value that is no scheme falls back to ``sitewatch``."""
    scheme = QgsSettings().value(PREFIX + "export_scheme", "sitewatch", type=str)
    return scheme if scheme in values.SCHEMES else "sitewatch"


def set_export_scheme(scheme: str) -> None:
    QgsSettings().setValue(PREFIX + "export_scheme", scheme)
