"""Shared by the desk-check snippets run in real QGIS by scripts/desk/run.sh: the sample site
opened as an analyst opens it, waiting while QGIS keeps running, a meter of how long the
interface stops answering, screenshots and the figures file."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QElapsedTimer, QEventLoop, QObject, QTimer
from qgis.PyQt.QtWidgets import QApplication
from qgis.utils import iface, plugins

OUT = os.environ["DESK_OUT"]
FIGURES: dict[str, object] = {"screen": os.environ["DESK_SIZE"]}


def plugin():
    return plugins["sitewatch"]


def part(kind: type):
    return next(p for p in plugin().parts if isinstance(p, kind))


def open_site():
    """The sample assessment opened, its two images registered through the Imagery panel."""
    from sitewatch.core.assessment.store import open_assessment
    from sitewatch.core.imagery.registry import list_images, remove_image
    from sitewatch.ui.imagery.part import ImageryPart

    copied = open_assessment(os.environ["DESK_SITE"])  # its image paths point where it was made
    for record in list_images(copied):
        remove_image(copied, record.image_id)
    del copied
    store = plugin().context.session.open(os.environ["DESK_SITE"])
    imagery = part(ImageryPart)
    sample = Path(os.environ["DESK_SAMPLE"])
    imagery.add_paths([str(next(sample.glob("sample_before_*.tif"))), str(next(sample.glob("sample_after_*.tif")))])
    wait(1.0)
    return store


def wait(seconds: float, until: Callable[[], bool] | None = None) -> bool:
    """Run QGIS's event loop for up to ``seconds`` or until ``until()``; True when it came."""
    loop = QEventLoop()
    deadline = time.monotonic() + seconds
    poll = QTimer()
    poll.setInterval(5)

    def check() -> None:
        if (until is not None and until()) or time.monotonic() > deadline:
            loop.quit()

    poll.timeout.connect(check)
    poll.start()
    loop.exec()
    poll.stop()
    return until() if until is not None else True


def idle() -> None:
    """Until no map renders and no task runs."""
    canvas = iface.mapCanvas()
    wait(60, lambda: not canvas.isDrawing() and not QgsApplication.taskManager().countActiveTasks())
    wait(0.2)


class StallMeter(QObject):
    """Ticks every 10 ms on the interface thread: the longest gap between ticks is the longest
    time QGIS did not answer (input, painting) while it ran."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = QElapsedTimer()
        self.last = 0
        self.gaps: list[int] = []
        self.long_gaps: list[tuple[int, int]] = []
        """(ms since start when the gap ended, its length) of each gap over 200 ms."""
        self.timer = QTimer(self)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.clock.start()
        self.last = 0
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.elapsed()
        self.gaps.append(now - self.last)
        if now - self.last > 200:
            self.long_gaps.append((now, now - self.last))
        self.last = now

    def stop(self) -> dict[str, float]:
        self.timer.stop()
        gaps = sorted(self.gaps) or [0]
        return {
            "ms_total": self.clock.elapsed(),
            "longest_gap_ms": gaps[-1],
            "p95_gap_ms": gaps[int(0.95 * (len(gaps) - 1))],
            "gaps_over_200ms": self.long_gaps,
        }


def shot(name: str) -> str:
    """The main window as shown, saved as OUT_name.png."""
    QApplication.processEvents()
    path = f"{OUT}_{name}.png"
    iface.mainWindow().grab().save(path)
    return path


def save_figures() -> None:
    Path(f"{OUT}.json").write_text(json.dumps(FIGURES, indent=1, default=str))
