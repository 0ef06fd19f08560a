"""sitewatch:imageseries through processing.run and qgis_process: the PNG frames and the GIF
read back with GDAL show each image date with the structures in the status colours of that
date, the date label and the legend."""

from __future__ import annotations

import json

import numpy as np
import pytest
from osgeo import gdal

import processing
from sitewatch.core import values
from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.export.series.frames import LABEL_BACKGROUND


def _rgb(path) -> np.ndarray:
    dataset = gdal.Open(str(path))
    return np.dstack([dataset.GetRasterBand(b).ReadAsArray() for b in (1, 2, 3)])


def _pixels_of(image: np.ndarray, status: str) -> int:
    colour = np.array([int(values.STATUS_BY_CODE[status].colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((image == colour).all(axis=2).sum())


def _gif_frames(path) -> list[np.ndarray]:
    dataset = gdal.Open(str(path))
    table = dataset.GetRasterBand(1).GetColorTable()
    colours = np.array([table.GetColorEntry(i)[:3] for i in range(table.GetCount())], dtype=np.uint8)
    return [colours[dataset.GetRasterBand(b + 1).ReadAsArray()] for b in range(dataset.RasterCount)]


def test_frames_and_gif_show_the_strike_between_the_two_dates(sitewatch_provider, sample_site, tmp_path):
    out = tmp_path / "series"
    result = processing.run(
        "sitewatch:imageseries",
        {"ASSESSMENT": str(sample_site.assessment_gpkg), "FRAME_SECONDS": 0.8, "SIZE": 600, "OUTPUT": str(out)},
    )
    assert result["FRAMES"] == 2
    before_png, after_png = (
        out / f"series_01_{sample_site.before_date}.png",
        out / f"series_02_{sample_site.after_date}.png",
    )
    assert result["FRAME_FILES"].splitlines() == [str(before_png), str(after_png)]
    before, after = _rgb(before_png), _rgb(after_png)
    assert before.shape[1] == after.shape[1] == 600
    # built before the first pass: all intact then; destroyed and severe only on the after image
    # (the map above the legend strip)
    assert _pixels_of(before[:-25], "intact") > 200 and _pixels_of(before[:-25], "destroyed") == 0
    assert _pixels_of(after[:-25], "destroyed") > 50 and _pixels_of(after[:-25], "severe") > 20
    # the legend lists the statuses of the series: their swatches are on both frames
    assert _pixels_of(before[-25:], "destroyed") > 20 and _pixels_of(after[-25:], "destroyed") > 20
    # the date label's box at the top left
    assert (before[10:30, 10:40] == LABEL_BACKGROUND).all(axis=2).mean() > 0.5
    # the GIF: the same frames through one palette, status colours exact, the rest close
    gif = _gif_frames(result["GIF"])
    assert len(gif) == 2 and gif[0].shape == before.shape
    for png, decoded in zip((before, after), gif):
        assert np.abs(png.astype(int) - decoded.astype(int)).mean() < 4
        for status in ("intact", "destroyed", "severe"):  # every pixel of a status colour keeps it exactly
            colour = np.array([int(values.STATUS_BY_CODE[status].colour[i : i + 2], 16) for i in (1, 3, 5)])
            exact = (png == colour).all(axis=2)
            assert exact.sum() > 20 and (decoded[exact] == colour).all()
    assert not list(out.glob(".series.partial-*"))


def test_extent_sets_the_frame_shape_and_errors_are_clear(sitewatch_provider, sample_site, tmp_path):
    store = GeoPackageStore.open(sample_site.assessment_gpkg)
    compound = next(store.layer("compounds").getFeatures()).geometry().boundingBox()
    corners = f"{compound.xMinimum()},{compound.xMaximum()},{compound.yMinimum()},{compound.yMaximum()}"
    extent = f"{corners} [{store.crs().authid()}]"
    result = processing.run(
        "sitewatch:imageseries",
        {"ASSESSMENT": str(sample_site.assessment_gpkg), "EXTENT": extent, "SIZE": 300, "OUTPUT": str(tmp_path / "c")},
    )
    frame = _rgb(result["FRAME_FILES"].splitlines()[0])
    assert frame.shape[:2] == (round(300 * compound.height() / compound.width()), 300)
    with pytest.raises(Exception, match="no dated image"):
        empty = tmp_path / "empty.gpkg"
        processing.run("sitewatch:createassessment", {"OUTPUT": str(empty), "CRS": "EPSG:32637", "SITE_NAME": "x"})
        processing.run("sitewatch:imageseries", {"ASSESSMENT": str(empty), "OUTPUT": str(tmp_path / "e")})


def test_image_series_from_the_command_line(qgis_process, sample_site, tmp_path):
    out = tmp_path / "cli"
    run = qgis_process(
        "run",
        "sitewatch:imageseries",
        "--json",
        "--",
        f"ASSESSMENT={sample_site.assessment_gpkg}",
        "SIZE=320",
        "FRAME_SECONDS=2",
        f"OUTPUT={out}",
    )
    results = json.loads(run.stdout)["results"]
    assert results["FRAMES"] == 2 and gdal.Open(results["GIF"]).RasterCount == 2
    assert b"\x21\xf9\x04\x04\xc8\x00" in (out / "series.gif").read_bytes()  # 200 hundredths per frame
