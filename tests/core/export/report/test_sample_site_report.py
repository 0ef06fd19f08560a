"""The export of the generated sample site (a 1,000-pixel desert base) with its PDF."""

from __future__ import annotations

import re
import subprocess

import pytest
from osgeo import ogr

from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.export.package import ExportRequest, export_assessment
from sitewatch.core.export.stats import compound_statistics
from sitewatch.sample.generate_site import generate_site
from sitewatch.tests.helpers.pdf import LEGEND_MM, area_lines, plain


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    files = generate_site(tmp_path_factory.mktemp("sample"), variant="desert", size=1000)
    return files, GeoPackageStore.open(files.assessment_gpkg)


def test_sample_site_exports_with_every_compound_in_the_pdf(sample, tmp_path):
    files, store = sample
    result = export_assessment(
        store, ExportRequest(str(tmp_path / "out"), files.after_date, files.before_date, report=True)
    )
    text = plain(
        subprocess.run(
            ["pdftotext", "-layout", str(result.report), "-"], capture_output=True, text=True, check=True
        ).stdout
    )
    rows = compound_statistics(store, files.after_date, files.before_date).rows
    compounds = [row for row in rows if row["compound"] not in ("ALL", "UNASSIGNED")]
    assert len(compounds) >= 5
    for row in compounds:
        line = next(line for line in text.splitlines() if f"{row['name']} ({row['compound']})" in line)
        for key in ("pct_destr", "pct_damag"):
            assert ("–" if row[key] is None else f"{row[key]:.1f} %") in line
    assert "BEFORE · 2019-09-01 · Synthetic (SiteWatch sample) · SIM-1" in text
    legend = area_lines(result.report, LEGEND_MM)
    assert len(set(legend)) == len(legend), legend
    assert re.search(
        r"Pages:\s+1\b",
        subprocess.run(["pdfinfo", str(result.report)], capture_output=True, text=True, check=True).stdout,
    )
    structures = ogr.Open(str(next(result.folder.glob("*_structures.shp"))))
    assert structures.GetLayer(0).GetFeatureCount() == store.layer("structures").featureCount()
