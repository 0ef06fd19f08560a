"""Desk check (issue 18 items 3 and 5) in real QGIS: the analyst's name asked once when an
assessment is first opened, then recorded with a key; a third, later image makes every state
carried forward, which the queue shows as such; after *Score changes* the queue offers its
order by change score. Screenshots OUT_PREFIX_*.png, figures OUT_PREFIX.json."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import desk  # noqa: E402
from osgeo import gdal  # noqa: E402
from qgis.core import QgsApplication, QgsSettings  # noqa: E402
from qgis.PyQt.QtCore import QTimer  # noqa: E402
from qgis.PyQt.QtWidgets import QApplication, QDockWidget, QInputDialog  # noqa: E402

from sitewatch.core.assessment.store import open_assessment  # noqa: E402
from sitewatch.core.imagery.registry import list_images, remove_image  # noqa: E402
from sitewatch.ui.annotation.part import AnnotationPart  # noqa: E402
from sitewatch.ui.assessment.actions import AssessmentActions  # noqa: E402
from sitewatch.ui.imagery.part import ImageryPart  # noqa: E402
from sitewatch.ui.scoring.change_score_action import ChangeScoreAction  # noqa: E402

QgsSettings().remove("SiteWatch/analyst")  # a new analyst
asked = []


def answer() -> None:
    dialog = QApplication.activeModalWidget()
    if isinstance(dialog, QInputDialog):
        dialog.grab().save(f"{desk.OUT}_name_question.png")
        asked.append(dialog.labelText())
        dialog.setTextValue("A. Analyst")
        dialog.accept()
    else:
        QTimer.singleShot(200, answer)


copied = open_assessment(os.environ["DESK_SITE"])
for record in list_images(copied):
    remove_image(copied, record.image_id)
del copied
QTimer.singleShot(500, answer)
desk.part(AssessmentActions).open_path(os.environ["DESK_SITE"])
desk.FIGURES["name_question"] = asked
imagery = desk.part(ImageryPart)
sample = Path(os.environ["DESK_SAMPLE"])
later = Path(os.environ["DESK_SITE"]).parent / "sample_after_2020-03-01.tif"
gdal.Translate(
    str(later), str(next(sample.glob("sample_after_*.tif"))), metadataOptions=["TIFFTAG_DATETIME=2020:03:01 09:30:00"]
)
imagery.add_paths(
    [str(next(sample.glob("sample_before_*.tif"))), str(next(sample.glob("sample_after_*.tif"))), str(later)]
)
desk.wait(1.0)
records = {r.acquired: r.image_id for r in list_images(imagery.store())}
imagery.choose_pair(records["2020-01-08"], records["2020-03-01"])
annotation = desk.part(AnnotationPart)
queue = desk.iface.mainWindow().findChild(QDockWidget, "SiteWatchReviewQueue")
queue.show()
annotation.activate("review")
annotation.controller.step(1)
desk.idle()
model = queue.model
desk.FIGURES["queue_rows_carried"] = [
    [str(model.data(model.index(row, column))) for column in range(model.columnCount())] for row in range(3)
]
desk.shot("carried")
from qgis.PyQt.QtCore import Qt  # noqa: E402
from qgis.PyQt.QtTest import QTest  # noqa: E402

QTest.keyClick(desk.iface.mapCanvas(), Qt.Key.Key_4)
desk.wait(0.3)
current = annotation.controller.current
desk.FIGURES["recorded"] = [
    [o.structure_id, o.observed_on, o.status, o.analyst]
    for o in imagery.store().observations([current])
    if o.observed_on == "2020-03-01"
]
desk.part(ChangeScoreAction).action.trigger()
desk.wait(
    120, lambda: desk.part(ChangeScoreAction).task is None and not QgsApplication.taskManager().countActiveTasks()
)
desk.wait(1.0)
desk.FIGURES["order_after_scoring"] = queue.order.currentText()
desk.FIGURES["messages"] = [item.text() for item in desk.iface.messageBar().items() if hasattr(item, "text")]
desk.FIGURES["queue_rows_scored"] = [
    [str(model.data(model.index(row, column))) for column in range(model.columnCount())] for row in range(3)
]
desk.shot("scored")
desk.save_figures()
