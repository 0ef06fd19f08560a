"""Shared pieces of the review and annotation tests: the image pair, squares, keys and clicks,
states at the after date, an assessment opened on the test canvas and the whole plugin loaded."""

from __future__ import annotations

from collections.abc import Iterator

from qgis.core import QgsRectangle
from qgis.gui import QgsMapMouseEvent
from qgis.PyQt.QtCore import QCoreApplication, QEvent, QPoint, Qt
from qgis.PyQt.QtGui import QKeyEvent
from qgis.PyQt.QtWidgets import QApplication

import sitewatch
from sitewatch.core import values
from sitewatch.core.assessment.observations import Observation
from sitewatch.core.imagery.registry import ImageRecord
from sitewatch.ui.assessment.session import AssessmentSession

BEFORE = ImageRecord("IMG-0001", "2019-09-01")
AFTER = ImageRecord("IMG-0002", "2020-01-08")
SQUARES = {  # structure_id → (x, y) of its 20 m square's lower left corner; compound C-0001 holds S-0001..3
    "S-0001": (500020, 3000020),
    "S-0002": (500060, 3000020),
    "S-0003": (500020, 3000060),
    "S-0004": (500300, 3000020),
    "S-0005": (500340, 3000020),
}


def square(x: float, y: float, size: float = 20) -> str:
    return f"POLYGON(({x} {y}, {x + size} {y}, {x + size} {y + size}, {x} {y + size}, {x} {y}))"


def add_five_structures(assessment, compound: dict) -> None:
    """``compound`` and the five SQUARES (S-0001..3 warehouses, S-0004..5 bunkers); on the
    before image S-0001 is intact and S-0002 under construction."""
    assessment.add_features("compounds", [compound])
    assessment.add_features(
        "structures",
        [
            {"structure_id": sid, "type": "warehouse" if sid < "S-0004" else "bunker", "geometry": square(x, y)}
            for sid, (x, y) in SQUARES.items()
        ],
    )
    assessment.refresh_compound_ids()
    assessment.record_observations(
        [
            Observation("S-0001", BEFORE.acquired, "intact", BEFORE.image_id, "high", "ana"),
            Observation("S-0002", BEFORE.acquired, "construction", BEFORE.image_id, "medium", "ana"),
        ]
    )


def press(tool, which: Qt.Key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    tool.keyPressEvent(QKeyEvent(QEvent.Type.KeyPress, which, modifiers))


def key_of(status: str) -> Qt.Key:
    return getattr(Qt.Key, f"Key_{values.STATUS_BY_CODE[status].key}")


def at_after(assessment) -> dict[str, tuple]:
    return {
        o.structure_id: (o.status, o.confidence, o.image_id, o.analyst)
        for o in assessment.observations()
        if o.observed_on == AFTER.acquired
    }


def type_key(canvas, which: Qt.Key) -> None:
    """A key typed on the map: the canvas hands it to its map tool, then does its own part."""
    QApplication.sendEvent(canvas, QKeyEvent(QEvent.Type.KeyPress, which, Qt.KeyboardModifier.NoModifier))


def click(tool, x: float, y: float, button=Qt.MouseButton.LeftButton) -> None:
    canvas = tool.canvas()
    point = canvas.getCoordinateTransform().transform(x, y)
    position = QPoint(round(point.x()), round(point.y()))
    for kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease):
        event = QgsMapMouseEvent(canvas, kind, position, button)
        (tool.canvasPressEvent if kind == QEvent.Type.MouseButtonPress else tool.canvasReleaseEvent)(event)


def messages(iface, level) -> str:
    return "\n".join(iface.messageBar().get_messages(level))


def show_on_canvas(
    iface, session: AssessmentSession, assessment, layers: tuple[str, ...], extent: tuple[float, float, float, float]
) -> None:
    """Open ``assessment`` in ``session`` (whose interface parts already exist), show ``layers``
    on the test canvas at ``extent``, choose BEFORE / AFTER and clear the message bar."""
    canvas = iface.mapCanvas()
    canvas.setDestinationCrs(assessment.crs())
    session.open(str(assessment.path))
    canvas.setLayers([session.layer(name) for name in layers])
    canvas.setExtent(QgsRectangle(*extent))
    session.set_pair(BEFORE, AFTER)
    iface.messageBar().clear_messages()


def close(session: AssessmentSession) -> None:
    session.close()
    session.unload()


def loaded_plugin(iface) -> Iterator:
    """The whole plugin, loaded on ``iface`` and unloaded afterwards (a fixture's body)."""
    plugin = sitewatch.classFactory(iface)
    plugin.initGui()
    iface.messageBar().clear_messages()
    yield plugin
    plugin.unload()
    deferred = QEvent.Type.DeferredDelete
    QCoreApplication.sendPostedEvents(None, getattr(deferred, "value", deferred))
