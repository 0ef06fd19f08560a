"""The plugin loads and unloads in QGIS, leaving exactly one toolbar, menu and provider."""

from __future__ import annotations

from qgis.core import QgsApplication, QgsProject
from qgis.PyQt.QtWidgets import QMenu, QToolBar

import sitewatch
from sitewatch.plugin import MENU_NAME, TOOLBAR_NAME
from sitewatch.tests.helpers.plugin import flush_deletes


def counts(iface) -> tuple[int, int, int]:
    window = iface.mainWindow()
    toolbars = [t for t in window.findChildren(QToolBar, TOOLBAR_NAME)]
    menus = [
        a for a in window.menuBar().actions() if isinstance(a.menu(), QMenu) and a.menu().objectName() == MENU_NAME
    ]
    providers = [p for p in QgsApplication.processingRegistry().providers() if p.id() == "sitewatch"]
    return len(toolbars), len(menus), len(providers)


def test_load_unload_load_leaves_exactly_one_of_each(qgis_iface, qgis_processing):
    assert counts(qgis_iface) == (0, 0, 0)
    plugin = sitewatch.classFactory(qgis_iface)
    plugin.initGui()
    plugin.initProcessing()  # QGIS may call it again: still one provider
    assert counts(qgis_iface) == (1, 1, 1)
    toolbar = qgis_iface.mainWindow().findChild(QToolBar, TOOLBAR_NAME)
    assert [a.text() for a in toolbar.actions()][:2] == ["New assessment…", "Open assessment…"]
    assert all(a.toolTip() for a in toolbar.actions())
    plugin.unload()
    flush_deletes()
    assert counts(qgis_iface) == (0, 0, 0)

    again = sitewatch.classFactory(qgis_iface)
    again.initGui()
    assert counts(qgis_iface) == (1, 1, 1)
    again.unload()
    flush_deletes()
    assert counts(qgis_iface) == (0, 0, 0)


def test_class_factory_does_no_gui_work(qgis_iface):
    before = len(qgis_iface.mainWindow().findChildren(QToolBar))
    plugin = sitewatch.classFactory(qgis_iface)
    assert len(qgis_iface.mainWindow().findChildren(QToolBar)) == before
    assert plugin.provider is None


def test_opening_an_assessment_puts_its_layers_in_the_project(qgis_iface, qgis_new_project, assessment):
    plugin = sitewatch.classFactory(qgis_iface)
    plugin.initGui()
    try:
        store = plugin.context.session.open(str(assessment.path))
        structures = plugin.context.session.layer("structures")
        assert structures.source().startswith(str(store.path))
        assert structures.renderer().type() == "categorizedSymbol"
        assert structures.editorWidgetSetup(structures.fields().indexOf("type")).type() == "ValueMap"
    finally:
        plugin.unload()
        flush_deletes()


def test_closing_reopening_and_clearing_the_project_with_every_part_loaded(qgis_iface, qgis_new_project, assessment):

    plugin = sitewatch.classFactory(qgis_iface)
    plugin.initGui()
    try:
        session = plugin.context.session
        session.open(str(assessment.path))
        session.close()
        assert session.store is None
        assert not [
            layer
            for layer in QgsProject.instance().mapLayers().values()
            if layer.source().startswith(str(assessment.path))
        ]
        session.open(str(assessment.path))
        QgsProject.instance().clear()  # File ▸ New project while an assessment is open
        assert session.store is None
        session.open(str(assessment.path))
        assert session.layer("structures").isValid()
    finally:
        plugin.unload()
        flush_deletes()


def test_toolbar_tooltips_have_no_parentheses(plugin):
    tips = {action.text(): action.toolTip() for action in plugin.context.toolbar.actions() if action.toolTip()}
    assert tips
    assert {text: tip for text, tip in tips.items() if "(" in tip or ")" in tip} == {}
