"""The synthetic data of :mod:`bench_change_score`, generated once into its cache folder:
rotated rectangular footprints, tiled DEFLATE 3-band uint8 images of the same ground (the after
one with another gain, offset and painted rubble) and 2 × 2 mosaics of them."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
EPSG = 32637
ORIGIN = (400_000.0, 3_800_000.0)
PIXEL = 1.0


def utm() -> osr.SpatialReference:
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(EPSG)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def write_footprints(path: Path, count: int, size: int, seed: int) -> Path:
    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    extent = size * PIXEL
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = dataset.CreateLayer("structures", utm(), ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("structure_id", ogr.OFTInteger))
    layer.StartTransaction()
    for index in range(count):
        cx, cy = ORIGIN[0] + rng.uniform(40, extent - 40), ORIGIN[1] - rng.uniform(40, extent - 40)
        length, width = rng.uniform(10, 60), rng.uniform(10, 60)
        angle = rng.uniform(0, math.pi)
        ca, sa = math.cos(angle), math.sin(angle)
        ring = ogr.Geometry(ogr.wkbLinearRing)
        for u, v in ((-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)):
            du, dv = u * length / 2, v * width / 2
            ring.AddPoint_2D(cx + du * ca - dv * sa, cy + du * sa + dv * ca)
        polygon = ogr.Geometry(ogr.wkbPolygon)
        polygon.AddGeometry(ring)
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField(0, index + 1)
        feature.SetGeometry(polygon)
        layer.CreateFeature(feature)
    layer.CommitTransaction()
    dataset = None
    return path


def write_image(path: Path, size: int, seed: int, gain: float, offset: float, rubble: Path | None = None) -> Path:
    if path.exists():
        return path
    temporary = path.with_suffix(".part.tif")
    dataset = gdal.GetDriverByName("GTiff").Create(
        str(temporary),
        size,
        size,
        3,
        gdal.GDT_Byte,
        options=["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "COMPRESS=DEFLATE", "INTERLEAVE=PIXEL"],
    )
    dataset.SetGeoTransform((ORIGIN[0], PIXEL, 0, ORIGIN[1], 0, -PIXEL))
    dataset.SetSpatialRef(utm())
    scene = np.random.default_rng(1)  # the same ground in both passes
    noise = np.random.default_rng(seed)  # each pass its own sensor noise
    columns = np.arange(size, dtype=np.float32)
    for row in range(0, size, 256):
        rows = min(256, size - row)
        ground = 120 + 25 * np.sin(columns / 97.0)[None, :] + scene.normal(0, 10, (rows, size)).astype(np.float32)
        for band in range(3):
            values = (ground + 8 * band) * gain + offset + noise.normal(0, 3, (rows, size)).astype(np.float32)
            dataset.GetRasterBand(band + 1).WriteArray(np.clip(values, 0, 255).astype(np.uint8), 0, row)
    if rubble is not None:  # 10 % of the footprints destroyed: dark rubble
        vectors = ogr.Open(str(rubble))
        layer = vectors.GetLayer(0)
        layer.SetAttributeFilter("structure_id % 10 = 0")
        gdal.RasterizeLayer(dataset, [1, 2, 3], layer, burn_values=[60, 55, 50])
        vectors = None
    dataset = None
    temporary.rename(path)
    return path


def footprints_wkb(path: Path) -> tuple[list[bytes], str]:
    dataset = ogr.Open(str(path))
    layer = dataset.GetLayer(0)
    shapes = [bytes(f.GetGeometryRef().ExportToWkb()) for f in layer]
    return shapes, layer.GetSpatialRef().ExportToWkt()


CREATION = [
    "TILED=YES",
    "BLOCKXSIZE=256",
    "BLOCKYSIZE=256",
    "COMPRESS=DEFLATE",
    "ZLEVEL=1",
    "NUM_THREADS=2",
    "BIGTIFF=IF_SAFER",
]


def _mosaic_vrt(path: Path, tile: Path, size: int, per_side: int) -> Path:
    """A VRT of ``per_side`` × ``per_side`` copies of the ``size``-pixel square ``tile``."""
    mosaic = path.with_suffix(".vrt")
    copies = []
    offsets = [(dx, dy) for dy in range(per_side) for dx in range(per_side)]
    for i, (dx, dy) in enumerate(offsets):
        shifted = path.parent / f"{path.stem}_{i}.vrt"
        gdal.Translate(
            str(shifted),
            str(tile),
            format="VRT",
            outputBounds=(
                ORIGIN[0] + dx * size,
                ORIGIN[1] - dy * size,
                ORIGIN[0] + dx * size + size,
                ORIGIN[1] - dy * size - size,
            ),
        )
        copies.append(str(shifted))
    gdal.BuildVRT(str(mosaic), copies)
    return mosaic


def build_mosaic(path: Path, tile: Path, size: int, per_side: int = 2) -> Path:
    """A per_side·size square tiled DEFLATE GeoTIFF made of per_side × per_side copies of
    ``tile`` (through a VRT)."""
    if path.exists():
        return path
    temporary = path.with_suffix(".part.tif")
    gdal.Translate(str(temporary), str(_mosaic_vrt(path, tile, size, per_side)), creationOptions=CREATION)
    temporary.rename(path)
    return path


def build_painted_mosaic(path: Path, tile: Path, size: int, per_side: int, rubble: Path, strip: int = 1024) -> Path:
    """Like :func:`build_mosaic`, then with 10 % of the ``rubble`` footprints painted as dark
    rubble: written strip by strip (each strip of the mosaic read, painted in memory and
    written), so memory stays at one strip however large the image."""
    if path.exists():
        return path
    source = gdal.Open(str(_mosaic_vrt(path, tile, size, per_side)))
    width, height = source.RasterXSize, source.RasterYSize
    temporary = path.with_suffix(".part.tif")
    target = gdal.GetDriverByName("GTiff").Create(
        str(temporary), width, height, 3, gdal.GDT_Byte, options=[*CREATION, "INTERLEAVE=PIXEL"]
    )
    gt = source.GetGeoTransform()
    target.SetGeoTransform(gt)
    target.SetSpatialRef(utm())
    vectors = ogr.Open(str(rubble))
    layer = vectors.GetLayer(0)
    layer.SetAttributeFilter("structure_id % 10 = 0")
    for row in range(0, height, strip):
        rows = min(strip, height - row)
        memory = gdal.GetDriverByName("MEM").Create("", width, rows, 3, gdal.GDT_Byte)
        top = gt[3] + row * gt[5]
        memory.SetGeoTransform((gt[0], gt[1], 0, top, 0, gt[5]))
        memory.SetSpatialRef(utm())
        memory.WriteRaster(0, 0, width, rows, source.ReadRaster(0, row, width, rows))
        source.FlushCache()
        layer.SetSpatialFilterRect(gt[0], top + rows * gt[5], gt[0] + width * gt[1], top)
        gdal.RasterizeLayer(memory, [1, 2, 3], layer, burn_values=[60, 55, 50])
        target.WriteRaster(0, row, width, rows, memory.ReadRaster(0, 0, width, rows))
    target = None
    vectors = None
    temporary.rename(path)
    return path
