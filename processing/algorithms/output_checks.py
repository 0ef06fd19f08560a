"""Where an algorithm may write its output layer, and writing it aside before moving it in.

QGIS writes a vector sink straight onto its destination and, for a plain file path, replaces
the whole file: a GeoPackage named as OUTPUT loses every other layer, and a failure half-way
(a full disk) leaves a half-written file. So an output may never be one of the algorithm's
inputs, an assessment, or a GeoPackage holding several layers; and a file output is written
beside its destination under a hidden name, checked, and only then moved into place."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from osgeo import gdal
from qgis.core import (
    QgsFeatureSink,
    QgsMapLayer,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingOutputLayerDefinition,
    QgsProcessingUtils,
)

from ...core.assessment import schema

gdal.UseExceptions()

_OGR_DBNAME = re.compile(r"^ogr:dbname='((?:[^']|'')*)'")
_ASSESSMENT_LAYERS = {schema.STRUCTURES.name, schema.OBSERVATIONS.name, schema.OBSERVATION_HISTORY.name}
_LOW_SPACE = 1 << 20
"""Free bytes below which a failed write is reported as a full disk."""


def destination_file(destination: str) -> tuple[Path | None, bool]:
    """The file an output layer destination writes to, and whether it adds a layer to it
    (``ogr:dbname='…' table=…``) rather than replacing the file; (None, False) for memory or a
    database."""
    match = _OGR_DBNAME.match(destination)
    if match:
        return Path(match.group(1).replace("''", "'")).expanduser().absolute(), True
    if not destination or ":" in destination.split("/")[0] and not re.match(r"^[A-Za-z]:[\\/]", destination):
        return None, False
    return Path(destination.split("|")[0]).expanduser().absolute(), False


def source_file(source: str) -> Path | None:
    """The file a layer source reads (its part before ``|``), or None when it is not a file."""
    path = Path(source.split("|")[0]).expanduser()
    return path.absolute() if path.is_file() else None


def _layer_names(path: Path) -> list[str]:
    """The vector layers of a GeoPackage (empty when it is not one)."""
    try:
        dataset = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_READONLY, allowed_drivers=["GPKG"])
    except RuntimeError:
        return []
    if dataset is None:
        return []
    try:
        return [dataset.GetLayerByIndex(i).GetName() for i in range(dataset.GetLayerCount())]
    finally:
        dataset = None


def check_output(destination: str, output_name: str, inputs: Iterable[tuple[str, str]]) -> None:
    """Refuse an output that would overwrite an input, an assessment or other layers.

    ``inputs`` are (parameter name, layer source) pairs."""
    target, adds_layer = destination_file(destination)
    if target is None:
        return
    for name, source in inputs:
        path = source_file(source)
        if path is not None and path.exists() and target.exists() and os.path.samefile(path, target):
            raise QgsProcessingException(
                f"{output_name} '{target}' is also the input {name}: writing there would replace it. "
                "Choose a new file for the output."
            )
    if not target.is_file():
        return
    layers = _layer_names(target)
    if set(layers) >= _ASSESSMENT_LAYERS:
        raise QgsProcessingException(
            f"{output_name} '{target}' is a SiteWatch assessment: writing there would replace or change it. "
            "Choose a new file for the output."
        )
    if len(layers) > 1 and not adds_layer:
        raise QgsProcessingException(
            f"{output_name} '{target}' is a GeoPackage holding {len(layers)} layers ({', '.join(layers)}); "
            "writing there would replace the whole file and lose them. Choose a new file, or add a layer "
            f'with {output_name}="ogr:dbname=\'{target}\' table=\\"new_layer\\" (geom)".'
        )


def _disk_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < _LOW_SPACE
    except OSError:
        return False


class AsideOutput:
    """An output layer written beside its destination under a hidden name and moved into
    place by ``commit`` once it is complete; ``discard`` removes whatever was written."""

    def __init__(
        self, algorithm: QgsProcessingAlgorithm, parameters: dict[str, object], name: str, context: QgsProcessingContext
    ):
        self.algorithm = algorithm
        self.name = name
        self.context = context
        destination = str(algorithm.parameterAsOutputLayer(parameters, name, context))
        target, adds_layer = destination_file(destination)
        self.final = None if adds_layer else target
        self.temp: Path | None = None
        self.parameters = dict(parameters)
        if self.final is not None:
            self.temp = self.final.with_name(f".{self.final.stem}.{os.getpid()}.partial{self.final.suffix}")
            aside = QgsProcessingOutputLayerDefinition(str(self.temp))
            # The layer keeps the name a direct write gives it (the file's), not the hidden file's.
            given = parameters.get(name)
            options = dict(given.createOptions) if isinstance(given, QgsProcessingOutputLayerDefinition) else {}
            aside.createOptions = {**options, "layerName": self.final.stem}
            self.parameters[name] = aside
        self.shown = str(self.final or target or destination)
        self.temp_id: str | None = None

    def sink(self, *args: object) -> tuple[QgsFeatureSink, str]:
        """``parameterAsSink`` on the aside file (same arguments after the context)."""
        self.discard()
        sink, dest_id = self.algorithm.parameterAsSink(self.parameters, self.name, self.context, *args)
        if sink is None:
            raise QgsProcessingException(self.algorithm.invalidSinkError(self.parameters, self.name))
        self.temp_id = str(dest_id)
        return sink, str(dest_id)

    def failed(self, detail: str) -> QgsProcessingException:
        """The error for a write that failed (the aside file is removed)."""
        self.discard()
        folder = (self.final or Path(self.shown)).parent
        if _disk_full(folder):
            return QgsProcessingException(
                f"Disk full while writing {self.shown}: nothing was written. Free space on {folder} and run again."
            )
        return QgsProcessingException(f"Writing {self.shown} failed ({detail}); nothing was written.")

    def commit(self, expected: int) -> str:
        """Check the closed aside file holds ``expected`` features, move it into place and
        return the output's id. The sink must have been deleted (closed) before."""
        if self.temp is None or self.final is None or self.temp_id is None:
            return self.temp_id or ""
        try:
            dataset = gdal.OpenEx(str(self.temp), gdal.OF_VECTOR | gdal.OF_READONLY)
            count = dataset.GetLayerByIndex(0).GetFeatureCount() if dataset is not None else -1
            dataset = None
        except RuntimeError as error:
            raise self.failed(str(error)) from None
        if count != expected:
            raise self.failed(f"{count} of {expected} features written")
        try:
            for part in self.temp.parent.glob(f"{glob_escape(self.temp.stem)}.*"):
                os.replace(part, self.final.with_suffix(part.suffix))
        except OSError as error:
            raise self.failed(str(error)) from None
        final_id = str(self.final)
        layers = self.context.layersToLoadOnCompletion()
        if self.temp_id in layers:
            layers[final_id] = layers.pop(self.temp_id)
            self.context.setLayersToLoadOnCompletion(layers)
        return final_id

    def discard(self) -> None:
        if self.temp is None:
            return
        for part in self.temp.parent.glob(f"{glob_escape(self.temp.stem)}.*"):
            part.unlink(missing_ok=True)


def glob_escape(text: str) -> str:
    """``text`` with glob's special characters matched literally."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def input_source(value: object, context: QgsProcessingContext) -> str:
    """The data source (path, URI) of an input parameter's value: a layer id, a layer name, a
    path or a feature source definition."""
    if isinstance(value, QgsProcessingFeatureSourceDefinition):
        value = value.source.staticValue()
    if isinstance(value, QgsMapLayer):
        return str(value.source())
    text = str(value or "")
    layer = QgsProcessingUtils.mapLayerFromString(text, context) if text else None
    return str(layer.source()) if layer is not None else text
