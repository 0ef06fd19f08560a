"""Desk check: sitewatch:exportreport run from QGIS's own Processing dialog (the toolbox), which
runs it in a background task: the PDFs are handed to the main thread while the dialog is open;
the export must finish (no wait on each other) and the window keep answering."""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import desk  # noqa: E402

import processing  # noqa: E402

store = desk.open_site()
desk.idle()
folder = Path(store.location).parent / "toolbox_export"
parameters = {
    "ASSESSMENT": store.location,
    "AFTER_DATE": "2020-01-08",
    "BEFORE_DATE": "2019-09-01",
    "REPORT": True,
    "OUTPUT_FOLDER": str(folder),
}
dialog = processing.createAlgorithmDialog("sitewatch:exportreport", parameters)
dialog.show()
meter = desk.StallMeter()
meter.start()
started = time.monotonic()
dialog.runAlgorithm()
done = desk.wait(300, lambda: (folder / "manifest.json").is_file())
desk.wait(1.0)
desk.FIGURES["finished"] = done
desk.FIGURES["seconds"] = round(time.monotonic() - started, 2)
desk.FIGURES["ui"] = meter.stop()
desk.FIGURES["pdfs"] = sorted(p.name for p in folder.glob("*.pdf")) if folder.is_dir() else []
desk.shot("toolbox")
dialog.close()
desk.save_figures()
