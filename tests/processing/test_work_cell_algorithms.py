"""sitewatch:workcells and sitewatch:cellstate: a lead splits the site and assigns cells, an
analyst submits, a reviewer certifies or rejects; through processing.run and qgis_process, on a
GeoPackage and on a PostGIS location."""

from __future__ import annotations

import json

import pytest
from qgis.core import QgsProcessingException

import processing
from sitewatch.core.assessment.store import open_assessment
from sitewatch.tests.helpers.damage_site import TWO_COMPOUNDS, box, build
from sitewatch.tests.helpers.import_sources import write_vector

STRUCTURES = [
    ("S-1", "warehouse", box(10, 10, 10)),
    ("S-2", "bunker", box(50, 50, 10)),
    ("S-3", "bunker", box(150, 10, 10)),
]


@pytest.fixture
def site(assessment):
    return build(assessment, TWO_COMPOUNDS, STRUCTURES)


def cell_state(location, cells, action, analyst, **extra):
    parameters = {"ASSESSMENT": location, "CELLS": cells, "ACTION": action, "ANALYST": analyst, **extra}
    return processing.run("sitewatch:cellstate", parameters)


def test_a_grid_over_the_site_then_the_review(sitewatch_provider, site):
    made = processing.run("sitewatch:workcells", {"ASSESSMENT": site.location, "COLUMNS": 2, "ROWS": 1})
    assert (made["CELLS"], made["CELL_IDS"]) == (2, "W-0001,W-0002")
    assert [(c.name, round(c.geometry.area())) for c in site.work_cells()] == [("A1", 10000), ("B1", 10000)]
    assigned = cell_state(site.location, "W-0001,W-0002", "assign", "Lead", ASSIGNEE="Ann")
    assert assigned["STATE"] == "in_progress"
    cell_state(site.location, "W-0001", "submit", "Ann")
    with pytest.raises(QgsProcessingException, match="cannot certify cell W-0001: it is your own work"):
        cell_state(site.location, "W-0001", "certify", "Ann")
    done = cell_state(site.location, "W-0001", "CERTIFY", "Bob")  # action names in any case
    assert (done["STATE"], done["CERTIFIED_CELLS"], done["TOTAL_CELLS"]) == ("certified", 1, 2)
    assert done["SUMMARY"] == "1 of 2 cells certified (66.7 % of structures)"


def test_one_refused_move_leaves_every_cell_as_it_was(sitewatch_provider, site):
    processing.run("sitewatch:workcells", {"ASSESSMENT": site.location, "COLUMNS": 2, "ROWS": 1})
    cell_state(site.location, "W-0002", "assign", "Lead", ASSIGNEE="Ann")
    with pytest.raises(QgsProcessingException, match="W-0002 is in progress: 'assign'|already assigned to Ann"):
        cell_state(site.location, "W-0001,W-0002", "assign", "Lead", ASSIGNEE="Ann")
    assert [c.state for c in site.work_cells()] == ["unassigned", "in_progress"]
    with pytest.raises(QgsProcessingException, match="no work cell W-0009 .*W-0001 to W-0002"):
        cell_state(site.location, "W-0009", "assign", "Lead", ASSIGNEE="Ann")


def test_cells_from_compounds_and_from_polygons(sitewatch_provider, site, tmp_path):
    made = processing.run("sitewatch:workcells", {"ASSESSMENT": site.location, "METHOD": "compounds"})
    assert [c.name for c in site.work_cells()] == ["C-1", "C-2"] and made["CELLS"] == 2
    polygons = write_vector(
        tmp_path / "areas.geojson", "GeoJSON", [{"wkt": box(0, 0, 200, 50), "name": "south strip"}], epsg=32637
    )
    added = processing.run(
        "sitewatch:workcells",
        {"ASSESSMENT": site.location, "METHOD": "polygons", "POLYGONS": str(polygons), "NAME_FIELD": "name"},
    )
    assert added["CELL_IDS"] == "W-0003"
    assert [c.name for c in site.work_cells()] == ["C-1", "C-2", "south strip"]
    with pytest.raises(QgsProcessingException, match="METHOD=polygons needs POLYGONS"):
        processing.run("sitewatch:workcells", {"ASSESSMENT": site.location, "METHOD": "polygons"})


def test_qgis_process_on_a_database_location(qgis_process, site, pg_location):
    qgis_process("run", "sitewatch:copyassessment", "--", f"ASSESSMENT={site.location}", f"TARGET={pg_location}")
    made = qgis_process(
        "run", "sitewatch:workcells", "--json", "--", f"ASSESSMENT={pg_location}", "COLUMNS=2", "ROWS=1"
    )
    assert json.loads(made.stdout)["results"]["CELLS"] == 2
    qgis_process(
        "run",
        "sitewatch:cellstate",
        "--",
        f"ASSESSMENT={pg_location}",
        "CELLS=W-0002",
        "ACTION=assign",
        "ASSIGNEE=Ann",
        "ANALYST=Lead",
    )
    qgis_process(
        "run", "sitewatch:cellstate", "--", f"ASSESSMENT={pg_location}", "CELLS=W-0002", "ACTION=submit", "ANALYST=Ann"
    )
    refused = qgis_process(
        "run",
        "sitewatch:cellstate",
        "--",
        f"ASSESSMENT={pg_location}",
        "CELLS=W-0002",
        "ACTION=reject",
        "ANALYST=Bob",
        check=False,
    )
    assert refused.returncode != 0
    assert (refused.stdout + refused.stderr).count("Say why you reject cell W-0002: a comment is required") == 1
    store = open_assessment(pg_location)
    assert [(t.action, t.analyst) for t in store.cell_transitions()] == [("assign", "Lead"), ("submit", "Ann")]
