"""Desk check (issue 18 item 9): how long the analyst waits, in real QGIS, from a review key to
the Damage panel showing the new numbers. The sample site is opened, the Damage panel shown
beside the map, the review tool chosen; each repeat posts a status key to the map (as the
keyboard does) and times until the Damage table's row is painted with the new figure.
Figures: OUT_PREFIX.json (ms: key → table refreshed, key → row painted), OUT_PREFIX_damage.png."""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import desk  # noqa: E402
from qgis.PyQt.QtCore import QEvent, QObject, Qt  # noqa: E402
from qgis.PyQt.QtGui import QKeyEvent  # noqa: E402
from qgis.PyQt.QtWidgets import QApplication  # noqa: E402

from sitewatch.core import values  # noqa: E402
from sitewatch.ui.annotation.part import AnnotationPart  # noqa: E402
from sitewatch.ui.damage.part import DamagePanel  # noqa: E402

REPEATS = 20
desk.open_site()
panel = desk.part(DamagePanel)
panel.action.trigger()  # the toolbar button: the panel beside the map
annotation = desk.part(AnnotationPart)
annotation.activate("review")
canvas = desk.iface.mapCanvas()
canvas.setFocus()
desk.idle()
dock = panel.dock


class Clock(QObject):
    """Times one key: when it is posted, when the table was refreshed, when the table's rows
    were painted after that."""

    def __init__(self) -> None:
        super().__init__()
        self.posted = self.refreshed = self.painted = None
        dock.refreshed.connect(self._refreshed)
        dock.grid.viewport().installEventFilter(self)

    def start(self) -> None:
        self.posted, self.refreshed, self.painted = time.perf_counter(), None, None

    def _refreshed(self, _table: object) -> None:
        if self.posted is not None and self.refreshed is None:
            self.refreshed = time.perf_counter()

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint and self.refreshed is not None and self.painted is None:
            self.painted = time.perf_counter()
        return False


clock = Clock()
keys = [values.STATUS_BY_CODE[code].key for code in ("severe", "destroyed", "moderate", "intact")]
to_refresh, to_paint = [], []
for repeat in range(REPEATS):
    annotation.controller.step(1)  # N: the next structure in the queue
    desk.idle()
    key = keys[repeat % len(keys)]
    clock.start()
    QApplication.postEvent(
        canvas, QKeyEvent(QEvent.Type.KeyPress, getattr(Qt.Key, f"Key_{key}"), Qt.KeyboardModifier.NoModifier, key)
    )
    desk.wait(5, lambda: clock.painted is not None)
    if clock.painted is not None:
        to_refresh.append((clock.refreshed - clock.posted) * 1000)
        to_paint.append((clock.painted - clock.posted) * 1000)


def summary(values_ms: list[float]) -> dict[str, float]:
    ordered = sorted(values_ms)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 1),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 1),
        "max_ms": round(ordered[-1], 1),
    }


desk.FIGURES["key_to_damage_table_refreshed"] = summary(to_refresh)
desk.FIGURES["key_to_damage_row_painted"] = summary(to_paint)
desk.FIGURES["repeats"] = REPEATS
desk.shot("damage")
desk.save_figures()
