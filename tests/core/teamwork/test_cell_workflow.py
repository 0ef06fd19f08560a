"""The work split and review of a team (GeoQ / HOT Tasking Manager style), the same on a
GeoPackage and in PostGIS: cells made, assigned, submitted, certified or rejected with a
comment, every transition recorded with who and when, and no one certifying their own cell."""

from __future__ import annotations

import pytest

from sitewatch.core.errors import SiteWatchError
from sitewatch.core.teamwork.coverage import coverage
from sitewatch.core.teamwork.making import grid_cells

from .conftest import SITE


def structures(store):
    return [(f["structure_id"], f.geometry()) for f in store.layer("structures").getFeatures()]


def test_a_grid_makes_named_unassigned_cells_readable_as_a_layer(team):
    cells = team.store.work_cells()
    assert [(c.cell_id, c.name, c.state, c.assignee) for c in cells] == [
        ("W-0001", "A1", "unassigned", None),
        ("W-0002", "B1", "unassigned", None),
    ]
    assert [round(c.geometry.area()) for c in cells] == [10000, 10000]
    layer = team.store.layer("work_cells")
    assert sorted(f["state"] for f in layer.getFeatures()) == ["unassigned", "unassigned"]


def test_the_whole_workflow_is_recorded_with_who_and_when(team):
    team.as_("Lead").change_cell("W-0001", "assign", "Lead", assignee="Ann")
    team.as_("Ann").change_cell("W-0001", "submit", "Ann")
    rejected = team.as_("Bob").change_cell("W-0001", "reject", "Bob", comment="S-0002 is missed")
    assert (rejected.state, rejected.assignee, rejected.comment, rejected.changed_by) == (
        "in_progress",
        "Ann",
        "S-0002 is missed",
        "Bob",
    )
    team.as_("Ann").change_cell("W-0001", "submit", "Ann")
    certified = team.as_("Bob").change_cell("W-0001", "certify", "Bob")
    assert certified.state == "certified"
    history = team.store.cell_transitions("W-0001")
    assert [(t.action, t.from_state, t.to_state, t.analyst) for t in history] == [
        ("assign", "unassigned", "in_progress", "Lead"),
        ("submit", "in_progress", "awaiting_review", "Ann"),
        ("reject", "awaiting_review", "in_progress", "Bob"),
        ("submit", "in_progress", "awaiting_review", "Ann"),
        ("certify", "awaiting_review", "certified", "Bob"),
    ]
    assert history[2].comment == "S-0002 is missed"
    assert all(t.at and t.account for t in history)
    assert [t.at for t in history] == sorted(t.at for t in history)
    assert team.store.cell_transitions("W-0002") == []


def test_no_one_certifies_their_own_cell(team):
    team.as_("Lead").change_cell("W-0002", "assign", "Lead", assignee="Ann")
    team.as_("Ann").change_cell("W-0002", "submit", "Ann")
    with pytest.raises(SiteWatchError, match="cannot certify cell W-0002: it is your own work"):
        team.as_("ann").change_cell("W-0002", "certify", "ann")  # names compare without case
    assert team.store.work_cells()[1].state == "awaiting_review"
    assert [t.action for t in team.store.cell_transitions()] == ["assign", "submit"]


@pytest.mark.parametrize(
    ("steps", "action", "message"),
    [
        ([], "submit", "W-0001 is unassigned: 'submit' applies only to a cell that is in progress"),
        ([], "certify", "'certify' applies only to a cell that is awaiting review"),
        ([("assign", "Lead", "Ann")], "submit_by_bob", "assigned to Ann: only they send it for review"),
        ([("assign", "Lead", "Ann"), ("submit", "Ann", None)], "reject", "a comment is required"),
        ([], "assign", "Name the analyst"),
        ([], "promote", "'promote' is not a work cell action"),
    ],
)
def test_refused_moves_say_why_and_change_nothing(team, steps, action, message):
    for step, who, assignee in steps:
        team.as_(who).change_cell("W-0001", step, who, assignee=assignee)
    before = team.store.cell_transitions()
    with pytest.raises(SiteWatchError, match=message):
        if action == "submit_by_bob":
            team.as_("Bob").change_cell("W-0001", "submit", "Bob")
        else:
            team.as_("Bob").change_cell("W-0001", action, "Bob")
    assert team.store.cell_transitions() == before


def test_reassigning_unassigning_and_reopening(team):
    team.as_("Lead").change_cell("W-0001", "assign", "Lead", assignee="Ann")
    assert team.as_("Lead").change_cell("W-0001", "assign", "Lead", assignee="Carl").assignee == "Carl"
    assert team.as_("Lead").change_cell("W-0001", "unassign", "Lead").assignee is None
    team.as_("Lead").change_cell("W-0001", "assign", "Lead", assignee="Ann")
    team.as_("Ann").change_cell("W-0001", "submit", "Ann")
    team.as_("Bob").change_cell("W-0001", "certify", "Bob")
    with pytest.raises(SiteWatchError, match="comment is required"):
        team.as_("Bob").change_cell("W-0001", "reopen", "Bob")
    reopened = team.as_("Bob").change_cell("W-0001", "reopen", "Bob", comment="new image of 2024-06-01")
    assert (reopened.state, reopened.assignee) == ("in_progress", "Ann")


def test_cells_with_work_in_them_are_never_replaced(team):
    team.as_("Lead").change_cell("W-0002", "assign", "Lead", assignee="Ann")
    with pytest.raises(SiteWatchError, match="1 work cell.*already assigned or reviewed .W-0002.*never replaced"):
        team.store.add_work_cells(grid_cells(SITE, 4, 2), replace=True)
    assert len(team.store.work_cells()) == 2
    with pytest.raises(SiteWatchError, match="W-0001 already exists"):
        team.store.add_work_cells(grid_cells(SITE, 1, 1))
    team.as_("Lead").change_cell("W-0002", "unassign", "Lead")
    assert team.store.add_work_cells(grid_cells(SITE, 4, 2), replace=True) == 8
    assert [c.name for c in team.store.work_cells()][:4] == ["A1", "B1", "C1", "D1"]


def test_coverage_counts_structures_in_certified_cells(team):
    assert coverage(team.store.work_cells(), structures(team.store)).sentence() == (
        "0 of 2 cells certified (0.0 % of structures)"
    )
    team.as_("Lead").change_cell("W-0001", "assign", "Lead", assignee="Ann")
    team.as_("Ann").change_cell("W-0001", "submit", "Ann")
    team.as_("Bob").change_cell("W-0001", "certify", "Bob")
    covered = coverage(team.store.work_cells(), structures(team.store))
    assert covered.sentence() == "1 of 2 cells certified (66.7 % of structures)"
    assert covered.certified_structures == {"S-0001", "S-0002"}
