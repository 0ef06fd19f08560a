"""SiteWatch settings, kept in QGIS's own settings under ``SiteWatch/``."""

from __future__ import annotations

import getpass

from qgis.core import QgsSettings

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


def set_analyst_name(name: str) -> None:
    QgsSettings().setValue(PREFIX + "analyst", name.strip())


def last_folder() -> str:
    return QgsSettings().value(PREFIX + "last_folder", "", type=str)


def set_last_folder(folder: str) -> None:
    QgsSettings().setValue(PREFIX + "last_folder", folder)
