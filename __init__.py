"""SiteWatch QGIS plugin."""


def classFactory(iface):  # the name QGIS looks for
    from .plugin import SiteWatchPlugin

    return SiteWatchPlugin(iface)
