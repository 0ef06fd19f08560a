"""Work cells on the desktop: the Cells dock moves cells as the analyst named in the settings
(and refuses a self-certification with a clear message), the Damage panel can count only the
certified cells' structures and says how much is certified, and the review queue filters "my
cells" and "to review"."""

from __future__ import annotations

import pytest
from qgis.core import Qgis

from sitewatch.core.teamwork.split import split_by_grid
from sitewatch.tests.helpers.damage_site import TWO_COMPOUNDS, box, build
from sitewatch.tests.helpers.plugin import part_of, wait_until_idle
from sitewatch.tests.helpers.review_site import messages
from sitewatch.ui import settings
from sitewatch.ui.annotation.part import AnnotationPart
from sitewatch.ui.damage.part import DamagePanel
from sitewatch.ui.teamwork.part import CellsPart


@pytest.fixture
def team_plugin(load_plugin, assessment):
    """Compound C-1 (west, S-1 destroyed, S-3) and C-2 (east, S-2), split in two cells: W-0001
    over C-1, W-0002 over C-2."""
    build(
        assessment,
        TWO_COMPOUNDS,
        [
            ("S-1", "warehouse", box(10, 10, 10)),
            ("S-2", "bunker", box(110, 10, 20)),
            ("S-3", "bunker", box(50, 50, 10)),
        ],
        [("S-1", "2020-01-08", "destroyed"), ("S-2", "2020-01-08", "destroyed")],
    )
    split_by_grid(assessment, 2, 1)
    plugin = load_plugin()
    part_of(plugin, CellsPart).dock.show()
    return plugin


def states(dock):
    return [(cell.cell_id, cell.state, cell.assignee) for cell in dock.cells]


def as_analyst(name):
    settings.set_analyst_name(name)


def test_take_submit_and_a_self_certification_refused(team_plugin, qgis_iface):
    dock = part_of(team_plugin, CellsPart).dock
    assert dock.summary.text() == "0 of 2 cells certified (0.0 % of structures)"
    as_analyst("Ann")
    dock.select(["W-0001"])
    dock.move("take")
    dock.move("submit")
    assert states(dock) == [("W-0001", "awaiting_review", "Ann"), ("W-0002", "unassigned", None)]
    dock.move("certify")
    assert "You cannot certify cell W-0001: it is your own work" in messages(qgis_iface, Qgis.MessageLevel.Warning)
    assert states(dock)[0][1] == "awaiting_review"
    as_analyst("Bob")
    dock.move("reject", comment="S-3 is not assessed")
    assert states(dock)[0] == ("W-0001", "in_progress", "Ann")
    assert dock.table.item(0, 5).text() == "S-3 is not assessed"
    as_analyst("Ann")
    dock.move("submit")
    as_analyst("Bob")
    dock.move("certify")
    assert dock.summary.text() == "1 of 2 cells certified (66.7 % of structures)"
    store = team_plugin.context.session.store
    assert [(t.action, t.analyst) for t in store.cell_transitions("W-0001")] == [
        ("assign", "Ann"),
        ("submit", "Ann"),
        ("reject", "Bob"),
        ("submit", "Ann"),
        ("certify", "Bob"),
    ]


def test_the_damage_panel_counts_certified_cells_only_when_asked(team_plugin, assessment):
    damage = part_of(team_plugin, DamagePanel).dock
    damage.show()
    wait_until_idle(damage)
    assert (damage.table.site.n_struct, damage.table.site.n_destroy) == (3, 2)
    row = part_of(team_plugin, CellsPart).certified_only
    assert row.isVisible() and row.label.text() == "0 of 2 cells certified (0.0 % of structures)"
    for action, who, extra in (("assign", "Lead", {"assignee": "Ann"}), ("submit", "Ann", {}), ("certify", "Bob", {})):
        assessment.change_cell("W-0002", action, who, **extra)
    part_of(team_plugin, CellsPart).dock.reload()
    assert row.label.text() == "1 of 2 cells certified (33.3 % of structures)"
    row.check.setChecked(True)
    wait_until_idle(damage)
    assert (damage.table.site.n_struct, damage.table.site.n_destroy) == (1, 1)  # S-2 only
    row.check.setChecked(False)
    wait_until_idle(damage)
    assert damage.table.site.n_struct == 3


def test_the_review_queue_filters_my_cells_and_cells_to_review(team_plugin, assessment):
    annotation = part_of(team_plugin, AnnotationPart)
    queue = annotation.dock
    assessment.change_cell("W-0001", "assign", "Lead", assignee="Ann")
    assessment.change_cell("W-0002", "assign", "Lead", assignee="Carl")
    assessment.change_cell("W-0002", "submit", "Carl")
    as_analyst("Ann")
    queue.cells.setCurrentIndex(queue.cells.findData("mine"))
    assert sorted(annotation.controller.queue.ids) == ["S-1", "S-3"]
    queue.cells.setCurrentIndex(queue.cells.findData("to_review"))
    assert annotation.controller.queue.ids == ["S-2"]
    as_analyst("Carl")
    queue.apply_filters()
    assert annotation.controller.queue.ids == []  # his own cell is not his to review
    queue.cells.setCurrentIndex(0)
    assert len(annotation.controller.queue.ids) == 3


def test_the_cells_are_on_the_map_by_state_and_leave_with_the_assessment(team_plugin, assessment):
    part = part_of(team_plugin, CellsPart)
    project = team_plugin.context.session.project
    layer = project.mapLayer(part.map_layer.layer_id)
    assert layer.name() == "work cells" and layer.featureCount() == 2
    assert layer.renderer().classAttribute() == "state"
    group = project.layerTreeRoot().findLayer(layer.id()).parent()
    assert group.name().startswith("SiteWatch:")
    as_analyst("Ann")
    part.dock.select(["W-0002"])
    part.dock.move("take")
    assert sorted(f["state"] for f in layer.getFeatures()) == ["in_progress", "unassigned"]
    team_plugin.context.session.close()
    assert part.map_layer.layer_id is None
    assert not [g for g in project.layerTreeRoot().findGroups() if g.name().startswith("SiteWatch:")]
