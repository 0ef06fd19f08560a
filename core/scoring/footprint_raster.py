"""Structure footprints on the before image's pixel grid: boxes and per-window label rasters.

Footprints are reprojected once into the raster CRS and kept as OGR geometries with their
pixel boxes. Each window rasterises only the footprints whose box meets it (pixel centres inside,
``ALL_TOUCHED=FALSE``), from an in-memory layer made for the window, numbered in the window
(1, 2, … in index order) so its sums are as long as its footprints, not as the site: an OGR
spatial filter scans every feature of its layer, so one layer of the whole site cost each
window a scan of every footprint (20 ms per window at 250,000 footprints, against 3 ms this way).
Where footprints overlap, a pixel belongs to the one listed last.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from osgeo import gdal, ogr, osr

from ..errors import SiteWatchError
from .raster_pair import RasterPair, Window, traditional_srs

ogr.UseExceptions()

METRES_PER_DEGREE = 111_320.0
POLYGON_TYPES = (ogr.wkbPolygon, ogr.wkbMultiPolygon)


@dataclass(frozen=True)
class PixelBoxes:
    """Per footprint pixel bounds on the before grid (float, exclusive upper); NaN = no geometry."""

    col0: NDArray[np.float64]
    row0: NDArray[np.float64]
    col1: NDArray[np.float64]
    row1: NDArray[np.float64]
    bands: list[NDArray[np.intp]] | None = field(default=None, compare=False, repr=False)
    """With :meth:`indexed`: per band of ``band_rows`` rows (from row 0), the boxes meeting it."""
    band_rows: int = 0

    def grown(self, cols: float, rows: float) -> PixelBoxes:
        return PixelBoxes(self.col0 - cols, self.row0 - rows, self.col1 + cols, self.row1 + rows)

    def indexed(self, band_rows: int, height: int) -> PixelBoxes:
        """These boxes with the list of those meeting each band of ``band_rows`` rows of a grid
        ``height`` rows high (boxes beyond it are listed in its first or last band), so that
        :meth:`intersecting` tests only the boxes of the bands it spans, not every box."""
        count = max(1, math.ceil(height / band_rows))
        known = np.flatnonzero(np.isfinite(self.row0) & np.isfinite(self.row1))
        first = np.clip(np.floor(self.row0[known] / band_rows), 0, count - 1).astype(np.intp)
        last = np.clip(np.ceil(self.row1[known] / band_rows) - 1, first, count - 1).astype(np.intp)
        spans = last - first + 1
        members = np.repeat(known, spans)
        band = np.repeat(first - np.cumsum(spans) + spans, spans) + np.arange(members.size)
        order = np.argsort(band, kind="stable")  # within a band: box order kept
        starts = np.searchsorted(band[order], np.arange(count + 1))
        sorted_members = members[order]
        bands = [sorted_members[starts[b] : starts[b + 1]] for b in range(count)]
        return PixelBoxes(self.col0, self.row0, self.col1, self.row1, bands, band_rows)

    def intersecting(self, col0: int, row0: int, col1: int, row1: int) -> NDArray[np.intp]:
        """Indices of boxes that intersect the pixel region [col0, col1) × [row0, row1), ascending."""
        if self.bands is None:
            hit = (self.col1 > col0) & (self.col0 < col1) & (self.row1 > row0) & (self.row0 < row1)
            return np.flatnonzero(hit)
        last = len(self.bands) - 1
        first_band = min(max(row0 // self.band_rows, 0), last)
        last_band = min(max((row1 - 1) // self.band_rows, first_band), last)
        if first_band == last_band:
            candidates = self.bands[first_band]
        else:
            candidates = np.unique(np.concatenate(self.bands[first_band : last_band + 1]))
        hit = (
            (self.col1[candidates] > col0)
            & (self.col0[candidates] < col1)
            & (self.row1[candidates] > row0)
            & (self.row0[candidates] < row1)
        )
        found: NDArray[np.intp] = candidates[hit]
        return found


class FootprintRaster:
    """The footprints of one scoring run, ready to be rasterised window by window."""

    def __init__(self, pair: RasterPair, footprints: Sequence[bytes | None], crs_wkt: str):
        self.pair = pair
        self.count = len(footprints)
        target = traditional_srs(pair.srs)
        transform = None
        self.assumed_crs = not crs_wkt
        if crs_wkt:
            source = osr.SpatialReference()
            try:
                source.SetFromUserInput(crs_wkt)
            except RuntimeError:
                raise SiteWatchError(f"The structures' CRS cannot be read: {crs_wkt[:80]}") from None
            source = traditional_srs(source)
            if not source.IsSame(target):
                transform = osr.CoordinateTransformation(source, target)
        self._target = target
        self._geometries: list[ogr.Geometry | None] = [None] * self.count
        gt = pair.geotransform
        bounds = np.full((4, self.count), np.nan)
        self.on_image = np.ones(self.count)
        """Share of each footprint's area on the before image (its pixels outside are never read)."""
        left, bottom, right, top = pair.map_bounds(0, 0, pair.width, pair.height)
        image = ogr.CreateGeometryFromWkt(
            f"POLYGON(({left} {bottom},{right} {bottom},{right} {top},{left} {top},{left} {bottom}))"
        )
        for index, wkb in enumerate(footprints):
            if not wkb:
                continue
            geometry = ogr.CreateGeometryFromWkb(bytes(wkb))
            if geometry is None or geometry.IsEmpty():
                continue
            if geometry.HasCurveGeometry():
                geometry = geometry.GetLinearGeometry()
            if ogr.GT_Flatten(geometry.GetGeometryType()) not in POLYGON_TYPES:
                continue  # a point or line is no footprint: it stays without pixels (unknown)
            if transform is not None:
                try:
                    geometry.Transform(transform)
                except RuntimeError:
                    continue  # outside the raster CRS's area of use: stays without pixels
            min_x, max_x, min_y, max_y = geometry.GetEnvelope()
            if not all(math.isfinite(v) for v in (min_x, max_x, min_y, max_y)):
                continue
            self._geometries[index] = geometry
            box = ((min_x - gt[0]) / gt[1], (max_y - gt[3]) / gt[5], (max_x - gt[0]) / gt[1], (min_y - gt[3]) / gt[5])
            bounds[:, index] = box
            off_image = min(box) < 0 or max(box[0], box[2]) > pair.width or max(box[1], box[3]) > pair.height
            if off_image and geometry.GetArea() > 0:  # rare: only at the image's edge, so GEOS only there
                self.on_image[index] = geometry.Intersection(image).GetArea() / geometry.GetArea()
        self.boxes = PixelBoxes(*bounds).indexed(pair.block, pair.height)
        self.has_geometry = np.isfinite(bounds[0])

    def ring_pixels(self, ring_m: float) -> tuple[float, float]:
        """The ring width in pixels along columns and rows (metres converted for degree CRSs)."""
        gt, srs = self.pair.geotransform, self.pair.srs
        if srs.IsGeographic():
            centre_lat = gt[3] + gt[5] * self.pair.height / 2
            metres_x = abs(gt[1]) * METRES_PER_DEGREE * math.cos(math.radians(centre_lat))
            metres_y = abs(gt[5]) * METRES_PER_DEGREE
        else:
            unit = srs.GetLinearUnits() or 1.0
            metres_x, metres_y = abs(gt[1]) * unit, abs(gt[5]) * unit
        return ring_m / metres_x, ring_m / metres_y

    def labels(self, window: Window) -> tuple[NDArray[np.integer[Any]], NDArray[np.intp]]:
        """(labels, owners): the window's label raster (uint16, or int32 from 65,535 footprints in
        the window) numbered in the window — k where a pixel centre is inside footprint
        ``owners[k - 1]`` (indices in ascending order), else 0."""
        gt = self.pair.geotransform
        origin_x, origin_y = gt[0] + window.col * gt[1], gt[3] + window.row * gt[5]
        owners = self.boxes.intersecting(window.col, window.row, window.col + window.width, window.row + window.height)
        label_type = gdal.GDT_UInt16 if owners.size < 65535 else gdal.GDT_Int32  # less memory traffic
        target = gdal.GetDriverByName("MEM").Create("", window.width, window.height, 1, label_type)
        target.SetGeoTransform((origin_x, gt[1], 0.0, origin_y, 0.0, gt[5]))
        target.SetSpatialRef(self.pair.srs)
        # a layer of the window's footprints alone: a spatial filter would scan every footprint
        source = ogr.GetDriverByName("Memory").CreateDataSource("footprints")
        layer = source.CreateLayer("footprints", srs=self._target, geom_type=ogr.wkbMultiPolygon)
        layer.CreateField(ogr.FieldDefn("burn", ogr.OFTInteger))
        definition = layer.GetLayerDefn()
        for number, index in enumerate(owners.tolist(), start=1):  # the one listed last wins an overlap
            feature = ogr.Feature(definition)
            feature.SetField(0, number)
            feature.SetGeometry(self._geometries[index])
            layer.CreateFeature(feature)
        gdal.RasterizeLayer(target, [1], layer, options=["ATTRIBUTE=burn", "ALL_TOUCHED=FALSE"])
        labels: NDArray[np.integer[Any]] = target.GetRasterBand(1).ReadAsArray()
        return labels, owners


def covered_by(footprints: Sequence[bytes | None], areas: Sequence[bytes]) -> NDArray[np.bool_] | None:
    """Which footprints intersect any of ``areas`` (WKB, same CRS); None without areas."""
    if not areas:
        return None
    union = ogr.Geometry(ogr.wkbMultiPolygon)
    for wkb in areas:
        geometry = ogr.CreateGeometryFromWkb(bytes(wkb)) if wkb else None
        if geometry is None or geometry.IsEmpty():
            continue
        union = union.Union(geometry.MakeValid())
    hit = np.zeros(len(footprints), dtype=bool)
    if union.IsEmpty():
        return hit
    for index, footprint in enumerate(footprints):
        shape = ogr.CreateGeometryFromWkb(bytes(footprint)) if footprint else None
        hit[index] = shape is not None and not shape.IsEmpty() and shape.Intersects(union)
    return hit
