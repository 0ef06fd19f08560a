"""A before/after image pair read window by window on the before image's grid.

The after image may have another CRS, resolution and extent: when it shares the before grid
(same CRS and pixel size, whole-pixel offset) its pixels are read directly at an offset;
otherwise GDAL warps it onto the before grid on the fly through a warped VRT (bilinear),
so only the window asked for is ever warped. Nothing here holds a whole raster in memory.
"""

from __future__ import annotations

import math
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from osgeo import gdal, osr

from ..errors import SiteWatchError
from ..raster_files import open_readable, unreadable

gdal.UseExceptions()
osr.UseExceptions()

BandValues = NDArray[np.number[Any]]
"""(bands, rows, cols) pixel values: float32, or an image's own small integer type (uint8,
uint16, int16) when band pairs are compared; the brightness mean of small integers is float64."""
Valid = NDArray[np.bool_]
"""(rows, cols): True where both images have data."""


@dataclass(frozen=True)
class Window:
    """A pixel window of the before grid."""

    col: int
    row: int
    width: int
    height: int


@dataclass(frozen=True)
class BandPlan:
    """Which bands of each image are compared, and how (see :func:`plan_bands`)."""

    before: tuple[int, ...]
    after: tuple[int, ...]
    mode: str
    """``pairs``: band i of before against band i of after; ``brightness``: the mean of the
    listed bands of each image against each other (a 1-band image against a multi-band one)."""

    def describe(self) -> str:
        if self.mode == "brightness":
            return (
                f"brightness: mean of before band(s) {list(self.before)} against mean of after "
                f"band(s) {list(self.after)}"
            )
        return f"band pairs {list(self.before)} (before) against {list(self.after)} (after)"

    @property
    def compared(self) -> int:
        return 1 if self.mode == "brightness" else len(self.before)


def _data_bands(dataset: gdal.Dataset) -> list[int]:
    """Band numbers that carry image values (alpha bands are masks, not data)."""
    bands = []
    for number in range(1, dataset.RasterCount + 1):
        if dataset.GetRasterBand(number).GetColorInterpretation() != gdal.GCI_AlphaBand:
            bands.append(number)
    return bands


def plan_bands(
    before: gdal.Dataset,
    after: gdal.Dataset,
    requested: list[int] | None,
    before_name: str = "BEFORE",
    after_name: str = "AFTER",
) -> BandPlan:
    """Choose the compared bands.

    * ``requested`` band numbers must exist in both images;
    * same band count: every band, pairwise;
    * a 1-band image against a multi-band one: brightness (mean of the bands) against the band;
    * otherwise the common bands 1..min(n, m), pairwise.
    """
    before_bands, after_bands = _data_bands(before), _data_bands(after)
    if not before_bands or not after_bands:
        name = before_name if not before_bands else after_name
        raise SiteWatchError(f"{name} has no image band (only alpha): choose an image with data bands.")
    if requested:
        for number in requested:
            for name, bands in ((before_name, before_bands), (after_name, after_bands)):
                if number not in bands:
                    raise SiteWatchError(
                        f"Band {number} does not exist in {name} (it has bands {bands}); choose bands both images have."
                    )
        return BandPlan(tuple(requested), tuple(requested), "pairs")
    if len(before_bands) == len(after_bands):
        return BandPlan(tuple(before_bands), tuple(after_bands), "pairs")
    if min(len(before_bands), len(after_bands)) == 1:
        return BandPlan(tuple(before_bands), tuple(after_bands), "brightness")
    common = min(len(before_bands), len(after_bands))
    return BandPlan(tuple(before_bands[:common]), tuple(after_bands[:common]), "pairs")


def open_raster(path: str, role: str) -> gdal.Dataset:
    """Open ``path`` read-only; a clear error when it cannot be read or has no CRS."""
    dataset = open_readable(path, role)
    if not dataset.GetSpatialRef():
        raise SiteWatchError(
            f"{role} image {path} has no coordinate reference system: georeference it "
            "(e.g. Raster ▸ Projections ▸ Assign Projection) before scoring changes."
        )
    geo = dataset.GetGeoTransform(can_return_null=True)
    if geo is None or geo[2] != 0 or geo[4] != 0:
        raise SiteWatchError(f"{role} image {path} has no north-up geotransform: warp it to a map grid first.")
    return dataset


