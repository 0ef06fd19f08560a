"""A vector layer parameter whose default is the name of a layer of the open assessment."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    Qgis,
    QgsProcessingContext,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterVectorLayer,
)


class ProjectLayerParameter(QgsProcessingParameterVectorLayer):  # type: ignore[misc]  # QGIS has no stubs: the base is Any
    """Defaults to the project layer named ``layer_name`` (``structures``, ``compounds``, …), so
    the dialog preselects the open assessment's layers.

    QGIS 3.40 refuses an omitted value whose default names no layer ("Incorrect parameter
    value"), which would make an optional layer mandatory wherever no project has a layer of
    that name (``qgis_process``, scripts). An omitted value is accepted here and left to the
    algorithm: an optional layer is then absent, a mandatory one a clear error."""

    def __init__(
        self,
        name: str,
        description: str,
        types: list[Qgis.ProcessingSourceType],
        layer_name: str,
        optional: bool = False,
    ):
        super().__init__(name, description, types, layer_name, optional)

    def clone(self) -> QgsProcessingParameterDefinition:
        copy = ProjectLayerParameter(
            self.name(),
            self.description(),
            self.dataTypes(),
            self.defaultValue(),
            bool(self.flags() & Qgis.ProcessingParameterFlag.Optional),
        )
        copy.setFlags(self.flags())
        copy.setHelp(self.help())
        return copy

    def checkValueIsAcceptable(self, value: Any, context: QgsProcessingContext | None = None) -> bool:
        if value is None or value == "":
            return True
        return bool(super().checkValueIsAcceptable(value, context))
