"""Damaged images given to changescore (a GeoTIFF cut half-way, a VRT whose source was deleted,
a text file named .tif): one SiteWatch message naming the file, no traceback, no abort, and no
output written."""

from __future__ import annotations

import pytest
from osgeo import gdal

from sitewatch.tests.helpers.change_pair import make_site, write_footprints


@pytest.fixture
def scoring(tmp_path):
    site = make_site(tmp_path)
    structures = tmp_path / "structures.gpkg"
    write_footprints(site, structures)
    return site, structures


def _truncated(source, path):
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _vrt_without_source(source, tmp_path):
    copy = tmp_path / "moved_away.tif"
    copy.write_bytes(source.read_bytes())
    vrt = tmp_path / "after.vrt"
    gdal.BuildVRT(str(vrt), [str(copy)]).FlushCache()
    copy.unlink()
    return vrt


def _text(path):
    path.write_text("this is not an image\n")
    return path


@pytest.mark.parametrize(
    ("role", "make", "expected"),
    [
        ("BEFORE", lambda site, tmp: _truncated(site.before, tmp / "cut.tif"), "is damaged or incomplete"),
        ("AFTER", lambda site, tmp: _truncated(site.after, tmp / "cut.tif"), "is damaged or incomplete"),
        ("AFTER", lambda site, tmp: _vrt_without_source(site.after, tmp), "cannot be"),
        ("BEFORE", lambda site, tmp: _text(tmp / "notes.tif"), "is not a raster image"),
    ],
    ids=["truncated-before", "truncated-after", "vrt-missing-source", "text-named-tif"],
)
def test_damaged_image_gives_one_message_naming_the_file(qgis_process, scoring, tmp_path, role, make, expected):
    site, structures = scoring
    bad = make(site, tmp_path)
    images = {"BEFORE": str(site.before), "AFTER": str(site.after), role: str(bad)}
    output = tmp_path / "scored.gpkg"
    cli = qgis_process(
        "run",
        "sitewatch:changescore",
        "--",
        *[f"{k}={v}" for k, v in images.items()],
        f"STRUCTURES={structures}",
        f"OUTPUT={output}",
        check=False,
    )
    printed = cli.stdout + cli.stderr
    assert cli.returncode == 1, printed
    assert "Traceback" not in printed
    assert expected in printed and str(bad) in printed, printed
    assert printed.count(str(bad)) <= 2, printed  # the message, and at most the echoed parameter
    assert not output.exists()
