"""Messages to the analyst: QGIS's message bar and the SiteWatch tab of the log panel."""

from __future__ import annotations

from qgis.core import Qgis, QgsMessageLog
from qgis.gui import QgisInterface

LOG_TAG = "SiteWatch"


def log(text: str, level: Qgis.MessageLevel = Qgis.MessageLevel.Info) -> None:
    QgsMessageLog.logMessage(text, LOG_TAG, level)


def notify(iface: QgisInterface, text: str, level: Qgis.MessageLevel = Qgis.MessageLevel.Info,
           duration: int = 6) -> None:
    """Show ``text`` on the message bar and keep it in the SiteWatch log."""
    log(text, level)
    iface.messageBar().pushMessage("SiteWatch", text, level, duration)
