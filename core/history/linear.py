"""Length of roads, trails, berms and other linear features per type at every date, in km.

A feature counts at a date D when it was first seen on or before D (no ``first_seen``: from the
start) and not removed by then (``removed_on`` empty or after D). Lengths are on the ellipsoid
of the layer's CRS."""

from __future__ import annotations

from collections.abc import Sequence

from qgis.core import Qgis, QgsCoordinateTransformContext, QgsDistanceArea, QgsUnitTypes

from .. import attributes, values
from ..assessment import schema
from ..assessment.store import AssessmentStore


def linear_lengths(store: AssessmentStore, dates: Sequence[str]) -> dict[str, dict[str, float]]:
    """``{date: {type: km}}`` for every date (types in value-list order, zeros included for
    the types present on the site)."""
    layer = store.layer(schema.LINEAR_FEATURES.name)
    measure = QgsDistanceArea()
    measure.setSourceCrs(layer.crs(), QgsCoordinateTransformContext())
    measure.setEllipsoid(layer.crs().ellipsoidAcronym() or "EPSG:7030")
    to_km = QgsUnitTypes.fromUnitToUnitFactor(measure.lengthUnits(), Qgis.DistanceUnit.Kilometers)
    has_removed = "removed_on" in layer.fields().names()
    features = []
    for feature in layer.getFeatures():
        first = attributes.text(feature["first_seen"])
        removed = attributes.text(feature["removed_on"]) if has_removed else None
        kind = attributes.text(feature["type"]) or "other"
        features.append((kind, first, removed, measure.measureLength(feature.geometry()) * to_km))
    known = values.codes(values.LINEAR_TYPES)
    kinds = [k for k in known if any(f[0] == k for f in features)]
    kinds += sorted({f[0] for f in features} - set(known))
    result = {}
    for day in dates:
        totals = dict.fromkeys(kinds, 0.0)
        for kind, first, removed, km in features:
            if (first is None or first[:10] <= day) and (removed is None or removed[:10] > day):
                totals[kind] += km
        result[day] = totals
    return result
