"""Build a QGIS project for the sample site: its registered images and the assessment layers,
laid out as the SiteWatch plugin lays them out, so the plugin picks them up on opening.

Usage: /usr/bin/python3 scripts/make_demo_project.py SITE_GPKG IMAGE_FOLDER OUT.qgz
(with PYTHONPATH holding .build/pkgroot, as `make demo` sets it). Images whose registered path
no longer resolves (the assessment was copied) are relinked to the file of the same name in
IMAGE_FOLDER.
"""

from __future__ import annotations

import sys
from pathlib import Path

from qgis.core import QgsApplication, QgsProject, QgsReferencedRectangle

from sitewatch.core.imagery.layers import load_image_layer
from sitewatch.core.imagery.registry import list_images, relink_image, resolve_uri
from sitewatch.ui.assessment.session import AssessmentSession
from sitewatch.ui.imagery.part import GROUP_NAME


def main(gpkg: str, image_folder: str, out: str) -> None:
    app = QgsApplication([], False)
    app.initQgis()
    project = QgsProject.instance()
    project.setFileName(out)
    session = AssessmentSession(project)
    store = session.open(gpkg)
    group = project.layerTreeRoot().addGroup(GROUP_NAME)
    for record in list_images(store):
        path = resolve_uri(store, record)
        if not path or not Path(path).is_file():
            record = relink_image(store, record.image_id, str(Path(image_folder) / Path(record.uri).name))
            path = resolve_uri(store, record)
        layer = load_image_layer(path, record)
        project.addMapLayer(layer, False)
        group.insertLayer(0, layer)
    project.setCrs(store.crs())
    extent = session.layer("compounds").extent()
    extent.grow(150)
    project.viewSettings().setDefaultViewExtent(QgsReferencedRectangle(extent, store.crs()))
    if not project.write(out):
        raise SystemExit(f"Cannot write the project {out}: {project.error()}")
    session.unload()
    sys.stdout.write(f"wrote {out}\n")
    app.exitQgis()


if __name__ == "__main__":
    main(*sys.argv[1:4])
