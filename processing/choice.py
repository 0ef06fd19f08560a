"""An enum parameter that takes its options by number or by name, in any case.

QGIS 3.40's ``QgsProcessingParameterEnum`` takes either option numbers
(``usesStaticStrings=False``: ``FORMATS=1,4``) or exact, case-sensitive names
(``usesStaticStrings=True``: ``FORMATS=CSV``), never both. ``ChoiceParameter`` keeps numbers
(so the dialog, ``qgis_process help`` and models work as with any enum) and also accepts names
case-insensitively; the algorithm reads the chosen names with ``ChoiceParameter.names``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qgis.core import (
    Qgis,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProperty,
)


class ChoiceParameter(QgsProcessingParameterEnum):  # type: ignore[misc]  # QGIS has no stubs: the base is Any
    """Options given as numbers (``4``, ``"1,4"``, ``[1, 4]``) or names (``"csv"``,
    ``"GeoJSON,kml"``, ``["CSV", "KML"]``), names in any case; mixing both is fine."""

    def __init__(
        self,
        name: str,
        description: str,
        options: Sequence[str],
        allow_multiple: bool = False,
        default: Sequence[int] | int | None = None,
        optional: bool = False,
    ):
        super().__init__(name, description, list(options), allow_multiple, default, optional)
        self.setUsesStaticStrings(False)

    def clone(self) -> QgsProcessingParameterDefinition:
        copy = ChoiceParameter(
            self.name(), self.description(), self.options(), self.allowMultiple(), self.defaultValue(), self._optional()
        )
        copy.setFlags(self.flags())
        copy.setHelp(self.help())
        return copy

    def checkValueIsAcceptable(self, value: Any, context: QgsProcessingContext | None = None) -> bool:
        if isinstance(value, QgsProperty):
            return True
        try:
            chosen = self._resolve(value)
        except QgsProcessingException:
            return False
        if not chosen:
            return self.defaultValue() is not None or self._optional()
        return self.allowMultiple() or len(chosen) == 1

    def _optional(self) -> bool:
        return bool(self.flags() & Qgis.ProcessingParameterFlag.Optional)

    def names(self, parameters: dict[str, Any], context: QgsProcessingContext) -> list[str]:
        """The chosen option names in the given order (the default when none is given); a value
        that is no option is a QgsProcessingException naming it and the options."""
        value = parameters.get(self.name())
        if isinstance(value, QgsProperty):
            value = value.valueAsString(context.expressionContext())
        chosen = list(dict.fromkeys(self._resolve(value) or self._resolve(self.defaultValue())))
        if len(chosen) > 1 and not self.allowMultiple():
            raise QgsProcessingException(f"{self.name()} takes one option, not {', '.join(chosen)}.")
        return chosen

    def _resolve(self, value: Any) -> list[str]:
        options = self.options()
        by_name = {option.lower(): option for option in options}
        if value is None:
            return []
        items = value if isinstance(value, (list, tuple)) else [value]
        chosen = []
        for item in items:
            parts = [item] if isinstance(item, int) else [p.strip() for p in str(item).split(",") if p.strip()]
            for part in parts:
                if isinstance(part, int) or part.isdigit():
                    number = int(part)
                    if not 0 <= number < len(options):
                        raise QgsProcessingException(self._unknown(part))
                    chosen.append(options[number])
                elif part.lower() in by_name:
                    chosen.append(by_name[part.lower()])
                else:
                    raise QgsProcessingException(self._unknown(part))
        return chosen

    def _unknown(self, part: object) -> str:
        listed = ", ".join(f"{number} or {option}" for number, option in enumerate(self.options()))
        return f"'{part}' is not an option of {self.name()}; give a number or a name (any case): {listed}."
