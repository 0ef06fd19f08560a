"""exportreport CERTIFIED_ONLY: the vector package, tables and PDF of the team's reviewed work
only — the structures of certified work cells — and the summary saying how much that is."""

from __future__ import annotations

import json

import pytest
from osgeo import ogr
from qgis.core import QgsProcessingException

import processing
from sitewatch.core.teamwork.split import split_by_compounds
from sitewatch.tests.helpers.export_site import AFTER, ARABIC_NAME, BEFORE, build_site
from sitewatch.tests.helpers.pdf import pdf_text, plain


def export(location, folder, **extra):
    parameters = {"ASSESSMENT": location, "AFTER_DATE": AFTER, "BEFORE_DATE": BEFORE, "OUTPUT_FOLDER": str(folder)}
    return processing.run("sitewatch:exportreport", {**parameters, **extra})


def exported_structures(folder):
    package = next(folder.glob("*.gpkg"))
    dataset = ogr.Open(str(package))
    return sorted(f["struct_id"] for f in dataset.GetLayerByName("structures"))


@pytest.fixture
def reviewed(tmp_path):
    """The export site split by compounds, the cell of compound C-0001 certified."""
    store = build_site(tmp_path / "site")
    split_by_compounds(store)
    first = next(cell for cell in store.work_cells() if cell.name == ARABIC_NAME)
    store.change_cell(first.cell_id, "assign", "Lead", assignee="Ann")
    store.change_cell(first.cell_id, "submit", "Ann")
    store.change_cell(first.cell_id, "certify", "Bob")
    return store, first


def test_only_certified_structures_are_exported_and_the_pdf_says_how_much(sitewatch_provider, reviewed, tmp_path):
    store, first = reviewed
    whole = export(store.location, tmp_path / "whole", REPORT=False)
    everything = exported_structures(tmp_path / "whole")
    result = export(store.location, tmp_path / "certified", CERTIFIED_ONLY=True, REPORT=True)
    kept = exported_structures(tmp_path / "certified")
    assert kept == ["S-0001", "S-0002", "S-0003", "S-0004", "S-0005", "S-0006"]  # those of the first compound
    assert len(everything) > len(kept)
    manifest = json.loads((tmp_path / "certified" / "manifest.json").read_text())
    assert manifest["parameters"]["certified_only"] is True
    assert manifest["summary"]["structures"] == len(kept)
    share = 100 * len(kept) / len(everything)
    expected = f"Certified cells only: 1 of 3 cells certified ({share:.1f} % of structures)."
    assert expected in plain(pdf_text(result["REPORT_PDF"]))
    assert json.loads((tmp_path / "whole" / "manifest.json").read_text())["parameters"]["certified_only"] is False
    assert whole["MANIFEST"]


def test_without_work_cells_the_certified_export_is_refused(sitewatch_provider, tmp_path):
    store = build_site(tmp_path / "site")
    with pytest.raises(QgsProcessingException, match="has no work cells: there is nothing certified"):
        export(store.location, tmp_path / "out", CERTIFIED_ONLY=True, REPORT=False)
    assert not (tmp_path / "out").exists()


def test_the_certified_part_of_a_postgis_copy_exports_the_same(sitewatch_provider, reviewed, pg_location, tmp_path):
    store, _ = reviewed
    processing.run("sitewatch:copyassessment", {"ASSESSMENT": store.location, "TARGET": pg_location})
    export(store.location, tmp_path / "from_file", CERTIFIED_ONLY=True, REPORT=False)
    export(pg_location, tmp_path / "from_database", CERTIFIED_ONLY=True, REPORT=False)
    assert exported_structures(tmp_path / "from_database") == exported_structures(tmp_path / "from_file")
    summaries = [
        json.loads((tmp_path / f / "manifest.json").read_text())["summary"] for f in ("from_file", "from_database")
    ]
    assert summaries[0] == summaries[1]
