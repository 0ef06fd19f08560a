"""The GIF writer read back with GDAL (each frame of an animated GIF is a band): exact palette
indices for noise that fills the LZW table many times over, smooth gradients, tiny images and
small palettes; the looping and delay blocks; and the shared palette of a series."""

from __future__ import annotations

import numpy as np
import pytest
from osgeo import gdal

from sitewatch.core.errors import SiteWatchError
from sitewatch.core.export.series.gif import lzw_encode, write_gif
from sitewatch.core.export.series.palette import build_palette, index_frame


def _read(path):
    dataset = gdal.Open(str(path))
    frames = [dataset.GetRasterBand(b + 1).ReadAsArray() for b in range(dataset.RasterCount)]
    table = dataset.GetRasterBand(1).GetColorTable()
    colours = np.array([table.GetColorEntry(i)[:3] for i in range(table.GetCount())], dtype=np.uint8)
    return frames, colours


@pytest.mark.parametrize(
    ("colours", "shape"),
    [(256, (300, 400)), (2, (7, 5)), (5, (64, 64)), (256, (1, 1)), (17, (513, 257)), (3, (1, 2000))],
)
def test_frames_decode_to_the_same_indices_and_colours(tmp_path, colours, shape):
    rng = np.random.default_rng(colours + shape[0])
    palette = rng.integers(0, 256, (colours, 3)).astype(np.uint8)
    noise = rng.integers(0, colours, shape).astype(np.uint8)
    gradient = (np.add.outer(np.arange(shape[0]), np.arange(shape[1])) // 7 % colours).astype(np.uint8)
    flat = np.full(shape, colours - 1, dtype=np.uint8)
    path = write_gif(tmp_path / "t.gif", [noise, gradient, flat], palette, 50)
    frames, table = _read(path)
    assert len(frames) == 3
    for written, read in zip([noise, gradient, flat], frames):
        np.testing.assert_array_equal(read, written)
    np.testing.assert_array_equal(table[:colours], palette)


def test_the_gif_loops_and_shows_each_frame_for_the_delay(tmp_path):
    palette = np.array([[0, 0, 0], [255, 255, 255]], dtype=np.uint8)
    path = write_gif(tmp_path / "d.gif", [np.eye(4, dtype=np.uint8)] * 2, palette, 125)
    data = path.read_bytes()
    assert data.startswith(b"GIF89a") and data.endswith(b"\x3b")
    assert b"NETSCAPE2.0\x03\x01\x00\x00\x00" in data  # loop for ever
    assert data.count(b"\x21\xf9\x04\x04\x7d\x00\x00\x00") == 2  # 125 hundredths, kept shown


def test_lzw_of_nothing_and_bad_input():
    assert lzw_encode(b"", 2) == bytes([0b00101100])  # clear (4) then end (5), 3 bits each
    with pytest.raises(ValueError, match="minimum code size 9"):
        lzw_encode(b"\x00", 9)
    with pytest.raises(SiteWatchError, match="same size"):
        write_gif(None, [np.zeros((2, 2), np.uint8), np.zeros((3, 2), np.uint8)], np.zeros((2, 3), np.uint8), 10)
    with pytest.raises(SiteWatchError, match="covering every frame's indices"):
        write_gif(None, [np.full((2, 2), 5, np.uint8)], np.zeros((2, 3), np.uint8), 10)


def test_series_palette_keeps_reserved_colours_exact_and_the_rest_close():
    rng = np.random.default_rng(3)
    sand = np.clip(rng.normal([200, 170, 120], 12, (120, 160, 3)), 0, 255).astype(np.uint8)
    red = (214, 39, 40)
    sand[10:20, 10:60] = red
    palette = build_palette([sand, sand[::-1]], [red, (255, 255, 255)])
    assert len(palette) <= 256 and tuple(palette[0]) == red
    indices = index_frame(sand, palette, 2)
    assert (indices[10:20, 10:60] == 0).all()
    assert (indices[20:] != 0).all() and (indices != 1).all()  # no sand pixel took a reserved colour
    error = np.abs(palette[indices].astype(int) - sand.astype(int))
    assert error.mean() < 3 and np.percentile(error, 99) <= 12
