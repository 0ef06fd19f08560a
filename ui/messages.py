"""Messages to the analyst: QGIS's message bar and the SiteWatch tab of the log panel."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from qgis.core import Qgis, QgsCsException, QgsMessageLog
from qgis.gui import QgisInterface

from ..core.errors import SiteWatchError

LOG_TAG = "SiteWatch"
USER_ERRORS = (SiteWatchError, QgsCsException)
"""Errors a slot or map-tool event handler shows as a warning instead of letting them escape."""
Handler = TypeVar("Handler", bound=Callable[..., Any])


class Warner(Protocol):
    """What :func:`warns` needs of the object whose method it guards."""

    def warn(self, text: str) -> None: ...


def log(text: str, level: Qgis.MessageLevel = Qgis.MessageLevel.Info) -> None:
    QgsMessageLog.logMessage(text, LOG_TAG, level)


def notify(
    iface: QgisInterface, text: str, level: Qgis.MessageLevel = Qgis.MessageLevel.Info, duration: int = 6
) -> None:
    """Show ``text`` on the message bar and keep it in the SiteWatch log."""
    log(text, level)
    iface.messageBar().pushMessage("SiteWatch", text, level, duration)


def warning_text(error: Exception) -> str:
    """What the analyst reads for one of :data:`USER_ERRORS`."""
    if isinstance(error, QgsCsException):
        return (
            f"Coordinates could not be transformed between the map and the layer ({str(error).strip()}); "
            "check the project's and the layer's CRS."
        )
    return str(error)


def warns(method: Handler) -> Handler:
    """Decorate a Qt slot or map-tool event handler so a :data:`USER_ERRORS` error becomes a
    warning through the object's ``warn(text)`` method (which calls :func:`notify`).

    Under PyQt5 an exception leaving a slot or a virtual event handler aborts QGIS, and QGIS's
    own hook never sees it, so every entry point from Qt that can meet one needs this."""

    @functools.wraps(method)
    def guarded(self: Warner, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except USER_ERRORS as error:
            self.warn(warning_text(error))
            return None

    return guarded  # type: ignore[return-value]
