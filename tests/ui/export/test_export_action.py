"""The Export for reports action: enabled with an open assessment, dialog prefilled from it."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsSettings
from qgis.PyQt.QtWidgets import QToolBar

import sitewatch
from sitewatch.core.imagery.registry import list_images
from sitewatch.plugin import TOOLBAR_NAME
from sitewatch.tests.helpers.export_site import AFTER, BEFORE, build_site
from sitewatch.tests.helpers.plugin import flush_deletes


def test_action_is_enabled_for_an_open_assessment_and_prefills_its_pair(qgis_iface, qgis_new_project, tmp_path):
    QgsSettings().remove("SiteWatch/export_scheme")
    store = build_site(tmp_path / "site")
    plugin = sitewatch.classFactory(qgis_iface)
    plugin.initGui()
    try:
        toolbar = qgis_iface.mainWindow().findChild(QToolBar, TOOLBAR_NAME)
        action = next(a for a in toolbar.actions() if a.text() == "Export for reports…")
        assert not action.isEnabled() and "PDF" in action.toolTip()
        session = plugin.context.session
        session.open(store.location)
        assert action.isEnabled()
        part = next(p for p in plugin.parts if hasattr(p, "initial_parameters"))
        session.set_pair(None, None)  # no pair chosen: the latest image date, no before date
        assert part.initial_parameters() == {
            "ASSESSMENT": store.location,
            "AFTER_DATE": AFTER,
            "BEFORE_DATE": "",
            "SCHEME": 0,  # the last export's label scheme (none yet: sitewatch's codes)
            "COMPOUND_PAGES": True,  # 3 compounds: pages on
            "OUTPUT_FOLDER": str(Path(store.location).parent / f"Tall_Hamdan_site_{AFTER}_export"),
        }
        before, after = list_images(store)
        session.set_pair(before, after)
        assert (part.initial_parameters()["BEFORE_DATE"], part.initial_parameters()["AFTER_DATE"]) == (BEFORE, AFTER)
        session.close()
        assert not action.isEnabled()
    finally:
        plugin.unload()
        flush_deletes()
