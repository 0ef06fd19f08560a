"""Imagery: registered images of a site, their acquisition dates, raster layers and overviews."""
