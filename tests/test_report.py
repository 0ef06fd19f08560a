"""The PDF map product: opens, has its pages, its text is searchable, both panels show imagery."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import QgsPrintLayout, QgsProject, QgsReadWriteContext
from qgis.PyQt.QtXml import QDomDocument

from sitewatch.core.export import ExportRequest, export_assessment
from sitewatch.core.export_stats import compound_statistics
from sitewatch.core.report_chart import write_chart
from sitewatch.core.report_template import TEMPLATE

from .export_site import AFTER, ARABIC_NAME, BEFORE, build_site

ITEM_IDS = ("title", "subtitle", "caveat", "before_map", "after_map", "before_header", "after_header",
            "overview_map", "legend", "scale_bar", "north_arrow", "compound_table", "damage_chart", "notes")
PAGE_MM = (420.0, 297.0)
PANELS_MM = {"before": (8, 35, 158, 185), "after": (162, 35, 312, 185)}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def report(site, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report") / "out"
    result = export_assessment(site, ExportRequest(str(folder), AFTER, BEFORE, formats=("CSV",), report=True))
    assert result.report is not None
    return result.report


def plain(text: str) -> str:
    """PDF text compared as a reader sees it: Arabic presentation forms folded, bidi marks gone."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text)


def test_template_opens_in_a_layout_with_every_item(qgis_new_project):
    layout = QgsPrintLayout(QgsProject.instance())
    document = QDomDocument()
    document.setContent(TEMPLATE.read_text(encoding="utf-8"))
    _items, loaded = layout.loadFromTemplate(document, QgsReadWriteContext())
    assert loaded
    for item_id in ITEM_IDS:
        assert layout.itemById(item_id) is not None, item_id
    assert layout.pageCollection().pageCount() == 1


def test_pdf_has_one_a3_page_and_searchable_text(site, report):
    info = subprocess.run(["pdfinfo", str(report)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\b", info)
    assert "1191 x 842 pts (A3)" in info
    text = plain(subprocess.run(["pdftotext", "-layout", str(report), "-"], capture_output=True, text=True,
                                check=True).stdout)
    assert "PRELIMINARY — NOT FIELD VALIDATED" in text and "not field validated" in text
    assert BEFORE in text and AFTER in text and "Airbus Pléiades" in text and "Maxar WorldView-3" in text
    assert "Zoë Analyst" in text
    statistics = compound_statistics(site, AFTER, BEFORE)
    assert statistics.sentence.split(";")[0] in " ".join(text.split())
    rows = {row["compound"]: row for row in statistics.rows}
    for compound, name in (("C-0001", ARABIC_NAME), ("C-0002", "North barracks"), ("C-0003", "Empty yard")):
        for part in re.split(r" — ", name):
            assert plain(part) in text, part
        for key in ("pct_destr", "pct_damag"):
            value = rows[compound][key]
            assert ("–" if value is None else f"{value:.1f} %") in text
    table_line = next(line for line in text.splitlines() if "North barracks (C-0002)" in line)
    assert re.search(r"5\s+4\s+2\s+0\s+0\s+0\s+2\s+1\s+50\.0 %\s+50\.0 %\s+2", table_line)
    assert re.search(r"Whole site\s+12\s+11\s+3", text)


def test_rendered_page_shows_both_image_panels(report, tmp_path):
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-singlefile", str(report), str(tmp_path / "page")], check=True)
    pixels = gdal.Open(str(tmp_path / "page.png")).ReadAsArray().astype(float)[:3]
    assert pixels.std() > 20, "the page is blank"
    scale = pixels.shape[2] / PAGE_MM[0]
    panels = {}
    for key, (x0, y0, x1, y1) in PANELS_MM.items():
        rows = slice(round((y0 + 8) * scale), round((y1 - 8) * scale))
        inside = pixels[:, rows, round((x0 + 8) * scale):round((x1 - 8) * scale)]
        panels[key] = inside
        red, _green, blue = (band.mean() for band in inside)
        assert 100 < red < 220 and blue < red, f"{key} panel does not show the desert image"
        assert inside.std() > 15, f"{key} panel is flat"
    assert np.abs(panels["before"] - panels["after"]).mean() > 3, "the panels show the same picture"


def test_scheme_names_reach_the_legend(site, tmp_path):
    result = export_assessment(site, ExportRequest(str(tmp_path / "ems"), AFTER, BEFORE, formats=("CSV",),
                                                   report=True, scheme="ems"))
    text = subprocess.run(["pdftotext", str(result.report), "-"], capture_output=True, text=True, check=True).stdout
    assert "Possibly damaged (Possible damage)" in text


def test_chart_is_an_image_of_the_requested_size(site, tmp_path):
    path = write_chart(compound_statistics(site, AFTER, BEFORE).rows, tmp_path / "chart.png", 100, 80, dpi=100)
    image = gdal.Open(str(path)).ReadAsArray()
    assert image.shape[1:] == (round(80 * 100 / 25.4), round(100 * 100 / 25.4))
    destroyed = np.array([0x7a, 0x0a, 0x0a])
    assert (np.abs(image[:3].transpose(1, 2, 0).astype(int) - destroyed).sum(axis=2) < 10).sum() > 50


def test_one_page_per_compound_with_structures(site, tmp_path):
    result = export_assessment(site, ExportRequest(str(tmp_path / "out"), AFTER, BEFORE, formats=("CSV",),
                                                   report=True, compound_pages=True))
    pages = result.folder / "Tall_Hamdan_site_2020-01-08_report_compounds.pdf"
    info = subprocess.run(["pdfinfo", str(pages)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+2\b", info), "one page each for the two compounds with structures"
    first, second = (plain(subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pages), "-"],
                                          capture_output=True, text=True, check=True).stdout) for n in (1, 2))
    assert "C-0001" in first and "ḤAMDĀN DEPOT" in first and "قاعدة" in first and "% destroyed: 16.7 %" in first
    assert "NORTH BARRACKS (C-0002)" in second and "Destroyed: 2" in second and "% destroyed: 50.0 %" in second
    assert "not field validated" in first and "Empty yard" not in first + second
