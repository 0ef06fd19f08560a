"""Small synthetic before/after GeoTIFF pairs with known changed footprints, for the change tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from osgeo import gdal, ogr, osr

ORIGIN = (500_000.0, 3_700_000.0)  # UTM 37N, metres
PIXEL = 0.5
SIZE = 400


@dataclass
class SyntheticSite:
    before: Path
    after: Path
    footprints: list[bytes]
    """WKB polygons in EPSG:32637."""
    changed: set[int]
    """Indices of the footprints destroyed in the after image."""
    holed: set[int]
    """Indices of the footprints with one impact hole (r 2 m) in an otherwise unchanged roof."""


def _footprints() -> list[tuple[float, float, float, float]]:
    """6 × 6 buildings of 12–20 m on a 30 m grid: (min_x, min_y, max_x, max_y) in metres."""
    rng = np.random.default_rng(7)
    boxes = []
    for row in range(6):
        for col in range(6):
            size_x, size_y = rng.uniform(12, 20, 2)
            x0 = ORIGIN[0] + 15 + col * 30 + rng.uniform(0, 4)
            y1 = ORIGIN[1] - 15 - row * 30 - rng.uniform(0, 4)
            boxes.append((x0, y1 - size_y, x0 + size_x, y1))
    return boxes


def _paint(image: np.ndarray, box, value: np.ndarray, pixel: float, origin) -> None:
    c0, c1 = int((box[0] - origin[0]) / pixel), int((box[2] - origin[0]) / pixel)
    r0, r1 = int((origin[1] - box[3]) / pixel), int((origin[1] - box[1]) / pixel)
    image[:, r0:r1, c0:c1] = value[:, None, None]


def _texture(rng, bands: int, size: int, base: float, noise: float) -> np.ndarray:
    ground = rng.normal(base, noise, (bands, size, size))
    ground += np.linspace(-10, 10, size)[None, None, :]  # a gentle illumination gradient
    return ground


def write_tif(
    path: Path,
    data: np.ndarray,
    origin,
    pixel: float,
    epsg: int | None = 32637,
    dtype=gdal.GDT_Byte,
    nodata: float | None = None,
) -> Path:
    driver = gdal.GetDriverByName("GTiff")
    dataset = driver.Create(
        str(path),
        data.shape[2],
        data.shape[1],
        data.shape[0],
        dtype,
        options=["TILED=YES", "BLOCKXSIZE=128", "BLOCKYSIZE=128"],
    )
    dataset.SetGeoTransform((origin[0], pixel, 0, origin[1], 0, -pixel))
    if epsg is not None:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        dataset.SetSpatialRef(srs)
    for band in range(data.shape[0]):
        target = dataset.GetRasterBand(band + 1)
        if nodata is not None:
            target.SetNoDataValue(nodata)
        target.WriteArray(data[band])
    dataset = None
    return path


def make_site(
    folder: Path,
    bands_after: int = 3,
    after_scale: float = 1.0,
    after_dtype=gdal.GDT_Byte,
    changed: tuple[int, ...] = (3, 8, 14, 21, 29),
    after_epsg: int | None = 32637,
    before_epsg: int | None = 32637,
    holed: tuple[int, ...] = (),
    noise: float = 8.0,
) -> SyntheticSite:
    """A 200 m square site; the after image is brighter, noisier and has ``changed`` destroyed
    and ``holed`` pierced by one dark hole of 2 m radius (3–9 % of the roof); ``noise`` is the
    ground's sensor noise (DN, one sigma) in both passes."""
    rng = np.random.default_rng(11)
    boxes = _footprints()
    before = _texture(rng, 3, SIZE, 150, noise)
    after = _texture(rng, 3, SIZE, 150, noise) * 0.8 + 30  # another pass: other gain and offset
    roof = np.array([215.0, 210.0, 200.0])
    for index, box in enumerate(boxes):
        _paint(before, box, roof, PIXEL, ORIGIN)
        if index in changed:  # rubble: dark, mottled
            c0, c1 = int((box[0] - ORIGIN[0]) / PIXEL), int((box[2] - ORIGIN[0]) / PIXEL)
            r0, r1 = int((ORIGIN[1] - box[3]) / PIXEL), int((ORIGIN[1] - box[1]) / PIXEL)
            after[:, r0:r1, c0:c1] = rng.normal(70, 25, (3, r1 - r0, c1 - c0))
        else:
            _paint(after, box, roof * 0.8 + 30, PIXEL, ORIGIN)
        if index in holed:
            centre_col = ((box[0] + box[2]) / 2 - ORIGIN[0]) / PIXEL
            centre_row = (ORIGIN[1] - (box[1] + box[3]) / 2) / PIXEL
            rows, cols = np.ogrid[:SIZE, :SIZE]
            inside = np.hypot(rows + 0.5 - centre_row, cols + 0.5 - centre_col) <= 2.0 / PIXEL
            after[:, inside] = 40.0
    after = after.mean(axis=0, keepdims=True) if bands_after == 1 else after[:bands_after]
    limit = 255 if after_dtype == gdal.GDT_Byte else 65535
    before_path = write_tif(folder / "before.tif", np.clip(before, 0, 255).round(), ORIGIN, PIXEL, before_epsg)
    after_path = write_tif(
        folder / "after.tif", np.clip(after * after_scale, 0, limit).round(), ORIGIN, PIXEL, after_epsg, after_dtype
    )
    polygons = []
    for box in boxes:
        ring = ogr.Geometry(ogr.wkbLinearRing)
        for x, y in ((box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3]), (box[0], box[1])):
            ring.AddPoint_2D(x, y)
        polygon = ogr.Geometry(ogr.wkbPolygon)
        polygon.AddGeometry(ring)
        polygons.append(bytes(polygon.ExportToWkb()))
    return SyntheticSite(before_path, after_path, polygons, set(changed), set(holed))


def warp_to(source: Path, target: Path, epsg: int, resolution: float) -> Path:
    """``source`` reprojected to ``epsg`` at ``resolution`` (units of that CRS), bilinear."""
    gdal.Warp(str(target), str(source), dstSRS=f"EPSG:{epsg}", xRes=resolution, yRes=resolution, resampleAlg="bilinear")
    return target


def write_footprints(site: SyntheticSite, path: Path, first_id: int | None = None) -> str:
    """The site's footprints as a ``structures`` layer of a new GeoPackage (EPSG:32637); with
    ``first_id``, an integer ``structure_id`` counting from it. Returns the layer's source."""
    from osgeo import ogr, osr

    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32637)
    layer = dataset.CreateLayer("structures", srs, ogr.wkbPolygon)
    if first_id is not None:
        layer.CreateField(ogr.FieldDefn("structure_id", ogr.OFTInteger))
    for index, wkb in enumerate(site.footprints):
        feature = ogr.Feature(layer.GetLayerDefn())
        if first_id is not None:
            feature.SetField("structure_id", first_id + index)
        feature.SetGeometry(ogr.CreateGeometryFromWkb(wkb))
        layer.CreateFeature(feature)
    dataset = None
    return f"{path}|layername=structures"
