"""A compound drawn on the map is named by the analyst, or keeps its default name."""

from __future__ import annotations

from qgis.PyQt.QtCore import Qt

from sitewatch.tests.helpers.review_site import click
from sitewatch.ui.annotation.part import COMPOUND


def draw_compound(part, left: float) -> None:
    tool = part.activate("polygon")
    part.type_combo.setCurrentIndex(part.type_combo.findData(COMPOUND))
    for x, y in ((left, 3000000), (left + 80, 3000000), (left + 80, 3000080)):
        click(tool, x, y)
    click(tool, left, 3000080, Qt.MouseButton.RightButton)


def test_a_drawn_compound_is_named_by_the_analyst(part, answers):
    answers.name = "  Depot  "
    draw_compound(part, 500280)
    answers.name = None  # cancelled: the outline is kept with the default name
    draw_compound(part, 500500)
    assert answers.asked == ["Name of compound C-0002: [Compound C-0002]", "Name of compound C-0003: [Compound C-0003]"]
    compounds = part.context.session.layer("compounds")
    names = {f["compound_id"]: f["name"] for f in compounds.getFeatures()}
    assert names == {"C-0001": "Main yard", "C-0002": "Depot", "C-0003": "Compound C-0003"}
    assert part.dock.compound.findText("C-0002 · Depot") > 0
