"""Close assessment, and the actions that need an open assessment: disabled until one is opened."""

from __future__ import annotations

from qgis.core import QgsProject

import sitewatch
from sitewatch.tests.helpers.plugin import flush_deletes, part_of
from sitewatch.ui.annotation.part import AnnotationPart


def menu_texts(plugin) -> list[str]:
    return [action.text() for action in plugin.context.menu.actions() if action.text()]


def needing_an_assessment(plugin) -> dict[str, bool]:
    part = part_of(plugin, AnnotationPart)
    actions = (*part.tool_actions.values(), part.undo_action, part.redo_action, part.delete_action)
    return {action.text(): action.isEnabled() for action in actions}


def close_action(plugin):
    return next(action for action in plugin.context.menu.actions() if action.text() == "Close assessment")


def test_close_assessment_removes_its_layers_and_disables_the_tools_until_one_is_opened(
    docked_plugin, assessment, qgis_iface
):
    texts = menu_texts(docked_plugin)
    assert texts.index("Close assessment") == texts.index("Open assessment…") + 1
    needing = needing_an_assessment(docked_plugin)
    assert "Draw footprint" in needing and "Review states" in needing
    assert all(needing_an_assessment(docked_plugin).values())
    part = part_of(docked_plugin, AnnotationPart)
    part.tool_actions["polygon"].trigger()
    assert qgis_iface.mapCanvas().mapTool() is part.tools["polygon"]
    action = close_action(docked_plugin)
    assert action.isEnabled()
    action.trigger()
    session = docked_plugin.context.session
    assert session.store is None
    assert not [
        layer for layer in QgsProject.instance().mapLayers().values() if layer.customProperty("sitewatch/layer")
    ]
    assert not action.isEnabled()
    assert not any(needing_an_assessment(docked_plugin).values())
    assert qgis_iface.mapCanvas().mapTool() is not part.tools["polygon"]
    session.open(str(assessment.path))
    assert action.isEnabled()
    assert all(needing_an_assessment(docked_plugin).values())


def test_a_new_project_disables_the_tools_and_opening_enables_them(docked_plugin, assessment):
    QgsProject.instance().clear()  # File ▸ New project
    assert docked_plugin.context.session.store is None
    assert not close_action(docked_plugin).isEnabled()
    assert not any(needing_an_assessment(docked_plugin).values())
    docked_plugin.context.session.open(str(assessment.path))
    assert close_action(docked_plugin).isEnabled()
    assert all(needing_an_assessment(docked_plugin).values())


def test_without_an_assessment_the_plugin_starts_with_the_tools_disabled(window, qgis_iface, qgis_new_project):
    plugin = sitewatch.classFactory(qgis_iface)
    plugin.initGui()
    try:
        assert not close_action(plugin).isEnabled()
        assert not any(needing_an_assessment(plugin).values())
    finally:
        plugin.unload()
        flush_deletes()
