"""Every PDF of an export is written through the export's ``run_layout`` (where print layouts
may live), the data work is not; the compound pages stop when their feedback is canceled, and
a canceled export leaves nothing behind."""

from __future__ import annotations

import pytest
from qgis.core import QgsFeedback

from sitewatch.core.export.package import ExportCanceled, ExportRequest, export_assessment
from sitewatch.tests.helpers.export_site import AFTER, BEFORE


def test_each_pdf_is_one_layout_step(site, tmp_path):
    written = []

    def run_layout(step):
        path = step(QgsFeedback())
        written.append(path.name)
        return path

    request = ExportRequest(str(tmp_path / "out"), AFTER, BEFORE, formats=("CSV",), report=True, compound_pages=True)
    result = export_assessment(site, request, run_layout=run_layout)
    pdfs = sorted(name for name in result.files if name.endswith(".pdf"))
    assert sorted(written) == pdfs
    assert {f"Tall_Hamdan_site_{AFTER}_report.pdf", f"Tall_Hamdan_site_{AFTER}_report_compounds.pdf"} <= set(pdfs)


def test_canceling_the_compound_pages_after_a_page_leaves_no_export(site, tmp_path):
    pages_seen = []

    def run_layout(step):
        pages = QgsFeedback()
        pages.progressChanged.connect(lambda progress: (pages_seen.append(progress), pages.cancel()))
        return step(pages)

    folder = tmp_path / "out"
    request = ExportRequest(str(folder), AFTER, BEFORE, formats=("CSV",), report=True, compound_pages=True)
    with pytest.raises(ExportCanceled):
        export_assessment(site, request, run_layout=run_layout)
    assert pages_seen, "the atlas told of its first page"
    assert not folder.exists() and list(tmp_path.iterdir()) == []
