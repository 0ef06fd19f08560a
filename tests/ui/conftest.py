"""Fixtures of the interface tests: the main window with real docks and the plugin on a site."""

from __future__ import annotations

import pytest

import sitewatch
from sitewatch.tests.helpers.damage_site import TWO_COMPOUNDS, box, build
from sitewatch.tests.helpers.plugin import flush_deletes, part_of, wait_until_idle
from sitewatch.ui.damage.part import DamagePanel


@pytest.fixture
def window(qgis_iface, monkeypatch):
    """pytest-qgis's main window at 1600×1000, docking widgets as QGIS does (its stub
    ``addDockWidget`` leaves them out of the window)."""
    window = qgis_iface.mainWindow()
    monkeypatch.setattr(qgis_iface, "addDockWidget", lambda area, dock: window.addDockWidget(area, dock))
    monkeypatch.setattr(qgis_iface, "removeDockWidget", window.removeDockWidget)
    size = window.size()
    window.resize(1600, 1000)
    window.show()
    yield window
    window.hide()
    window.resize(size)


@pytest.fixture
def load_plugin(window, qgis_iface, qgis_new_project, assessment):
    """Start the whole plugin in ``window`` with ``assessment`` open."""
    plugins = []

    def load():
        plugin = sitewatch.classFactory(qgis_iface)
        plugin.initGui()
        plugins.append(plugin)
        plugin.context.session.open(str(assessment.path))
        return plugin

    yield load
    for plugin in plugins:
        wait_until_idle(part_of(plugin, DamagePanel).dock)  # no damage task outlives the test
        plugin.unload()
    flush_deletes()


@pytest.fixture
def docked_plugin(load_plugin, assessment):
    """The plugin in ``window`` with two compounds and two structures in the open assessment."""
    build(
        assessment,
        TWO_COMPOUNDS,
        [("S-1", "warehouse", box(10, 10, 10)), ("S-2", "bunker", box(110, 10, 20))],
        [("S-1", "2020-01-08", "destroyed")],
    )
    return load_plugin()
