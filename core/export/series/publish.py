"""Write an image series for publication: one PNG per image date (``series_01_<date>.png`` …)
and the animated ``series.gif`` of them, into a folder; files are written aside and moved in
at the end, so a failed or cancelled run leaves nothing behind."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qgis.core import QgsRectangle

from ...assessment.store import AssessmentStore
from ...errors import SiteWatchError
from ...imagery.registry import list_images, site_extent
from .frames import render_frames, reserved_colours
from .gif import write_gif
from .palette import build_palette, index_frame

GIF_NAME = "series.gif"
SITE_MARGIN = 0.1
"""Around the site's structures and compounds when no extent is given (a share of its size)."""


@dataclass(frozen=True)
class SeriesResult:
    gif: Path
    frames: list[Path]
    dates: list[str]


def frame_name(number: int, on: str) -> str:
    return f"series_{number:02d}_{on}.png"


def default_extent(store: AssessmentStore) -> QgsRectangle:
    extent = site_extent(store)
    if extent is None:
        raise SiteWatchError(f"{store.location} has no structures or compounds: give the extent of the series.")
    margin = SITE_MARGIN * max(extent.width(), extent.height(), 1.0)
    return extent.buffered(margin)


def write_series(
    store: AssessmentStore,
    folder: Path,
    extent: QgsRectangle | None,
    frame_seconds: float,
    width: int,
    progress: Callable[[float], bool] = lambda _share: True,
) -> SeriesResult:
    """Render every dated image of ``store`` over ``extent`` (default: the site) ``width``
    pixels wide and write the frames and the GIF (``frame_seconds`` each) into ``folder``."""
    images = [image for image in list_images(store) if image.acquired]
    if not images:
        raise SiteWatchError(f"{store.location} has no dated image: register the images of the series first.")
    if not 0.02 <= frame_seconds <= 600:
        raise SiteWatchError(f"A frame shows for 0.02 to 600 seconds, not {frame_seconds}.")
    frames = render_frames(store, images, extent or default_extent(store), width, progress)
    if len(frames) < len(images):
        raise SiteWatchError("The image series was cancelled; nothing was written.")
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f".series.partial-{os.getpid()}"
    shutil.rmtree(temp, ignore_errors=True)
    names = [frame_name(n, frame.image.acquired or "") for n, frame in enumerate(frames, start=1)]
    try:
        temp.mkdir()
        pixels = [frame.rgb() for frame in frames]
        for name, frame in zip(names, frames):
            if not frame.picture.save(str(temp / name), "PNG"):
                raise OSError(f"the frame {name} could not be written")
        reserved = reserved_colours()
        palette = build_palette(pixels, reserved)
        indexed = [index_frame(rgb, palette, len(reserved)) for rgb in pixels]
        write_gif(temp / GIF_NAME, indexed, palette, max(2, round(frame_seconds * 100)))
        for name in [*names, GIF_NAME]:
            os.replace(temp / name, folder / name)
    except OSError as error:
        raise SiteWatchError(
            f"Writing the image series into '{folder}' failed: {error}. Nothing was written."
        ) from None
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return SeriesResult(folder / GIF_NAME, [folder / name for name in names], [f.image.acquired or "" for f in frames])
