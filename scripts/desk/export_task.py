"""Desk check (issue 18 item 7): the Export dialog's background export in real QGIS. Opens the
sample site, opens *Export for reports…*, presses its Export button, and while the export runs
measures how long the interface stops answering; ends on the result message. Figures and
screenshots: OUT_PREFIX.json, OUT_PREFIX_*.png (scripts/desk/run.sh)."""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import desk  # noqa: E402
from qgis.PyQt.QtCore import QTimer  # noqa: E402
from qgis.PyQt.QtWidgets import QApplication  # noqa: E402

from sitewatch.core.export.report import compound_pages, map_product, optional_pages  # noqa: E402
from sitewatch.ui.export.action import ExportAction  # noqa: E402

desk.open_site()
desk.idle()
action = desk.part(ExportAction)
pressed = {}
steps: dict[str, float] = {}
for module, name in (
    (map_product, "write_report"),
    (compound_pages, "write_compound_pages"),
    (optional_pages, "write_history_page"),
    (optional_pages, "write_accuracy_page"),
):
    real = getattr(module, name)

    def timed(*args, _real=real, _name=name, **kwargs):
        start = time.perf_counter()
        try:
            return _real(*args, **kwargs)
        finally:
            at = round((time.monotonic() - pressed["at"]) * 1000)
            steps[_name] = {"seconds": round(time.perf_counter() - start, 2), "ended_ms_after_export": at}

    setattr(module, name, timed)


def press_export() -> None:
    dialog = QApplication.activeModalWidget()
    dialog.grab().save(f"{desk.OUT}_dialog.png")
    pressed["at"] = time.monotonic()
    meter.start()
    dialog.runButton().click()


QTimer.singleShot(1500, press_export)
meter = desk.StallMeter()
action.run()  # the dialog, until its Export button is pressed
runs = action.runs
desk.FIGURES["export_started"] = bool(runs)
desk.wait(2.0)
desk.shot("running")
finished = desk.wait(300, lambda: runs[-1].done)
desk.FIGURES["export_finished"] = finished
desk.FIGURES["export_seconds"] = round(time.monotonic() - pressed["at"], 2)
desk.FIGURES["ui_while_exporting"] = meter.stop()
desk.FIGURES["layout_seconds_per_pdf"] = steps
desk.FIGURES["results"] = runs[-1].results
desk.FIGURES["messages"] = [item.text() for item in desk.iface.messageBar().items() if hasattr(item, "text")]
desk.wait(0.5)
desk.shot("done")
desk.save_figures()
