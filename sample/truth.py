"""Write the ground truth of the sample site as a SiteWatch assessment GeoPackage.

Imagery footprints, compounds, structures, roads, fences and berms, impact craters, and two
observations per structure (before and after). For evaluation only: the change scorer must
never read it.
"""

from __future__ import annotations

from pathlib import Path

from osgeo import gdal, osr

from .layout_model import Layout
from .variants import EPSG, PIXEL, Variant

gdal.UseExceptions()
osr.UseExceptions()

SOURCE = "Synthetic (SiteWatch sample)"
GENERATOR = "sample-generator"
ANALYST = "ground-truth"

_QGIS_APP = None
"""The QGIS application started here when none was running; kept for the life of the process."""


def _wkt_polygon(points, cx, cy) -> str:
    ring = list(points) + [points[0]]
    return "POLYGON((" + ", ".join(f"{cx + x:.3f} {cy + y:.3f}" for x, y in ring) + "))"


def _wkt_multiline(lines, cx, cy) -> str:
    parts = ["(" + ", ".join(f"{cx + x:.3f} {cy + y:.3f}" for x, y in line) + ")" for line in lines]
    return "MULTILINESTRING(" + ", ".join(parts) + ")"


def _footprint_wkt(path: Path, srs_utm: osr.SpatialReference) -> str:
    ds = gdal.Open(str(path))
    gt = ds.GetGeoTransform()
    cols, rows = ds.RasterXSize, ds.RasterYSize
    src = osr.SpatialReference()
    src.ImportFromWkt(ds.GetProjection())
    src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ds = None
    transform = None if src.IsSame(srs_utm) else osr.CoordinateTransformation(src, srs_utm)
    ring = []
    steps = 8
    edges = (
        [(i / steps, 0) for i in range(steps)]
        + [(1, i / steps) for i in range(steps)]
        + [(1 - i / steps, 1) for i in range(steps)]
        + [(0, 1 - i / steps) for i in range(steps)]
    )
    if transform is None:
        edges = [(0, 0), (1, 0), (1, 1), (0, 1)]
    for fx, fy in edges:
        x = gt[0] + fx * cols * gt[1] + fy * rows * gt[2]
        y = gt[3] + fx * cols * gt[4] + fy * rows * gt[5]
        if transform is not None:
            x, y, _ = transform.TransformPoint(x, y)
        ring.append((x, y))
    ring.append(ring[0])
    return "POLYGON((" + ", ".join(f"{x:.3f} {y:.3f}" for x, y in ring) + "))"


def write_truth(
    path: Path, variant: Variant, layout: Layout, cx: float, cy: float, before: Path, after: Path, berm_offset: float
) -> None:
    """Write the truth GeoPackage; ``cx``, ``cy`` is the site centre (UTM metres) of the local metres."""
    from qgis.core import QgsApplication, QgsCoordinateReferenceSystem

    from ..core.assessment.geopackage import GeoPackageStore
    from ..core.assessment.observations import Observation

    global _QGIS_APP
    if QgsApplication.instance() is None:
        _QGIS_APP = QgsApplication([], False)
        _QGIS_APP.initQgis()

    created = f"{variant.after_date}T18:00:00.000Z"
    store = GeoPackageStore.create(
        path, QgsCoordinateReferenceSystem(f"EPSG:{EPSG}"), overwrite=True, site_name=variant.site_name
    )
    utm = osr.SpatialReference()
    utm.ImportFromEPSG(EPSG)
    utm.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    store.add_features(
        "imagery",
        [
            {
                "image_id": "IMG-0001",
                "acquired": variant.before_date,
                "source": SOURCE,
                "sensor": variant.sensor,
                "uri": before.name,
                "gsd_m": PIXEL,
                "notes": f"Before image, sun azimuth {variant.sun_before[0]:g}°",
                "geometry": _footprint_wkt(before, utm),
            },
            {
                "image_id": "IMG-0002",
                "acquired": variant.after_date,
                "source": SOURCE,
                "sensor": variant.sensor,
                "uri": after.name,
                "gsd_m": variant.after_gsd,
                "notes": f"After image, sun azimuth {variant.sun_after[0]:g}°",
                "geometry": _footprint_wkt(after, utm),
            },
        ],
    )
    store.add_features(
        "compounds",
        [
            {
                "compound_id": c.cid,
                "name": c.name,
                "notes": f"Fenced compound ({c.kind})",
                "geometry": _wkt_polygon(c.corners(), cx, cy),
            }
            for c in layout.compounds
        ],
    )
    store.add_features(
        "structures",
        [
            {
                "structure_id": s.sid,
                "type": s.type,
                "name": s.name,
                "notes": "Built between the two images" if s.new else None,
                "created_by": GENERATOR,
                "created_at": created,
                "geometry": _wkt_polygon(s.corners(), cx, cy),
            }
            for s in layout.structures
        ],
    )
    linear = []
    for road in layout.roads:
        linear.append(("road", [road], "Dirt road"))
    for c in layout.compounds:
        ring = c.corners()
        linear.append(("fence", [ring + [ring[0]]], f"Perimeter fence of {c.cid}"))
    linear_rows = []
    for n, (kind, lines, note) in enumerate(linear):
        linear_rows.append(
            {
                "feature_id": f"L-{n + 1:04d}",
                "type": kind,
                "first_seen": variant.before_date,
                "notes": note,
                "geometry": _wkt_multiline(lines, cx, cy),
            }
        )
    for c in layout.compounds:
        if c.berm:
            ring = c.corners(berm_offset)
            linear_rows.append(
                {
                    "feature_id": f"L-{len(linear_rows) + 1:04d}",
                    "type": "berm",
                    "first_seen": variant.before_date,
                    "notes": f"Earth berm around {c.cid}",
                    "geometry": _wkt_multiline([ring + [ring[0]]], cx, cy),
                }
            )
    store.add_features("linear_features", linear_rows)
    store.add_features(
        "point_features",
        [
            {
                "feature_id": f"P-{n + 1:04d}",
                "type": "impact_crater",
                "observed_on": variant.after_date,
                "image_id": "IMG-0002",
                "notes": f"Crater on {sid}" if sid else "Crater in open ground",
                "geometry": f"POINT({cx + x:.3f} {cy + y:.3f})",
            }
            for n, (x, y, r, sid) in enumerate(layout.craters)
        ],
    )
    observations = []
    for s in layout.structures:
        observations.append(
            Observation(
                s.sid, variant.before_date, "absent" if s.new else "intact", "IMG-0001", "high", ANALYST, created
            )
        )
        observations.append(Observation(s.sid, variant.after_date, s.status, "IMG-0002", "high", ANALYST, created))
    store.record_observations(observations)
    store.refresh_compound_ids()
