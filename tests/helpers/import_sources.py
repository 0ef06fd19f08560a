"""Footprint and damage sources as analysts get them, written with OGR from the public format
descriptions (GeoJSON, shapefile, FlatGeobuf, OSM XML, Open Buildings CSV), never from
SiteWatch's own exports."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from osgeo import ogr, osr

ogr.UseExceptions()

# The test assessment is UTM zone 37N; these WGS84 coordinates lie inside it (about 39°E, 33.5°N).
LON0, LAT0 = 39.0, 33.5
STEP = 0.0004
"""Degrees between neighbouring test footprints (about 40 m)."""


def square_wkt(lon: float, lat: float, size: float = 0.0002) -> str:
    return f"POLYGON(({lon} {lat},{lon + size} {lat},{lon + size} {lat + size},{lon} {lat + size},{lon} {lat}))"


def grid_wkts(count: int) -> list[str]:
    """``count`` distinct, well separated squares in WGS84."""
    return [square_wkt(LON0 + (n % 20) * STEP, LAT0 + (n // 20) * STEP) for n in range(count)]


def write_vector(
    path: Path,
    driver: str,
    rows: Sequence[dict[str, object]],
    geometry_type: int = ogr.wkbUnknown,
    epsg: int = 4326,
) -> Path:
    """Write ``rows`` (fields plus ``wkt``, None for no geometry) with the OGR ``driver``."""
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    dataset = ogr.GetDriverByName(driver).CreateDataSource(str(path))
    layer = dataset.CreateLayer(path.stem, srs, geometry_type)
    names = [k for k in (rows[0] if rows else {}) if k != "wkt"]
    for name in names:
        present = [r[name] for r in rows if r.get(name) is not None]
        kind = ogr.OFTInteger if present and all(isinstance(v, int) for v in present) else ogr.OFTString
        layer.CreateField(ogr.FieldDefn(name, kind))
    for row in rows:
        feature = ogr.Feature(layer.GetLayerDefn())
        for name in names:
            if row.get(name) is not None:
                feature.SetField(name, row[name])
        if row.get("wkt"):
            feature.SetGeometry(ogr.CreateGeometryFromWkt(str(row["wkt"])))
        layer.CreateFeature(feature)
    dataset = None
    return path


def osm_xml(path: Path, buildings: Sequence[tuple[str, float, float]]) -> Path:
    """An OSM XML extract with one closed way per (building value, lon, lat), as the OSM
    wiki describes the format; GDAL's OSM driver reads it like a .osm.pbf. A value ``key=value``
    tags the way with that instead (``landuse=grass``: an area that is no building); an empty
    one makes a track."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    node = 1
    ways = []
    for number, (value, lon, lat) in enumerate(buildings, start=1):
        corners = [(lon, lat), (lon + 0.0002, lat), (lon + 0.0002, lat + 0.0002), (lon, lat + 0.0002)]
        refs = []
        for x, y in corners:
            lines.append(f'  <node id="{node}" version="1" lat="{y}" lon="{x}"/>')
            refs.append(node)
            node += 1
        refs.append(refs[0])
        nds = "".join(f'<nd ref="{r}"/>' for r in refs)
        key, _, tagged = value.rpartition("=")
        tag = f'<tag k="{key or "building"}" v="{tagged}"/>' if value else '<tag k="highway" v="track"/>'
        ways.append(f'  <way id="{number}" version="1">{nds}{tag}</way>')
    lines += ways + ["</osm>"]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def open_buildings_csv(path: Path, wkts: Sequence[str]) -> Path:
    """A CSV like Google Open Buildings: latitude, longitude, area, confidence, WKT geometry."""
    lines = ["latitude,longitude,area_in_meters,confidence,geometry,full_plus_code"]
    for number, wkt in enumerate(wkts):
        lines.append(f'{LAT0},{LON0},400.0,0.8,"{wkt}",8G3P+{number}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
