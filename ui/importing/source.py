"""The source an analyst picked in an Import dialog (a file or a project layer), ready for a task.

Everything is made on the main thread: a file is opened with SiteWatch's reader (OSM buildings,
CSV WKT columns); a project layer is cloned (a memory layer's features are copied), so the task
reads its own layer while the canvas keeps drawing the project's."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsVectorLayer

from ...core.errors import SiteWatchError
from ...core.importing.sources import open_source


def source_layer(path: str | None, layer: QgsVectorLayer | None) -> QgsVectorLayer:
    """The layer a task imports from: ``path`` when given, else a copy of the project ``layer``."""
    if path:
        return open_source(path)
    if layer is None:
        raise SiteWatchError("Choose the file or the project layer to import from.")
    if layer.isModified():
        raise SiteWatchError(
            f"The layer '{layer.name()}' has unsaved edits: save or discard them first "
            "(only saved features are imported)."
        )
    copy = layer.clone()
    if copy is None or not copy.isValid():
        raise SiteWatchError(f"The layer '{layer.name()}' cannot be read (is its file still there?).")
    copy.setName(layer.name())
    return open_source(copy)


def describe(path: str | None, layer: QgsVectorLayer | None) -> str:
    """How the source is named in messages."""
    if path:
        return Path(path).name
    return layer.name() if layer is not None else ""
