"""Overviews (reduced-resolution copies) for big images, built with GDAL off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from osgeo import gdal
from qgis.core import QgsTask

from ..errors import SiteWatchError

gdal.UseExceptions()

SMALL_IMAGE = 2048
"""Images no wider or taller than this draw fast enough without overviews."""


def needs_overviews(path: str) -> bool:
    """True for a big image whose first band has no overviews."""
    try:
        dataset = gdal.Open(path, gdal.GA_ReadOnly)
    except RuntimeError as error:
        raise SiteWatchError(f"Cannot read the image '{path}': {str(error).strip()}") from None
    try:
        big = max(dataset.RasterXSize, dataset.RasterYSize) > SMALL_IMAGE
        return big and int(dataset.GetRasterBand(1).GetOverviewCount()) == 0
    finally:
        dataset = None


def overview_levels(width: int, height: int) -> list[int]:
    """Factors 2, 4, 8, … until the smallest overview fits in 256 pixels."""
    levels, factor = [], 2
    while max(width, height) / factor >= 256 / 2 and factor <= 4096:
        levels.append(factor)
        factor *= 2
    return levels


def build_overviews(
    path: str, progress: Callable[[float], None] | None = None, canceled: Callable[[], bool] | None = None
) -> bool:
    """Build overviews into ``path.ovr`` (the image is not modified); False when canceled.

    ``progress`` gets 0–100; ``canceled`` is polled and stops GDAL when it returns True."""

    def callback(complete: float, _message: str | None, _data: object) -> int:
        if progress is not None:
            progress(100.0 * complete)
        return 0 if canceled is not None and canceled() else 1

    partial = Path(path + ".ovr")
    existed = partial.exists()
    try:
        dataset = gdal.Open(path, gdal.GA_ReadOnly)  # read-only: GDAL writes an external .ovr
        levels = overview_levels(dataset.RasterXSize, dataset.RasterYSize)
        dataset.BuildOverviews("AVERAGE", levels, callback, options=["COMPRESS_OVERVIEW=DEFLATE"])
        dataset = None
    except RuntimeError as error:
        if not existed:
            partial.unlink(missing_ok=True)
        if canceled is not None and canceled():
            return False
        raise SiteWatchError(f"Building overviews for '{path}' failed: {str(error).strip()}") from None
    if canceled is not None and canceled():
        if not existed:
            partial.unlink(missing_ok=True)
        return False
    return True


class BuildOverviewsTask(QgsTask):
    """Builds one image's overviews with progress and cancel; touches no layer or widget."""

    def __init__(self, path: str, label: str):
        super().__init__(f"SiteWatch: building overviews of {label}", QgsTask.Flag.CanCancel)
        self.path = path
        self.label = label
        self.error: str | None = None

    def run(self) -> bool:
        """Never lets an exception out: one escaping ``QgsTask.run`` on a worker thread aborts QGIS."""
        try:
            return build_overviews(self.path, self.setProgress, self.isCanceled)
        except SiteWatchError as error:
            self.error = str(error)
        except (RuntimeError, OSError, ValueError, MemoryError) as error:
            self.error = f"Building overviews for '{self.path}' failed: {type(error).__name__}: {str(error).strip()}"
        return False
