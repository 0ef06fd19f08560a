"""SiteWatch domain logic: no widgets, no iface; only qgis.core, numpy and GDAL."""
