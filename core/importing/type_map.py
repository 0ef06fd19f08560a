"""Source type values (OSM ``building=*``, a colleague's own classes) to SiteWatch types."""

from __future__ import annotations

from collections import Counter

from .. import values
from ..attributes import text as attribute_text
from ..errors import SiteWatchError

OSM_BUILDING_TYPES: dict[str, str] = {
    "yes": "building",
    "house": "building",
    "residential": "building",
    "apartments": "building",
    "detached": "building",
    "commercial": "building",
    "industrial": "building",
    "retail": "building",
    "office": "building",
    "school": "building",
    "hospital": "building",
    "public": "building",
    "civic": "building",
    "government": "building",
    "garage": "building",
    "garages": "building",
    "shed": "building",
    "hut": "building",
    "roof": "building",
    "warehouse": "warehouse",
    "storage": "warehouse",
    "hangar": "hangar",
    "bunker": "bunker",
    "barracks": "barracks",
    "military": "barracks",
}
"""The default map: OSM ``building=*`` values; SiteWatch's own type codes map to themselves."""


def parse_type_map(text: str | None) -> dict[str, str]:
    """``value=type;value=type`` as a dict; every type must be a SiteWatch structure type."""
    mapping: dict[str, str] = {}
    known = values.codes(values.STRUCTURE_TYPES)
    for entry in (text or "").replace("\n", ";").split(";"):
        if not entry.strip():
            continue
        if "=" not in entry:
            raise SiteWatchError(f"TYPE_MAP entry '{entry.strip()}' has no '='; write value=type, e.g. yes=building.")
        source, target = (part.strip() for part in entry.split("=", 1))
        if target not in known:
            raise SiteWatchError(
                f"TYPE_MAP maps '{source}' to '{target}', which is not a SiteWatch structure type; "
                f"use one of {', '.join(known)}."
            )
        mapping[source.lower()] = target
    return mapping


_KNOWN_TEXTS = 10_000
"""At most this many distinct source texts are remembered (a type field holding ids stays small)."""


class TypeMapper:
    """Maps source values to types and counts the values that were not mapped (→ ``other``)."""

    def __init__(self, user_map: dict[str, str]):
        self.mapping = {code: code for code in values.codes(values.STRUCTURE_TYPES)}
        self.mapping.update(OSM_BUILDING_TYPES)
        self.mapping.update(user_map)
        self.unmapped: Counter[str] = Counter()
        self._text_types: dict[str, tuple[str, str | None]] = {}
        """Source text → (type, the text counted as unmapped or None): a source holds few values."""

    def mapped(self, value: object) -> str | None:
        """The type ``value`` maps to; None when it is empty or not mapped (nothing counted)."""
        text = (attribute_text(value) or "").strip()
        return self.mapping.get(text.lower()) if text else None

    def type_of(self, value: object) -> str:
        if type(value) is str:  # the usual case, looked up once per distinct value
            known = self._text_types.get(value)
            if known is None:
                known = self._type_and_unmapped(value)
                if len(self._text_types) < _KNOWN_TEXTS:
                    self._text_types[value] = known
            if known[1] is not None:
                self.unmapped[known[1]] += 1
            return known[0]
        kind, unmapped = self._type_and_unmapped(value)
        if unmapped is not None:
            self.unmapped[unmapped] += 1
        return kind

    def _type_and_unmapped(self, value: object) -> tuple[str, str | None]:
        text = (attribute_text(value) or "").strip()
        if not text:
            return "building", None
        mapped = self.mapping.get(text.lower())
        return ("other", text) if mapped is None else (mapped, None)
