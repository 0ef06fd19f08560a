"""What the import algorithms share: the source and assessment parameters, the analyst."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from qgis.core import QgsProcessingContext, QgsProcessingException, QgsProcessingFeedback, QgsVectorLayer

from ...core.errors import SiteWatchError
from ...core.importing.sources import open_source
from ..algorithm import Parameters

OPENED_FROM = "sitewatch/opened-from"
"""Custom property of a source file's layer kept in the context's temporary layer store: the
path it was opened from, so the checks and the run share one opening of the file."""


def _opened(text: str, context: QgsProcessingContext | None) -> QgsVectorLayer | None:
    """The layer already opened from the file ``text`` in ``context`` (None: not opened yet)."""
    if context is None:
        return None
    for layer in context.temporaryLayerStore().mapLayers().values():
        if isinstance(layer, QgsVectorLayer) and layer.customProperty(OPENED_FROM) == text:
            return layer
    return None


def _open_file(text: str, context: QgsProcessingContext | None) -> QgsVectorLayer:
    """The file ``text`` through SiteWatch's reader, opened once per context: a large GeoJSON
    file is read whole on opening (seconds at 250,000 footprints), and the parameter checks,
    QGIS's own check of INPUT and the run would each open it again."""
    layer = _opened(text, context)
    if layer is not None:
        return open_source(layer)
    layer = open_source(text)
    if context is not None:
        layer.setCustomProperty(OPENED_FROM, text)
        context.temporaryLayerStore().addMapLayer(layer)  # QGIS's check of INPUT finds it there by source
    return layer


def source_layer(parameters: Parameters, name: str, context: QgsProcessingContext) -> QgsVectorLayer:
    """The INPUT as a layer: a file path goes through SiteWatch's own reader (OSM extracts'
    ``multipolygons`` layer, CSV WKT columns), a project layer is taken as it is."""
    value = parameters.get(name)
    if isinstance(value, QgsVectorLayer):
        return open_source(value)
    text = str(value or "")
    if text and Path(text.split("|", 1)[0]).is_file():
        return _open_file(text, context)
    layer = context.getMapLayer(text) if text else None
    if isinstance(layer, QgsVectorLayer):
        return open_source(layer)
    raise QgsProcessingException(f"INPUT '{text}' is neither a file nor a vector layer of the project.")


def unreadable_source(parameters: Parameters, name: str, context: QgsProcessingContext | None = None) -> str | None:
    """Why a file given as ``name`` cannot be opened, or None (a project layer, or a file that
    opens): checked before QGIS's own check, which says only "Incorrect parameter value"."""
    value = parameters.get(name)
    if not isinstance(value, str) or not value.strip():
        return None
    path = Path(value.split("|", 1)[0]).expanduser()
    if not path.is_file() and "/" not in value and "\\" not in value:
        return None  # a project layer's name or id
    try:
        _open_file(value, context)
    except SiteWatchError as error:
        return str(error)
    return None


def default_analyst() -> str:
    """Who ``created_by`` and ``analyst`` name when ANALYST is not given: the OS user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "analyst"


def progress_of(feedback: QgsProcessingFeedback | None) -> Callable[[float], bool] | None:
    """A core progress callback reporting to ``feedback`` and returning False once cancelled."""
    if feedback is None:
        return None

    def report(fraction: float) -> bool:
        feedback.setProgress(100 * fraction)
        return not feedback.isCanceled()

    return report


class _Reported(Protocol):
    def summary(self) -> list[str]: ...


ImportResult = TypeVar("ImportResult", bound=_Reported)


def run_reported(run: Callable[[], ImportResult], feedback: QgsProcessingFeedback) -> ImportResult:
    """Run an import, its summary lines to the log; a SiteWatchError becomes the one message
    Processing shows. It is raised outside the except block, so no traceback cycle keeps the
    source layer alive (a layer caught in one crashed QGIS at exit)."""
    message = None
    try:
        result = run()
    except SiteWatchError as error:
        message = str(error)
    if message is not None:
        raise QgsProcessingException(message)
    for line in result.summary():
        feedback.pushInfo(line)
    return result