SMALL_INTEGER_TYPES: dict[int, type[np.number[Any]]] = {
    gdal.GDT_Byte: np.uint8,
    gdal.GDT_UInt16: np.uint16,
    gdal.GDT_Int16: np.int16,
}
"""Data types read as they are: converting them is left to the arithmetic, saving a pass."""


class _Reader:
    """Reads one image's planned bands (float32, or ``native`` small integers) plus a validity mask."""

    def __init__(self, dataset: gdal.Dataset, bands: tuple[int, ...], native: bool = False):
        self.dataset = dataset
        self.bands = list(bands)
        first = dataset.GetRasterBand(bands[0])
        flags = first.GetMaskFlags()
        self.nodata = [dataset.GetRasterBand(b).GetNoDataValue() for b in bands]
        self.read_mask = not flags & gdal.GMF_ALL_VALID and not flags & gdal.GMF_NODATA
        self.float_data = first.DataType in (gdal.GDT_Float32, gdal.GDT_Float64)
        small_integers = native and all(dataset.GetRasterBand(b).DataType in SMALL_INTEGER_TYPES for b in bands)
        self.buffer_type = (
            first.DataType
            if small_integers and len({dataset.GetRasterBand(b).DataType for b in bands}) == 1
            else gdal.GDT_Float32
        )
        self.dtype: np.dtype[np.number[Any]] = np.dtype(SMALL_INTEGER_TYPES.get(self.buffer_type, np.float32))

    def read(self, col: int, row: int, width: int, height: int) -> tuple[BandValues, Valid]:
        data = self.dataset.ReadAsArray(col, row, width, height, band_list=self.bands, buf_type=self.buffer_type)
        data = data.reshape(len(self.bands), height, width)
        valid = np.ones((height, width), dtype=bool)
        for index, nodata in enumerate(self.nodata):
            if nodata is not None and not math.isnan(nodata):
                valid &= data[index] != data.dtype.type(nodata)
        if self.float_data:
            valid &= np.isfinite(data).all(axis=0)
        if self.read_mask:
            mask = self.dataset.GetRasterBand(self.bands[0]).GetMaskBand()
            valid &= mask.ReadAsArray(col, row, width, height) > 0
        return data, valid


