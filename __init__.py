"""SiteWatch QGIS plugin."""


def classFactory(iface):  # noqa: N802 - the name QGIS looks for
    from .plugin import SiteWatchPlugin

    return SiteWatchPlugin(iface)
