"""Earlier damage assessments read into one shape: a site (point or polygon) with dated statuses.

The formats, as their producers publish them:

* **UNOSAT** wide tables: one row per damage site, ``SiteID``, ``SensorDate`` and
  ``Main_Damage_Site_Class``, then ``SensorDate_2``…``_14`` with ``Main_Damage_Site_Class_2``…
  (``Damage_Status_N`` optional, kept in the notes). Class codes or labels.
* **Copernicus EMS** gradings: ``damage_gra`` per building; the image date is a parameter or a field.
* **xBD / xView2** label JSON: ``features.lng_lat`` entries with ``wkt`` and ``properties.subtype``.
* **SiteWatch** exports: read by :mod:`.sitewatch_export`.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from qgis.core import QgsGeometry

from ..assessment.observations import Observation
from ..attributes import text
from ..errors import SiteWatchError
from .dates import parse_date

FORMATS = ("unosat", "ems", "xbd", "sitewatch")

UNOSAT_CODES = {
    "1": ("destroyed", None),
    "2": ("severe", None),
    "3": ("moderate", None),
    "4": ("possible", None),
    "6": ("intact", None),
    "11": ("possible", "UNOSAT class 11: possible damage from adjacent impact/debris"),
}
UNOSAT_LABELS = {
    "destroyed": "1",
    "severe damage": "2",
    "moderate damage": "3",
    "possible damage": "4",
    "no visible damage": "6",
    "possible damage from adjacent impact/debris": "11",
    "possible damage from adjacent impact": "11",
}
EMS_GRADES = {
    "destroyed": "destroyed",
    "damaged": "moderate",
    "possibly damaged": "possible",
    "no visible damage": "intact",
    "not analysed": "unknown",
    "not analyzed": "unknown",
}
"""EMS ``Damaged`` spans moderate and severe; it is read as the lower grade, ``moderate``."""
XBD_SUBTYPES = {
    "destroyed": "destroyed",
    "major-damage": "severe",
    "minor-damage": "moderate",
    "no-damage": "intact",
    "un-classified": "unknown",
}
UNOSAT_SLOTS = 14


@dataclass
class DamageSite:
    """One site of the source: its geometry (source CRS) and its (date, status, note) readings."""

    geometry: QgsGeometry
    reference: str
    readings: list[tuple[str, str, str | None]] = field(default_factory=list)
    originals: dict[str, Observation] = field(default_factory=dict)
    """By date: an observation to record as it is (image, confidence, analyst, time) — SiteWatch exports."""
    earlier: dict[str, list[Observation]] = field(default_factory=dict)
    """By date: the observations the original replaced, oldest first (a SiteWatch export's history)."""


@dataclass
class Problems:
    """Values that cannot be read, by kind and value, with counts: any makes the import refuse."""

    found: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, kind: str, value: str) -> None:
        self.found.setdefault(kind, Counter())[value] += 1

    def raise_if_any(self, source: str) -> None:
        if not self.found:
            return
        parts = [
            f"{kind}: " + ", ".join(f"'{value}' ({count})" for value, count in counts.most_common(10))
            for kind, counts in self.found.items()
        ]
        raise SiteWatchError(f"Nothing was imported from '{source}'; refused values — {'; '.join(parts)}.")


def detect_format(field_names: list[str]) -> str:
    """The format a layer's fields identify; a SiteWatchError when none fits."""
    lowered = {name.lower() for name in field_names}
    if "main_damage_site_class" in lowered:
        return "unosat"
    if "damage_gra" in lowered:
        return "ems"
    if {"struct_id", "stat_aft"} <= lowered or {"struct_id", "obs_date", "status"} <= lowered:
        return "sitewatch"
    raise SiteWatchError(
        f"Cannot tell the damage format from the fields ({', '.join(field_names)}): "
        "give FORMAT=unosat, ems, xbd or sitewatch."
    )


def _field(names: list[str], wanted: str) -> str | None:
    return next((n for n in names if n.lower() == wanted.lower()), None)


def unosat_status(value: object, problems: Problems) -> tuple[str, str | None] | None:
    raw = text(value)
    if raw is None or not raw.strip():
        return None
    key = raw.strip().lower()
    key = key[:-2] if key.endswith(".0") else key
    code = UNOSAT_LABELS.get(key, key)
    if code not in UNOSAT_CODES:
        problems.add("UNOSAT class", raw)
        return None
    return UNOSAT_CODES[code]


def reading_date(value: object, problems: Problems, kind: str) -> str | None:
    try:
        return parse_date(value)
    except ValueError:
        problems.add(kind, str(text(value)))
        return None


def unosat_readings(
    attributes: dict[str, object], names: list[str], problems: Problems
) -> list[tuple[str, str, str | None]]:
    """The dated statuses of one UNOSAT row (slots without a class are empty and skipped)."""
    readings = []
    for slot in range(1, UNOSAT_SLOTS + 1):
        suffix = "" if slot == 1 else f"_{slot}"
        class_field = _field(names, f"Main_Damage_Site_Class{suffix}")
        date_field = _field(names, f"SensorDate{suffix}")
        if class_field is None:
            continue
        status = unosat_status(attributes.get(class_field), problems)
        if status is None:
            continue
        date = reading_date(attributes.get(date_field) if date_field else None, problems, "UNOSAT date")
        if date is None:
            if date_field is None or text(attributes.get(date_field)) is None:
                problems.add("UNOSAT date", f"missing SensorDate{suffix}")
            continue
        notes = [status[1]] if status[1] else []
        status_field = _field(names, f"Damage_Status{suffix or '_1'}") or (
            _field(names, "Damage_Status") if slot == 1 else None
        )
        if status_field and text(attributes.get(status_field)):
            notes.append(f"UNOSAT damage status: {text(attributes.get(status_field))}")
        readings.append((date, status[0], "; ".join(notes) or None))
    return readings


def ems_status(value: object, problems: Problems) -> str | None:
    raw = text(value)
    status = EMS_GRADES.get((raw or "").strip().lower())
    if status is None:
        problems.add("EMS damage_gra", str(raw))
    return status


def read_xbd(path: Path, image_date: str | None, problems: Problems) -> list[DamageSite]:
    """The buildings of an xBD label file (WGS84 ``lng_lat`` features)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        features = document["features"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SiteWatchError(f"'{path.name}' is not an xBD label file ({error}).") from None
    entries = features.get("lng_lat") if isinstance(features, dict) else None
    if not entries:
        raise SiteWatchError(
            f"'{path.name}' has no lng_lat features: xBD 'xy' coordinates are image pixels, which cannot "
            "be placed on the map; use the file's lng_lat version."
        )
    date = image_date or reading_date(document.get("metadata", {}).get("capture_date"), problems, "xBD date")
    if date is None:
        raise SiteWatchError(f"'{path.name}' has no capture date: give IMAGE_DATE (YYYY-MM-DD).")
    sites = []
    for number, entry in enumerate(entries):
        properties = entry.get("properties", {})
        subtype = str(properties.get("subtype", "un-classified")).strip().lower()
        status = XBD_SUBTYPES.get(subtype)
        if status is None:
            problems.add("xBD subtype", subtype)
            continue
        geometry = QgsGeometry.fromWkt(str(entry.get("wkt", "")))
        reference = str(properties.get("uid") or number + 1)
        sites.append(DamageSite(geometry, reference, [(date, status, f"xBD {subtype}, uid {reference}")]))
    return sites