class RasterPair:
    """The before image and the after image as seen on the before grid."""

    def __init__(self, before_path: str, after_path: str, bands: list[int] | None = None):
        self.before_path, self.after_path = before_path, after_path
        self.before = open_raster(before_path, "BEFORE")
        after = open_raster(after_path, "AFTER")
        self.plan = plan_bands(self.before, after, bands)
        self.width, self.height = self.before.RasterXSize, self.before.RasterYSize
        self.geotransform = self.before.GetGeoTransform()
        self.srs: osr.SpatialReference = self.before.GetSpatialRef()
        offset = self._grid_offset(after)
        self._after_source = after
        self.warped = offset is None
        if offset is None:
            after = self._warped(after)
            offset = (0, 0)
        self.offset: tuple[int, int] = offset
        self.after = after
        self._before_reader = _Reader(self.before, self.plan.before, native=self.plan.mode == "pairs")
        self._after_reader = _Reader(self.after, self.plan.after, native=self.plan.mode == "pairs")
        self.block = self._block_size()

    def realign(self, east_px: float, south_px: float) -> None:
        """Move the after image back by an offset measured on the before grid (its content lies
        ``east_px`` east and ``south_px`` south of where it belongs): its georeferencing is
        corrected in a VRT and it is then read warped (bilinear), whatever its CRS."""
        source = gdal.Translate("", self._after_source, format="VRT")
        gt = self.geotransform
        centre_x, centre_y = gt[0] + gt[1] * self.width / 2, gt[3] + gt[5] * self.height / 2
        transform = osr.CoordinateTransformation(
            traditional_srs(self.srs), traditional_srs(self._after_source.GetSpatialRef())
        )
        x0, y0, _ = transform.TransformPoint(centre_x, centre_y)
        x1, y1, _ = transform.TransformPoint(centre_x + east_px * gt[1], centre_y + south_px * gt[5])
        after_gt = list(source.GetGeoTransform())
        after_gt[0] -= x1 - x0
        after_gt[3] -= y1 - y0
        source.SetGeoTransform(after_gt)
        self._after_source = source
        self.after = self._warped(source)
        self.offset = (0, 0)
        self.warped = True
        self._after_reader = _Reader(self.after, self.plan.after, native=self.plan.mode == "pairs")

    def _grid_offset(self, after: gdal.Dataset) -> tuple[int, int] | None:
        """Whole-pixel offset of the after grid in the before grid, or None if it must be warped."""
        if not self.srs.IsSame(after.GetSpatialRef()):
            return None
        bg, ag = self.geotransform, after.GetGeoTransform()
        if not (math.isclose(bg[1], ag[1], rel_tol=1e-9) and math.isclose(bg[5], ag[5], rel_tol=1e-9)):
            return None
        col, row = (ag[0] - bg[0]) / bg[1], (ag[3] - bg[3]) / bg[5]
        if abs(col - round(col)) > 1e-6 or abs(row - round(row)) > 1e-6:
            return None
        return round(col), round(row)

    def _warped(self, after: gdal.Dataset) -> gdal.Dataset:
        """A warped VRT of ``after`` on the before grid; only windows read are computed."""
        gt = self.geotransform
        bounds = (gt[0], gt[3] + gt[5] * self.height, gt[0] + gt[1] * self.width, gt[3])
        options = gdal.WarpOptions(
            format="VRT",
            outputBounds=bounds,
            width=self.width,
            height=self.height,
            dstSRS=self.srs.ExportToWkt(),
            resampleAlg="bilinear",
            dstAlpha=True,
        )
        return gdal.Warp("", after, options=options)

    def _block_size(self) -> int:
        """Window edge: a multiple of the before image's block, about 1024 pixels."""
        block_x, block_y = self.before.GetRasterBand(1).GetBlockSize()
        if block_y < 16:  # strip layout: read wide windows of rows
            return 1024
        return int(max(block_x, block_y) * max(1, round(1024 / max(block_x, block_y))))

    def windows(self, col0: int, row0: int, col1: int, row1: int) -> list[Window]:
        """Block-aligned windows covering the pixel region [col0, col1) × [row0, row1)."""
        col0, row0 = max(col0, 0), max(row0, 0)
        col1, row1 = min(col1, self.width), min(row1, self.height)
        step = self.block
        found = []
        for row in range(row0 - row0 % step, row1, step):
            for col in range(col0 - col0 % step, col1, step):
                c0, r0 = max(col, col0), max(row, row0)
                c1, r1 = min(col + step, col1), min(row + step, row1)
                if c1 > c0 and r1 > r0:
                    found.append(Window(c0, r0, c1 - c0, r1 - r0))
        return found

    def map_bounds(self, col0: float, row0: float, col1: float, row1: float) -> tuple[float, float, float, float]:
        """(min x, min y, max x, max y) in the before image's CRS of a pixel region of its grid."""
        gt = self.geotransform
        xs, ys = (gt[0] + col0 * gt[1], gt[0] + col1 * gt[1]), (gt[3] + row0 * gt[5], gt[3] + row1 * gt[5])
        return min(xs), min(ys), max(xs), max(ys)

    def after_region(self) -> tuple[int, int, int, int] | None:
        """Pixel region of the before grid the after image covers (None: no overlap)."""
        if self.warped:  # the VRT spans the whole grid: take the source extent instead
            return self._warped_source_region()
        c0, r0 = self.offset
        c1, r1 = c0 + self.after.RasterXSize, r0 + self.after.RasterYSize
        c0, r0, c1, r1 = max(c0, 0), max(r0, 0), min(c1, self.width), min(r1, self.height)
        return (c0, r0, c1, r1) if c1 > c0 and r1 > r0 else None

    def _warped_source_region(self) -> tuple[int, int, int, int] | None:
        source = self._after_source
        sg = source.GetGeoTransform()
        transform = osr.CoordinateTransformation(traditional_srs(source.GetSpatialRef()), traditional_srs(self.srs))
        xs, ys = [], []
        for i in range(21):
            for j in (0, 20):
                for a, b in ((i, j), (j, i)):
                    px, py = source.RasterXSize * a / 20, source.RasterYSize * b / 20
                    x, y, _ = transform.TransformPoint(sg[0] + px * sg[1], sg[3] + py * sg[5])
                    if math.isfinite(x) and math.isfinite(y):
                        xs.append(x)
                        ys.append(y)
        if not xs:
            return None
        gt = self.geotransform
        c0 = math.floor((min(xs) - gt[0]) / gt[1]) - 1
        c1 = math.ceil((max(xs) - gt[0]) / gt[1]) + 1
        r0 = math.floor((max(ys) - gt[3]) / gt[5]) - 1
        r1 = math.ceil((min(ys) - gt[3]) / gt[5]) + 1
        c0, r0, c1, r1 = max(c0, 0), max(r0, 0), min(c1, self.width), min(r1, self.height)
        return (c0, r0, c1, r1) if c1 > c0 and r1 > r0 else None

    def read(self, window: Window, pool: Executor | None = None) -> tuple[BandValues, BandValues, Valid]:
        """(before bands, after bands, valid) for ``window``; each band array is float32 or, when
        comparing band pairs, the image's own small integer type (uint8, uint16, int16).

        With a ``pool``, the before image is read on it while this thread reads the after image:
        decoding is most of the cost and GDAL releases the GIL, so the two images decode at once
        on two cores. Each image is only ever read by one thread at a time."""
        if pool is None:
            before, valid = self._read_before(window)
            after, after_valid = self._read_after(window)
        else:
            pending = pool.submit(self._read_before, window)
            try:
                after, after_valid = self._read_after(window)
            finally:
                before, valid = pending.result()
        if self.plan.mode == "brightness":
            before = before.mean(axis=0, keepdims=True)
            after = after.mean(axis=0, keepdims=True)
        return before, after, valid & after_valid

    # Windows are block-aligned, so cached blocks are rarely read again; dropping them after each
    # window keeps memory flat whatever GDAL_CACHEMAX is (for a warped after image: its source's blocks).

    def _read_before(self, window: Window) -> tuple[BandValues, Valid]:
        try:
            data = self._before_reader.read(window.col, window.row, window.width, window.height)
        except RuntimeError as error:
            raise unreadable(self.before.GetDescription(), "BEFORE", error) from None
        self.before.FlushCache()
        return data

    def _read_after(self, window: Window) -> tuple[BandValues, Valid]:
        col, row = window.col - self.offset[0], window.row - self.offset[1]
        c0, r0 = max(col, 0), max(row, 0)
        c1 = min(col + window.width, self.after.RasterXSize)
        r1 = min(row + window.height, self.after.RasterYSize)
        try:
            if (c0, r0, c1, r1) == (col, row, col + window.width, row + window.height):  # wholly inside
                after, after_valid = self._after_reader.read(col, row, window.width, window.height)
            else:
                after, after_valid = self._read_after_part(window.width, window.height, col, row, c0, r0, c1, r1)
        except RuntimeError as error:
            raise unreadable(self._after_source.GetDescription(), "AFTER", error) from None
        self.after.FlushCache()
        if self._after_source is not self.after:
            self._after_source.FlushCache()
        return after, after_valid

    def _read_after_part(
        self, width: int, height: int, col: int, row: int, c0: int, r0: int, c1: int, r1: int
    ) -> tuple[BandValues, Valid]:
        """A window partly or wholly outside the after image: no data (invalid) outside it."""
        after = np.zeros((len(self.plan.after), height, width), dtype=self._after_reader.dtype)
        after_valid = np.zeros((height, width), dtype=bool)
        if c1 > c0 and r1 > r0:
            data, inner_valid = self._after_reader.read(c0, r0, c1 - c0, r1 - r0)
            sl = (slice(r0 - row, r1 - row), slice(c0 - col, c1 - col))
            after[(slice(None),) + sl] = data
            after_valid[sl] = inner_valid
        return after, after_valid


def traditional_srs(srs: osr.SpatialReference) -> osr.SpatialReference:
    """A copy of ``srs`` with x = easting/longitude axis order (as QGIS and WKB use)."""
    copy = srs.Clone()
    copy.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return copy
