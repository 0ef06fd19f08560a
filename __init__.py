"""SiteWatch QGIS plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qgis.gui import QgisInterface

    from .plugin import SiteWatchPlugin


def classFactory(iface: QgisInterface) -> SiteWatchPlugin:  # the name QGIS looks for
    from .plugin import SiteWatchPlugin

    return SiteWatchPlugin(iface)
