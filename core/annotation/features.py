"""Drawn features: geometry checks, the rotated rectangle, and the complete record of a
freshly drawn feature (the store writes it: :meth:`..assessment.store.AssessmentStore.add_feature`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qgis.core import Qgis, QgsGeometry, QgsPointXY

from ..assessment import schema
from ..assessment.observations import now_iso
from ..assessment.records import FeatureRecord
from ..assessment.store import AssessmentStore
from ..errors import SiteWatchError
from .compounds import CompoundIndex

MIN_AREA_M2 = 0.01
"""Polygons smaller than this (in square layer units) are taken as mis-clicks."""


def rotated_rectangle(first: QgsPointXY, second: QgsPointXY, third: QgsPointXY) -> QgsGeometry:
    """The rectangle with one wall from ``first`` to ``second`` whose width is the distance
    of ``third`` from that wall, on the side of ``third``."""
    dx, dy = second.x() - first.x(), second.y() - first.y()
    length = math.hypot(dx, dy)
    if length == 0:
        raise SiteWatchError("The two clicks along the wall are at the same place; click both ends of a wall.")
    normal_x, normal_y = -dy / length, dx / length
    width = (third.x() - first.x()) * normal_x + (third.y() - first.y()) * normal_y
    if width == 0:
        raise SiteWatchError("The third click is on the wall itself; click where the opposite wall is.")
    offset_x, offset_y = normal_x * width, normal_y * width
    corners = [
        first,
        second,
        QgsPointXY(second.x() + offset_x, second.y() + offset_y),
        QgsPointXY(first.x() + offset_x, first.y() + offset_y),
    ]
    return QgsGeometry.fromPolygonXY([corners + [first]])


def checked_polygon(geometry: QgsGeometry, what: str) -> QgsGeometry:
    """``geometry`` as a valid polygon, or a SiteWatchError saying what is wrong with it."""
    if geometry is None or geometry.isEmpty() or geometry.type() != Qgis.GeometryType.Polygon:
        raise SiteWatchError(f"The {what} needs at least three corners; nothing was saved.")
    errors = geometry.validateGeometry(Qgis.GeometryValidationEngine.Geos)
    if errors:
        where = errors[0].where() if errors[0].hasWhere() else None
        place = f" near {where.x():.1f}, {where.y():.1f}" if where is not None else ""
        raise SiteWatchError(
            f"The {what} is not a valid polygon ({errors[0].what()}{place}); "
            "its outline must not cross itself. Nothing was saved; draw it again."
        )
    if geometry.area() < MIN_AREA_M2:
        raise SiteWatchError(f"The {what} has no area; nothing was saved. Draw it again.")
    return geometry


def checked_line(geometry: QgsGeometry, what: str) -> QgsGeometry:
    if geometry is None or geometry.isEmpty() or geometry.length() <= 0:
        raise SiteWatchError(f"The {what} needs at least two distinct points; nothing was saved.")
    return geometry


@dataclass(frozen=True)
class NewFeature:
    """What the analyst chose for a feature about to be drawn, and the image it was seen on."""

    layer_name: str
    type_code: str | None
    analyst: str
    image_id: str | None = None
    image_date: str | None = None


def new_record(
    store: AssessmentStore, choice: NewFeature, geometry: QgsGeometry, compounds: CompoundIndex | None = None
) -> FeatureRecord:
    """A checked, complete record for a freshly drawn feature: stable id, type, compound,
    author and time. Raises SiteWatchError for a geometry that cannot be saved."""
    name = choice.layer_name
    layer_def = schema.LAYER_BY_NAME[name]
    if layer_def.geometry in ("Polygon", "MultiPolygon"):
        checked_polygon(geometry, "structure outline" if name == schema.STRUCTURES.name else "compound outline")
    elif layer_def.geometry == "MultiLineString":
        checked_line(geometry, "line")
    feature_id = store.next_id(name)
    if layer_def.id_field is None:
        raise SiteWatchError(f"Features cannot be drawn on layer '{name}': it has no id field.")
    attributes: dict[str, object] = {layer_def.id_field: feature_id}
    if "type" in layer_def.field_names():
        attributes["type"] = choice.type_code
    if name == schema.STRUCTURES.name:
        attributes["compound_id"] = compounds.assign(geometry) if compounds is not None else None
        attributes["created_by"] = choice.analyst
        attributes["created_at"] = now_iso()
    elif name == schema.POINT_FEATURES.name:
        attributes["observed_on"] = choice.image_date
        attributes["image_id"] = choice.image_id
    elif name == schema.LINEAR_FEATURES.name:
        attributes["first_seen"] = choice.image_date
    return FeatureRecord(name, attributes, geometry)
