"""Hand-built damage sites (compounds, structures, observations in metres from one corner) and
the compound damage algorithm run on them."""

from __future__ import annotations

from osgeo import ogr
from qgis.core import QgsVariantUtils

import processing
from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.assessment.observations import Observation

X0, Y0 = 500_000.0, 3_600_000.0
"""Lower left corner of the test sites in UTM 37N (about 32.5° N, 39° E)."""


def box(x: float, y: float, width: float, height: float | None = None) -> str:
    """A rectangle with its lower left corner ``x``, ``y`` metres from the site origin."""
    height = width if height is None else height
    x, y = X0 + x, Y0 + y
    return f"POLYGON(({x} {y},{x + width} {y},{x + width} {y + height},{x} {y + height},{x} {y}))"


def build(store: GeoPackageStore, compounds=(), structures=(), observations=()) -> GeoPackageStore:
    """Add compounds (id, wkt), structures (id, type, wkt) and observations (id, date, status)."""
    if compounds:
        store.add_features("compounds", [{"compound_id": c, "geometry": g} for c, g in compounds])
    if structures:
        store.add_features("structures", [{"structure_id": s, "type": t, "geometry": g} for s, t, g in structures])
    if observations:
        store.record_observations(Observation(s, d, status) for s, d, status in observations)
    return store


def add_structures(store, structure_ids, kind: str = "building"):
    """10 m squares on a 20 m grid for ``structure_ids``, for tests about observations: the
    store refuses an observation of a structure it does not have."""
    rows = [
        {"structure_id": s, "type": kind, "geometry": box(20 * (n % 50), 20 * (n // 50), 10)}
        for n, s in enumerate(structure_ids)
    ]
    store.add_features("structures", rows)
    return store


def write_foreign_observations(store: GeoPackageStore, observations) -> None:
    """Write observation rows (id, date, status) through OGR, as another program would: the
    store itself refuses an observation of a structure the assessment does not have."""
    dataset = ogr.Open(str(store.path), update=1)
    layer = dataset.GetLayerByName("observations")
    for structure_id, observed_on, status in observations:
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("structure_id", structure_id)
        feature.SetField("observed_on", observed_on)
        feature.SetField("status", status)
        feature.SetField("recorded_at", "2020-01-09T00:00:00.000Z")
        layer.CreateFeature(feature)
    dataset = None


TWO_COMPOUNDS = (("C-1", box(0, 0, 100)), ("C-2", box(100, 0, 100)))


def plain(value):
    return None if value is None or QgsVariantUtils.isNull(value) else value


def run(store: GeoPackageStore, after: str, before: str | None = None, **extra) -> tuple[dict, dict]:
    """processing.run on the store's layers: (results, {(compound, type): attributes})."""
    parameters = {
        "STRUCTURES": store.layer_uri("structures"),
        "OBSERVATIONS": store.layer_uri("observations"),
        "COMPOUNDS": store.layer_uri("compounds"),
        "AFTER_DATE": after,
        "OUTPUT": "TEMPORARY_OUTPUT",
        **({"BEFORE_DATE": before} if before else {}),
        **extra,
    }
    result = processing.run("sitewatch:compounddamage", parameters)
    layer = result["OUTPUT"]
    rows = {}
    for feature in layer.getFeatures():
        attributes = {name: plain(feature[name]) for name in layer.fields().names()}
        attributes["has_geometry"] = not feature.geometry().isNull()
        rows[(attributes["compound"], attributes["type"])] = attributes
    return result, rows


def observed_site(assessment):
    return build(
        assessment,
        TWO_COMPOUNDS,
        [
            ("S-1", "building", box(10, 10, 10)),
            ("S-2", "building", box(110, 10, 10)),
            ("S-3", "bunker", box(300, 300, 10)),
        ],
        [
            ("S-1", "2019-09-01", "intact"),
            ("S-1", "2020-01-08", "destroyed"),
            ("S-2", "2020-01-08", "severe"),
            ("S-3", "2020-01-08", "intact"),
        ],
    )
