"""The PDF map product: opens, has its pages, its text is searchable, both panels show imagery."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsPrintLayout,
    QgsProject,
    QgsReadWriteContext,
)
from qgis.PyQt.QtXml import QDomDocument

from sitewatch.core import values
from sitewatch.core.export.package import (
    COMPOUND_PAGES_UP_TO,
    ExportRequest,
    compound_pages_wanted,
    export_assessment,
)
from sitewatch.core.export.report.chart import chart_rows, write_chart
from sitewatch.core.export.report.map_product import UNOBSERVED, legend_name
from sitewatch.core.export.report.template import TABLE_HEADERS, TEMPLATE
from sitewatch.core.export.stats import compound_statistics
from sitewatch.tests.helpers.export_site import AFTER, ARABIC_NAME, BEFORE
from sitewatch.tests.helpers.pdf import (
    LEGEND_MM,
    OVERVIEW_MM,
    PAGE_MM,
    PANELS_MM,
    TABLE_MM,
    area_lines,
    pdf_text,
    plain,
    render,
    words,
)

ITEM_IDS = (
    "title",
    "subtitle",
    "caveat",
    "before_map",
    "after_map",
    "before_header",
    "after_header",
    "overview_map",
    "legend",
    "scale_bar",
    "north_arrow",
    "compound_table",
    "damage_chart",
    "notes",
)


@pytest.fixture(scope="module")
def report(site, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report") / "out"
    result = export_assessment(site, ExportRequest(str(folder), AFTER, BEFORE, formats=("CSV",), report=True))
    assert result.report is not None
    return result.report


@pytest.mark.parametrize("scheme", values.SCHEMES)
def test_legend_names_are_unique_and_never_repeat_themselves(scheme):
    codes = [s.code for s in values.STATUSES if s.code != "absent"] + [UNOBSERVED]
    names = [legend_name(code, scheme) for code in codes]
    assert len(set(names)) == len(names), names
    for name in names:
        repeated = re.fullmatch(r"(.+) \((.+)\)", name)
        assert not repeated or repeated[1].casefold() != repeated[2].casefold(), name
    assert legend_name("intact", "unosat") == "No Visible Damage"
    assert legend_name("severe", "ems") == "Damaged (Severe damage)"
    assert legend_name("unknown", "ems") == "Not analysed (Unknown)"


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
    text = plain(
        subprocess.run(["pdftotext", "-layout", str(report), "-"], capture_output=True, text=True, check=True).stdout
    )
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
    assert f"BEFORE · {BEFORE} · Airbus Pléiades · PHR1A" in text
    assert f"AFTER · {AFTER} · Maxar WorldView-3 · WV03" in text
    assert "image of" not in text, "the images are dated on the panels' dates"
    table_line = next(line for line in text.splitlines() if "North barracks (C-0002)" in line)
    assert re.search(r"5\s+4\s+2\s+0\s+0\s+0\s+2\s+0\s+1\s+50\.0 %\s+50\.0 %\s+2", table_line)
    assert re.search(r"Whole site\s+12\s+11\s+3", text)


def test_compound_table_rows_add_up_to_their_structures(site, report):
    """Every structure counts in exactly one status column, "Under construction" included."""
    lines = area_lines(report, TABLE_MM)
    header = " ".join(lines[:3])
    assert values.STATUS_BY_CODE["construction"].label.split()[-1] in header, lines
    statuses = len(TABLE_HEADERS) - 6  # all but Compound, Structures, Assessed and the last three
    number = r"(?:\d+\.\d %|–)"
    row = re.compile(rf"(.+?) (\d+) (\d+)((?: \d+){{{statuses}}}) {number} {number} (?:\d+|–)$")
    rows = {found[1]: found for found in map(row.fullmatch, lines) if found}
    statistics = compound_statistics(site, AFTER, BEFORE)
    expected = {"North barracks (C-0002)", "Empty yard (C-0003)", "Not in a compound", "Whole site"}
    assert expected <= set(rows), lines
    assert len(rows) == 5, lines
    for name, found in rows.items():
        structures, assessed, counts = int(found[2]), int(found[3]), [int(n) for n in found[4].split()]
        assert sum(counts) == structures, (name, counts, structures)
        assert structures - counts[-1] == assessed, (name, counts, assessed)
    site_row = next(r for r in statistics.rows if r["compound"] == "ALL")
    assert site_row["n_constr"] > 0, "the sample site has a structure under construction"
    assert [int(n) for n in rows["Whole site"][4].split()][-2] == site_row["n_constr"]


def test_compound_table_fits_its_frame_with_wide_figures(qgis_new_project):
    layout = QgsPrintLayout(QgsProject.instance())
    document = QDomDocument()
    document.setContent(TEMPLATE.read_text(encoding="utf-8"))
    layout.loadFromTemplate(document, QgsReadWriteContext())
    frame = layout.itemById("compound_table")
    table = frame.multiFrame()
    table.setContents(
        [["Ḥamdān depot — قاعدة (C-0001)", *["1000"] * (len(TABLE_HEADERS) - 4), "100.0 %", "100.0 %", "1000"]]
    )
    table.refresh()
    assert [column.heading() for column in table.columns()] == list(TABLE_HEADERS)
    assert values.STATUS_BY_CODE["construction"].label in TABLE_HEADERS
    width = table.totalSize().width()
    assert width <= TABLE_MM[2] - TABLE_MM[0], f"the table is {width:.1f} mm wide, past its 200 mm column"
    assert frame.pos().x() + width < layout.itemById("damage_chart").pos().x(), "the table runs under the chart"


def test_rendered_page_shows_both_image_panels(report, tmp_path):
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-singlefile", str(report), str(tmp_path / "page")], check=True)
    pixels = gdal.Open(str(tmp_path / "page.png")).ReadAsArray().astype(float)[:3]
    assert pixels.std() > 20, "the page is blank"
    scale = pixels.shape[2] / PAGE_MM[0]
    panels = {}
    for key, (x0, y0, x1, y1) in PANELS_MM.items():
        rows = slice(round((y0 + 8) * scale), round((y1 - 8) * scale))
        inside = pixels[:, rows, round((x0 + 8) * scale) : round((x1 - 8) * scale)]
        panels[key] = inside
        red, _green, blue = (band.mean() for band in inside)
        assert 100 < red < 220 and blue < red, f"{key} panel does not show the desert image"
        assert inside.std() > 15, f"{key} panel is flat"
    assert np.abs(panels["before"] - panels["after"]).mean() > 3, "the panels show the same picture"
    for key, (x0, y0, x1, y1) in PANELS_MM.items():
        for left, right in ((x0 + 0.8, x0 + 2.5), (x1 - 2.5, x1 - 0.8)):
            edge = pixels[
                :, round((y0 + 8) * scale) : round((y1 - 8) * scale), round(left * scale) : round(right * scale)
            ]
            red, _green, blue = (band.mean() for band in edge)
            assert red - blue > 30, f"{key} panel's edge at {left} mm is not image (an empty strip shows)"
    x0, y0, x1, y1 = OVERVIEW_MM
    overview = pixels[:, round(y0 * scale) + 2 : round(y1 * scale) - 2, round(x0 * scale) + 2 : round(x1 * scale) - 2]
    red_x = np.nonzero(((overview[0] > 180) & (overview[1] < 90) & (overview[2] < 90)).any(axis=0))[0]
    assert red_x.size, "no locator frame on the overview"
    assert red_x.max() - red_x.min() < 0.6 * overview.shape[2], "the locator frame fills the overview"


def test_grid_labels_stay_outside_the_panels_outer_sides(report):
    northings = [w for w in words(report) if re.fullmatch(r"3600\d{3}", w[0])]
    eastings = [w for w in words(report) if re.fullmatch(r"500\d{3}", w[0])]
    assert northings and eastings
    before, after = PANELS_MM["before"], PANELS_MM["after"]
    for _text, x0, _y0, x1, _y1 in northings:
        assert x1 <= before[0] or x0 >= after[2], f"a northing label at {x0:.0f}–{x1:.0f} mm is between the panels"
    for _text, _x0, y0, _x1, _y1 in eastings:
        assert y0 >= before[3], "easting labels go below the panels"


def test_legend_shows_each_class_once(report):
    lines = area_lines(report, LEGEND_MM)
    assert "No visible damage" in lines and "Under construction" in lines and "Unknown" in lines, lines
    assert len(set(lines)) == len(lines), lines


def test_scheme_names_reach_the_legend(site, tmp_path):
    result = export_assessment(
        site, ExportRequest(str(tmp_path / "ems"), AFTER, BEFORE, formats=("CSV",), report=True, scheme="ems")
    )
    lines = area_lines(result.report, LEGEND_MM)
    for name in (
        "Possibly damaged (Possible damage)",
        "Damaged (Moderate damage)",
        "Damaged (Severe damage)",
        "No visible damage",
        "Not analysed (Under construction)",
        "Not analysed (Unknown)",
    ):
        assert name in lines, (name, lines)
    assert len(set(lines)) == len(lines), lines


def test_panel_between_image_dates_names_its_image_date(site, tmp_path):
    result = export_assessment(
        site, ExportRequest(str(tmp_path / "mid"), "2019-12-01", BEFORE, formats=("CSV",), report=True)
    )
    text = " ".join(pdf_text(result.report).split())
    assert f"AFTER · status on 2019-12-01, image of {BEFORE} · Airbus Pléiades · PHR1A" in text
    assert f"After: status on 2019-12-01, image of {BEFORE} · Airbus Pléiades · PHR1A" in text


def test_chart_is_an_image_of_the_requested_size(site, tmp_path):
    path = write_chart(compound_statistics(site, AFTER, BEFORE).rows, tmp_path / "chart.png", 100, 80, dpi=100)
    image = gdal.Open(str(path)).ReadAsArray()
    assert image.shape[1:] == (round(80 * 100 / 25.4), round(100 * 100 / 25.4))
    destroyed = np.array([0x7A, 0x0A, 0x0A])
    assert (np.abs(image[:3].transpose(1, 2, 0).astype(int) - destroyed).sum(axis=2) < 10).sum() > 50


def test_one_page_per_compound_with_structures(site, tmp_path):
    result = export_assessment(
        site,
        ExportRequest(
            str(tmp_path / "out"), AFTER, BEFORE, formats=("CSV",), report=True, compound_pages=True, scheme="ems"
        ),
    )
    pages = result.folder / "Tall_Hamdan_site_2020-01-08_report_compounds.pdf"
    info = subprocess.run(["pdfinfo", str(pages)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+2\b", info), "one page each for the two compounds with structures"
    first, second = (
        plain(
            subprocess.run(
                ["pdftotext", "-f", str(n), "-l", str(n), str(pages), "-"], capture_output=True, text=True, check=True
            ).stdout
        )
        for n in (1, 2)
    )
    assert "C-0001" in first and "ḤAMDĀN DEPOT" in first and "قاعدة" in first and "% destroyed: 16.7 %" in first
    assert "NORTH BARRACKS (C-0002)" in second and "Destroyed: 2" in second and "% destroyed: 50.0 %" in second
    assert "not field validated" in first and "Empty yard" not in first + second
    for page in (1, 2):
        text = " ".join(pdf_text(pages, "-f", str(page), "-l", str(page)).split())
        assert f"AFTER · {AFTER} · Maxar WorldView-3 · WV03" in text
        assert "Damaged (Severe damage)" in text and "Compound boundary" in text
        right = max(x1 for _text, _x0, _y0, x1, _y1 in words(pages, page))
        assert right <= 289.5, f"page {page}: text runs to {right:.1f} mm, past the 289 mm margin"


def test_an_empty_compound_gets_a_chart_bar_but_an_empty_unassigned_row_does_not():
    rows = [
        {"compound": "C-0001", "n_struct": 0},
        {"compound": "UNASSIGNED", "n_struct": 0},
        {"compound": "ALL", "n_struct": 0},
    ]
    assert [row["compound"] for row in chart_rows(rows)] == ["C-0001"]


def test_overview_locates_the_site_with_a_graticule_on_its_frame(site, report, tmp_path):
    x0, y0, x1, y1 = OVERVIEW_MM
    latitudes = [
        (float(text[:-2]), wy0, wy1)
        for text, wx0, wy0, _wx1, wy1 in words(report)
        if text.endswith("°N") and x1 <= wx0 <= x1 + 8 and y0 <= wy0 <= y1
    ]
    longitudes = [
        (float(text[:-2]), wx0)
        for text, wx0, wy0, _wx1, _wy1 in words(report)
        if text.endswith("°E") and x0 <= wx0 <= x1 and y1 - 6 <= wy0 <= y1
    ]
    assert len(latitudes) >= 2 and len(longitudes) >= 2, "no graticule labels on the overview's frame"
    centre = site.layer("compounds").extent().center()
    to_wgs84 = QgsCoordinateTransform(site.crs(), QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
    lonlat = to_wgs84.transform(centre)
    assert min(v for v, *_ in latitudes) < lonlat.y() < max(v for v, *_ in latitudes)
    assert min(v for v, _ in longitudes) < lonlat.x() < max(v for v, _ in longitudes)
    # Northwards up the page, eastwards to the right: the labels sit where their lines are.
    assert sorted(latitudes, key=lambda w: w[1], reverse=True) == sorted(latitudes)
    assert sorted(longitudes, key=lambda w: w[1]) == sorted(longitudes)
    pixels = render(report, tmp_path, dpi=100)
    scale = pixels.shape[2] / PAGE_MM[0]
    inset = pixels[
        :3, round(y0 * scale) + 4 : round((y1 - 4) * scale) - 4, round(x0 * scale) + 4 : round(x1 * scale) - 4
    ]
    red, green, blue = (band.astype(int) for band in inset)
    assert ((red > 200) & (green > 170) & (blue < 90)).sum() > 20, "no area of interest (yellow) on the overview"
    image = (red - blue > 30).mean()
    assert 0.03 < image < 0.8, f"the image covers {image:.0%} of the overview: no surroundings to locate it by"


def test_compound_pages_are_on_by_default_up_to_thirty_compounds(report):
    assert (report.parent / "Tall_Hamdan_site_2020-01-08_report_compounds.pdf").is_file()
    request = ExportRequest("out", AFTER, report=True)
    assert compound_pages_wanted(request, COMPOUND_PAGES_UP_TO) and not compound_pages_wanted(request, 31)
    assert compound_pages_wanted(replace(request, compound_pages=True), 500)
    assert not compound_pages_wanted(replace(request, report=False), 3)
    assert not compound_pages_wanted(replace(request, compound_pages=False), 3)
