"""Damaged or unplaceable images for the PDF report of exportreport (a GeoTIFF cut half-way, a
VRT whose source was deleted, a text file named .tif, an image without a CRS), given as a
parameter or registered in the assessment: one SiteWatch message naming the file, exit 1, no
traceback, and no report folder written or changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from osgeo import gdal
from qgis.core import QgsProcessingException

import processing
from sitewatch.tests.helpers.export_site import AFTER, build_site
from sitewatch.tests.helpers.faults import checksums


def _files(folder: Path) -> dict[str, str]:
    """The checksums of the files a user has, without the side files the open assessment and
    QGIS keep: SQLite's -wal/-shm of the assessment this process holds open, and the statistics
    ``.aux.xml`` qgis_process itself writes beside an image without a CRS when it loads the
    parameter (before any SiteWatch code runs; processing.run writes none)."""
    return {k: v for k, v in checksums(folder).items() if not k.endswith(("-wal", "-shm", ".aux.xml"))}


def _truncated(source: Path, path: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _vrt_without_source(source: Path, folder: Path) -> Path:
    copy = folder / "moved_away.tif"
    shutil.copy(source, copy)
    vrt = folder / "after.vrt"
    gdal.BuildVRT(str(vrt), [str(copy)]).FlushCache()
    copy.unlink()
    return vrt


def _text(path: Path) -> Path:
    path.write_text("this is not an image\n")
    return path


def _without_crs(source: Path, path: Path) -> Path:
    gdal.Translate(str(path), str(source)).FlushCache()
    dataset = gdal.Open(str(path), gdal.GA_Update)
    dataset.SetProjection("")
    dataset = None
    Path(str(path) + ".aux.xml").unlink(missing_ok=True)
    assert gdal.Open(str(path)).GetSpatialRef() is None
    return path


def _elsewhere(source: Path, path: Path, srs: str | None = None) -> Path:
    """The image 100 km east of the site, or (``srs``) with its coordinates taken in another CRS."""
    gdal.Translate(str(path), str(source)).FlushCache()
    dataset = gdal.Open(str(path), gdal.GA_Update)
    if srs is None:
        x, width, skew, y, skew2, height = dataset.GetGeoTransform()
        dataset.SetGeoTransform((x + 100_000, width, skew, y, skew2, height))
    else:
        dataset.SetProjection(srs)
    dataset = None
    return path


BAD_IMAGES = [
    ("AFTER_IMAGE", lambda images, tmp: _truncated(images / "after.tif", tmp / "cut.tif"), "is damaged or incomplete"),
    ("BEFORE_IMAGE", lambda images, tmp: _vrt_without_source(images / "before.tif", tmp), "is damaged or incomplete"),
    ("BEFORE_IMAGE", lambda images, tmp: _text(tmp / "notes.tif"), "is not a raster image"),
    (
        "AFTER_IMAGE",
        lambda images, tmp: _without_crs(images / "after.tif", tmp / "plain.tif"),
        "no coordinate reference",
    ),
    ("AFTER_IMAGE", lambda images, tmp: _elsewhere(images / "after.tif", tmp / "east.tif"), "does not cover the site"),
    (
        "BEFORE_IMAGE",
        lambda images, tmp: _elsewhere(images / "before.tif", tmp / "zone1.tif", "EPSG:32601"),
        "does not cover the site",
    ),
]
IDS = [
    "truncated-after",
    "vrt-missing-source-before",
    "text-named-tif",
    "after-without-crs",
    "after-100-km-away",
    "before-in-another-crs",
]


@pytest.mark.parametrize(("name", "make", "expected"), BAD_IMAGES, ids=IDS)
def test_a_bad_report_image_is_refused_with_one_message_naming_it(
    qgis_process, site_path, tmp_path, name, make, expected
):
    bad = make(site_path.parent, tmp_path)
    output = tmp_path / "export"
    before = _files(tmp_path)
    cli = qgis_process(
        "run",
        "sitewatch:exportreport",
        "--",
        f"ASSESSMENT={site_path}",
        f"AFTER_DATE={AFTER}",
        "FORMATS=CSV",
        f"{name}={bad}",
        f"OUTPUT_FOLDER={output}",
        check=False,
    )
    printed = cli.stdout + cli.stderr
    assert cli.returncode == 1, printed
    assert "Traceback" not in printed
    assert expected in printed and f"report's {name.split('_')[0].lower()} image {bad}" in printed, printed
    assert printed.count(str(bad)) <= 2, printed  # the message, and the echoed parameter
    assert _files(tmp_path) == before
    assert not output.exists()


@pytest.mark.parametrize(("name", "make", "expected"), BAD_IMAGES, ids=IDS)
def test_a_bad_report_image_leaves_a_previous_export_as_it_was(
    sitewatch_provider, site_path, tmp_path, name, make, expected
):
    output = tmp_path / "export"
    parameters = {"ASSESSMENT": str(site_path), "AFTER_DATE": AFTER, "FORMATS": "CSV", "OUTPUT_FOLDER": str(output)}
    processing.run("sitewatch:exportreport", parameters)
    bad = make(site_path.parent, tmp_path)
    before = checksums(tmp_path)
    with pytest.raises(QgsProcessingException, match=expected):
        processing.run("sitewatch:exportreport", dict(parameters, OVERWRITE=True, **{name: str(bad)}))
    assert checksums(tmp_path) == before


@pytest.mark.parametrize("damage", ["truncated", "without-crs"])
def test_a_damaged_registered_image_is_refused_when_it_is_the_default_panel(sitewatch_provider, tmp_path, damage):
    site = build_site(tmp_path / "site")
    after = tmp_path / "site" / "after.tif"
    intact = tmp_path / "intact.tif"
    shutil.move(after, intact)
    (_truncated if damage == "truncated" else _without_crs)(intact, after)
    before = _files(tmp_path)
    parameters = {"ASSESSMENT": site.location, "AFTER_DATE": AFTER, "OUTPUT_FOLDER": str(tmp_path / "export")}
    with pytest.raises(QgsProcessingException, match=rf"report's after image {after} (is damaged|has no coordinate)"):
        processing.run("sitewatch:exportreport", parameters)
    assert _files(tmp_path) == before
