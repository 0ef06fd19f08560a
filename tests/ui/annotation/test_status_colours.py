"""Structures drawn in their status colour at the review date, following the temporal controller."""

from __future__ import annotations

from qgis.core import QgsDateTimeRange, QgsMapRendererSequentialJob
from qgis.PyQt.QtCore import QDate, QDateTime, QTime
from qgis.PyQt.QtGui import QColor

from sitewatch.core import values
from sitewatch.tests.helpers.review_site import BEFORE, SQUARES, key_of, press


def outline_colour(canvas, structure_id: str) -> str:
    """The colour drawn on the middle of the structure's left wall (its status outline)."""
    x, y = SQUARES[structure_id]
    return colour_at(canvas, x, y + 10).name()


def colour_at(canvas, x: float, y: float) -> QColor:
    settings = canvas.mapSettings()
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    point = settings.mapToPixel().transform(x, y)
    return QColor(image.pixel(round(point.x()), round(point.y())))


def test_structures_are_drawn_in_their_status_colour_at_the_review_date(part, assessment):
    canvas = part.canvas
    x, y = SQUARES["S-0002"]
    assert outline_colour(canvas, "S-0002") == values.STATUS_BY_CODE["construction"].colour
    part.controller.select("S-0002")
    tool = part.activate("review")
    press(tool, key_of("destroyed"))
    assert outline_colour(canvas, "S-0002") == values.STATUS_BY_CODE["destroyed"].colour
    assert colour_at(canvas, x + 10, y + 10) != colour_at(canvas, 500200, 3000090)  # lightly filled
    press(tool, key_of("absent"))
    assert colour_at(canvas, x, y + 10) == colour_at(canvas, 500200, 3000090)  # hidden: background
    assert colour_at(canvas, x + 10, y + 10) == colour_at(canvas, 500200, 3000090)
    part.context.session.set_pair(BEFORE, None)  # no after image: the map shows the before image's date
    assert outline_colour(canvas, "S-0002") == values.STATUS_BY_CODE["construction"].colour


def test_map_follows_the_temporal_controller_while_it_runs(part, assessment):
    canvas = part.canvas
    part.controller.select("S-0002")
    press(part.activate("review"), key_of("destroyed"))
    assert outline_colour(canvas, "S-0002") == values.STATUS_BY_CODE["destroyed"].colour
    canvas.setTemporalRange(
        QgsDateTimeRange(QDateTime(QDate(2019, 10, 1), QTime(0, 0)), QDateTime(QDate(2019, 10, 2), QTime(0, 0)))
    )
    assert outline_colour(canvas, "S-0002") == values.STATUS_BY_CODE["construction"].colour
    canvas.setTemporalRange(QgsDateTimeRange(QDateTime(), QDateTime()))  # controller stopped: after date
    assert outline_colour(canvas, "S-0002") == values.STATUS_BY_CODE["destroyed"].colour
