"""The change flag of a structure between the before and the after date."""

from __future__ import annotations

import pytest
from osgeo import ogr

from sitewatch.core.export.data import change_flag
from sitewatch.core.export.package import ExportRequest, export_assessment
from sitewatch.tests.helpers.export_site import AFTER, BEFORE, build_site


@pytest.mark.parametrize(
    ("before", "after", "flag"),
    [
        ("unknown", "destroyed", "not comparable"),
        ("intact", "unknown", "not comparable"),
        ("intact", None, "not comparable"),
        (None, "unknown", "not comparable"),
        ("destroyed", "absent", "removed"),
        ("intact", "absent", "removed"),
        ("absent", "absent", "unchanged"),
        (None, "absent", "unchanged"),
        ("severe", "intact", "rebuilt"),
        ("destroyed", "construction", "rebuilt"),
        (None, "destroyed", "new"),
        ("absent", "construction", "new"),
        ("intact", "moderate", "increased"),
        ("moderate", "moderate", "unchanged"),
        ("severe", "moderate", "unchanged"),
    ],
)
def test_change_flag_of_every_kind_of_pair(before, after, flag):
    assert change_flag(before, after) == flag


def test_not_comparable_reads_back_whole_from_the_shapefile(tmp_path):
    site = build_site(tmp_path / "site")
    folder = tmp_path / "out"
    export_assessment(site, ExportRequest(str(folder), AFTER, BEFORE, formats=("ESRI Shapefile",)))
    shapefile = next(folder.glob("*structures*.shp"))
    dataset = ogr.Open(str(shapefile))
    flags = {f.GetField("struct_id"): f.GetField("change") for f in dataset.GetLayer(0)}
    assert flags["S-0009"] == "not comparable"  # intact → unknown
    assert flags["S-0011"] == "new" and flags["S-0008"] == "rebuilt"
