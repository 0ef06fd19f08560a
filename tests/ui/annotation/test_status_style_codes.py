"""The status style draws each feature by one character of a string computed once per render
(no Python per feature, in any map): an undo back to "not observed" shows it, a print layout's
map draws the same colours, and feature ids too large for the string fall back to the
structure-id function with the same colours."""

from __future__ import annotations

from qgis.core import QgsExpressionContext, QgsMapRendererSequentialJob, QgsMapSettings
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

from sitewatch.core import values
from sitewatch.core.annotation.status_codes import MAX_FID
from sitewatch.tests.helpers.review_site import SQUARES, key_of, press
from sitewatch.ui.annotation.status_style import BY_ID_EXPRESSION, codes_expression, status_renderer


def outline_colour(settings: QgsMapSettings, structure_id: str) -> str:
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    x, y = SQUARES[structure_id]
    point = settings.mapToPixel().transform(x, y + 10)
    return QColor(job.renderedImage().pixel(round(point.x()), round(point.y()))).name()


def test_an_undone_state_goes_back_to_not_observed(part):
    canvas = part.canvas
    assert outline_colour(canvas.mapSettings(), "S-0003") == "#ffffff"  # never observed: white outline
    part.controller.select("S-0003")
    press(part.activate("review"), key_of("severe"))
    assert outline_colour(canvas.mapSettings(), "S-0003") == values.STATUS_BY_CODE["severe"].colour
    assert part.controller.style.status_of("S-0003") == "severe"
    part.controller.undo()
    assert outline_colour(canvas.mapSettings(), "S-0003") == "#ffffff"
    assert part.controller.style.status_of("S-0003") is None
    part.controller.redo()
    assert outline_colour(canvas.mapSettings(), "S-0003") == values.STATUS_BY_CODE["severe"].colour


def test_a_map_outside_the_canvas_draws_the_same_states(part):
    """A map rendered with none of the canvas's context (as a print layout's) gets the same colours."""
    settings = QgsMapSettings(part.canvas.mapSettings())
    settings.setExpressionContext(QgsExpressionContext())
    structures = part.controller.session.layer("structures")
    assert (
        structures.renderer().classAttribute()
        == codes_expression(structures)
        == 'substr(sitewatch_status_codes(), "fid" + 1001, 1)'
    )  # the fid column, not $id
    assert outline_colour(settings, "S-0002") == values.STATUS_BY_CODE["construction"].colour
    assert outline_colour(settings, "S-0001") == values.STATUS_BY_CODE["intact"].colour
    assert outline_colour(settings, "S-0003") == "#ffffff"


def test_feature_ids_too_large_for_the_codes_fall_back_to_the_structure_id_function(part):
    controller = part.controller
    layer = controller.session.layer("structures")
    sparse = {**controller.fids, "S-9999": MAX_FID + 1}  # as a file made elsewhere with sparse ids
    controller.style.show(controller.book, controller.display_date(), sparse)
    assert layer.renderer().classAttribute() == BY_ID_EXPRESSION
    assert outline_colour(part.canvas.mapSettings(), "S-0002") == values.STATUS_BY_CODE["construction"].colour
    assert controller.style.status_of("S-0002") == "construction"
    controller.style.show(controller.book, controller.display_date(), controller.fids)
    assert layer.renderer().classAttribute() == codes_expression(layer)
    assert outline_colour(part.canvas.mapSettings(), "S-0002") == values.STATUS_BY_CODE["construction"].colour


def test_absent_is_hidden_with_every_category_ticked_so_qgis_filters_nothing(part):
    """An unticked category would make QGIS filter every feature by a second status look-up."""
    layer = part.controller.session.layer("structures")
    for renderer in (layer.renderer(), status_renderer(by_feature_id=False)):
        assert all(category.renderState() for category in renderer.categories())
        assert renderer.filter(layer.fields()) == ""
        absent = next(c for c in renderer.categories() if c.label() == values.STATUS_BY_CODE["absent"].label)
        icon = absent.symbol().asImage(QSize(16, 16))  # the legend keeps the colour
        assert QColor(icon.pixel(0, 8)).name() == values.STATUS_BY_CODE["absent"].colour[:7]
    settings = QgsMapSettings(part.canvas.mapSettings())
    settings.setExpressionContext(QgsExpressionContext())  # as a print layout's map
    settings.setBackgroundColor(QColor("black"))
    assert outline_colour(settings, "S-0003") == "#ffffff"
    part.controller.select("S-0003")
    press(part.activate("review"), key_of("absent"))
    assert outline_colour(settings, "S-0003") == "#000000"  # hidden
    part.controller.undo()
    assert outline_colour(settings, "S-0003") == "#ffffff"
