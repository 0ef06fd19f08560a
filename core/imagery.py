"""Registered images of a site (the ``imagery`` layer) as plain records."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .store import AssessmentStore


@dataclass(frozen=True)
class ImageRecord:
    """One image pass over the site."""

    image_id: str
    acquired: str | None
    """ISO date ``YYYY-MM-DD`` (None while the analyst has not given it)."""
    source: str | None = None
    sensor: str | None = None
    uri: str | None = None
    """As stored: relative to the GeoPackage folder when possible."""
    gsd_m: float | None = None
    notes: str | None = None

    def label(self) -> str:
        """How the image is named on screen: date and source."""
        return " · ".join(p for p in (self.acquired or "undated", self.source or self.image_id) if p)


def _text(value) -> str | None:
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return None
    if hasattr(value, "toString") and hasattr(value, "isValid"):  # QDate
        return value.toString("yyyy-MM-dd") if value.isValid() else None
    return str(value)


def list_images(store: AssessmentStore) -> list[ImageRecord]:
    """Every registered image, oldest first (undated last)."""
    records = []
    for feature in store.layer("imagery").getFeatures():
        gsd = feature["gsd_m"]
        records.append(ImageRecord(
            image_id=_text(feature["image_id"]) or "",
            acquired=_text(feature["acquired"]),
            source=_text(feature["source"]),
            sensor=_text(feature["sensor"]),
            uri=_text(feature["uri"]),
            gsd_m=None if gsd is None or _text(gsd) is None else float(gsd),
            notes=_text(feature["notes"]),
        ))
    return sorted(records, key=lambda r: (r.acquired is None, r.acquired or "", r.image_id))


def resolve_uri(store: AssessmentStore, record: ImageRecord) -> str | None:
    """The image's path or URI as GDAL opens it (relative paths are resolved from the store)."""
    if not record.uri:
        return None
    location = Path(store.location)
    candidate = Path(record.uri)
    if not candidate.is_absolute() and location.exists():
        return str((location.parent / candidate).resolve())
    return record.uri
