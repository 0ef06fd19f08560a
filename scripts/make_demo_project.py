"""Build a QGIS project for the sample site: before/after images and the assessment layers.

Usage: /usr/bin/python3 scripts/make_demo_project.py SITE_GPKG BEFORE_TIF AFTER_TIF OUT.qgz
(with PYTHONPATH holding .build/pkgroot, as `make demo` sets it).
"""

from __future__ import annotations

import sys

from qgis.core import (
    QgsApplication,
    QgsContrastEnhancement,
    QgsProject,
    QgsRasterLayer,
    QgsReferencedRectangle,
)

from sitewatch.ui.session import AssessmentSession


def add_image(project: QgsProject, path: str, name: str) -> QgsRasterLayer:
    layer = QgsRasterLayer(path, name)
    if not layer.isValid():
        raise SystemExit(f"Cannot open the image {path}")
    layer.setContrastEnhancement(QgsContrastEnhancement.ContrastEnhancementAlgorithm.StretchToMinimumMaximum)
    project.addMapLayer(layer)
    return layer


def main(gpkg: str, before: str, after: str, out: str) -> None:
    app = QgsApplication([], False)
    app.initQgis()
    project = QgsProject.instance()
    project.setFileName(out)
    add_image(project, before, "before")
    add_image(project, after, "after")
    session = AssessmentSession(project)
    store = session.open(gpkg)
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
    main(*sys.argv[1:5])
