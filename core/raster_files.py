"""Raster files opened for reading, checked whole: one clear message naming the file when GDAL
cannot read it (the raster twin of :mod:`.vector_files`)."""

from __future__ import annotations

from osgeo import gdal

from .errors import SiteWatchError

gdal.UseExceptions()


def unreadable(path: str, role: str, error: RuntimeError) -> SiteWatchError:
    """The one message for a GDAL read error of an image."""
    text = str(error).replace(f"{path}, ", "").replace(path, "the file").strip()
    detail = text.splitlines()[0] if text else "read error"
    return SiteWatchError(
        f"{role} image {path} is damaged or incomplete and cannot be read ({detail}): a truncated file, or a "
        "VRT whose source image is missing. Copy the complete image again or fix the VRT."
    )


def check_readable(dataset: gdal.Dataset, path: str, role: str) -> None:
    """Read the first and the last pixel of every band: a file cut short loses its last blocks,
    a VRT with a missing source fails on any read."""
    last_col, last_row = dataset.RasterXSize - 1, dataset.RasterYSize - 1
    try:
        for col, row in ((0, 0), (last_col, last_row)):
            dataset.ReadRaster(col, row, 1, 1)
    except RuntimeError as error:
        raise unreadable(path, role, error) from None


def open_readable(path: str, role: str) -> gdal.Dataset:
    """Open ``path`` read-only as a raster GDAL can read whole (:func:`check_readable`); one
    clear error naming the file otherwise (``role``: "BEFORE", "The report's after", …)."""
    try:
        dataset = gdal.Open(path, gdal.GA_ReadOnly)
    except RuntimeError as error:
        if "not recognized as" in str(error) and "supported file format" in str(error):
            raise SiteWatchError(
                f"{role} image {path} is not a raster image (GDAL does not recognise its format): give a "
                "GeoTIFF or another image file."
            ) from None
        detail = str(error).replace(path, "the file").strip().splitlines()[0]
        raise SiteWatchError(
            f"{role} image {path} cannot be opened ({detail}); check the file or give another image."
        ) from None
    if dataset is None or dataset.RasterCount == 0:
        raise SiteWatchError(f"{role} image {path} has no raster band; give another image.")
    check_readable(dataset, path, role)
    return dataset
