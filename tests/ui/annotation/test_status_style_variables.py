"""The status style reads the states from two variables of the canvas (no Python per feature):
an undo back to "not observed" shows it; maps without them fall back to the function."""

from __future__ import annotations

from qgis.core import QgsExpressionContext

from sitewatch.core import values
from sitewatch.tests.helpers.review_site import SQUARES, key_of, press
from sitewatch.ui.annotation.status_style import CHANGED_VARIABLE, STATUSES_VARIABLE


def outline_colour(canvas, structure_id: str) -> str:
    from qgis.core import QgsMapRendererSequentialJob
    from qgis.PyQt.QtGui import QColor

    x, y = SQUARES[structure_id]
    settings = canvas.mapSettings()
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    point = settings.mapToPixel().transform(x, y + 10)
    return QColor(job.renderedImage().pixel(round(point.x()), round(point.y()))).name()


def test_an_undone_state_goes_back_to_not_observed(part):
    canvas = part.canvas
    assert outline_colour(canvas, "S-0003") == "#ffffff"  # never observed: white outline
    part.controller.select("S-0003")
    press(part.activate("review"), key_of("severe"))
    assert outline_colour(canvas, "S-0003") == values.STATUS_BY_CODE["severe"].colour
    part.controller.undo()
    assert outline_colour(canvas, "S-0003") == "#ffffff"
    part.controller.redo()
    assert outline_colour(canvas, "S-0003") == values.STATUS_BY_CODE["severe"].colour


def test_the_canvas_holds_the_states_and_other_maps_fall_back_to_the_function(part):
    """The canvas draws from its scope's variables; a map without them (a print layout) gets
    the same colours through sitewatch_status()."""
    from qgis.core import QgsMapRendererSequentialJob, QgsMapSettings
    from qgis.PyQt.QtGui import QColor

    canvas = part.canvas
    scope = canvas.expressionContextScope()
    assert scope.variable(STATUSES_VARIABLE) == {"S-0001": "intact", "S-0002": "construction"}
    settings = QgsMapSettings(canvas.mapSettings())
    settings.setExpressionContext(QgsExpressionContext())  # no canvas scope
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    x, y = SQUARES["S-0002"]
    point = settings.mapToPixel().transform(x, y + 10)
    colour = QColor(job.renderedImage().pixel(round(point.x()), round(point.y()))).name()
    assert colour == values.STATUS_BY_CODE["construction"].colour
    part.controller.style.release()
    assert not scope.hasVariable(STATUSES_VARIABLE) and not scope.hasVariable(CHANGED_VARIABLE)
