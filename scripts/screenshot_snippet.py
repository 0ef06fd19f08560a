"""Run inside QGIS by scripts/screenshot.sh: open the sample assessment, register its two
images through the Imagery panel, pick the pair and show the swipe on a compound."""

import os
from collections import Counter
from pathlib import Path

from qgis.core import QgsProject, QgsRectangle
from qgis.PyQt.QtCore import QTimer
from qgis.utils import plugins

from sitewatch.core.imagery.registry import list_images, remove_image
from sitewatch.ui.compare.canvas_overlay import CompareMode
from sitewatch.ui.imagery.part import ImageryPart

folder = Path(os.environ["SITEWATCH_SAMPLE_DIR"])
plugin = plugins["sitewatch"]
session = plugin.context.session
store = session.open(str(folder / "screenshot_site.gpkg"))
part = next(p for p in plugin.parts if isinstance(p, ImageryPart))
for record in list_images(store):  # start from no image, as an analyst does
    remove_image(store, record.image_id)
part.reload()
part.add_paths([str(next(folder.glob("sample_before_*.tif"))), str(next(folder.glob("sample_after_*.tif")))])
for record in list_images(store):
    sensor = "SIM-1" if record.acquired < "2020" else "SIM-2"
    part.edit(record.image_id, "source", "Synthetic sample")
    part.edit(record.image_id, "sensor", sensor)
part.set_mode(CompareMode.SWIPE)
canvas = iface.mapCanvas()  # noqa: F821 - given by qgis-screenshot
# zoom on the compound with the most destroyed structures, the divider across it
destroyed = [o.structure_id for o in store.observations() if o.status == "destroyed"]
by_compound = Counter(
    f["compound_id"] for f in session.layer("structures").getFeatures() if f["structure_id"] in destroyed
)
target = by_compound.most_common(1)[0][0]
compound = next(f for f in session.layer("compounds").getFeatures() if f["compound_id"] == target)
box = compound.geometry().boundingBox()
centre = box.center()
half = max(box.width(), box.height()) * 1.1


def zoom():
    """After QGIS's own zoom to the first layers added to an empty project (deferred).
    The filled structures are hidden so the images show; compound outlines stay."""
    root = QgsProject.instance().layerTreeRoot()
    root.findLayer(session.layer("structures").id()).setItemVisibilityChecked(False)
    canvas.setExtent(
        QgsRectangle(centre.x() - half * 1.4, centre.y() - half, centre.x() + half * 1.4, centre.y() + half)
    )
    part.comparison.set_divider(0.5)
    canvas.refresh()


QTimer.singleShot(400, zoom)
