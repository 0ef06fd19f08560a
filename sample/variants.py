"""Where the sample site lies, its pixel size, and its two variants (desert and green).

A variant fixes everything that differs between the two sample sites: the seed of the layout
and the textures, the file names, the dates and clocks of the two passes, the sun, the after
image's radiometry, noise and grid.
"""

from __future__ import annotations

from dataclasses import dataclass

PIXEL = 0.5
"""Ground sample distance of the before image, in metres."""
DESIGN_EXTENT = 2000.0
"""The layout is designed on a square of this side (metres) and scaled to the site."""
CENTRE_LAT, CENTRE_LON = 34.45, 40.92
EPSG = 32637
"""UTM zone 37N: the CRS of the before image (and of the after image unless its variant says otherwise)."""


@dataclass(frozen=True)
class Variant:
    name: str
    seed: int
    prefix: str
    gpkg_name: str
    site_name: str
    before_date: str
    after_date: str
    before_time: str
    after_time: str
    sun_before: tuple[float, float]
    """Sun azimuth and elevation (degrees) of the before pass."""
    sun_after: tuple[float, float]
    gain_after: tuple[float, float, float]
    offset_after: tuple[float, float, float]
    noise: tuple[float, float]
    """Sensor noise (DN, one sigma) of the before and after images."""
    after_epsg: int
    after_gsd: float
    sensor: str
    # Options of the evaluation suite (bench/evaluation_suite.py); the defaults leave the two
    # sample sites exactly as they were.
    damaged_share: float | None = None
    """Share of the structures moderate or worse (None: the strike of the samples, about 13 %)."""
    scattered: bool = False
    """Damage spread over every compound instead of clustered in the targeted ones."""
    after_shift_px: tuple[float, float] = (0.0, 0.0)
    """Co-registration error of the after image: pixels east and south."""
    roof_brightness: float = 1.0
    """Factor on every roof's colour (0.4: dark roofs whose rubble is brighter than them)."""
    seasonal: float = 0.0
    """Strength of the seasonal change of the ground between the passes (0: none, 1: strong)."""
    clouds: int = 0
    """Cloud and haze patches over the after image."""


VARIANTS: dict[str, Variant] = {
    "desert": Variant(
        "desert",
        20190901,
        "sample",
        "sample_site.gpkg",
        "SiteWatch sample desert base",
        "2019-09-01",
        "2020-01-08",
        "10:32:00",
        "10:41:00",
        (136.0, 50.0),
        (148.0, 39.0),
        (1.09, 1.075, 1.02),
        (3.0, 1.0, -2.0),
        (2.0, 2.6),
        EPSG,
        PIXEL,
        "SIM-1",
    ),
    "green": Variant(
        "green",
        20210417,
        "green",
        "green_site.gpkg",
        "SiteWatch sample farmland base",
        "2021-04-17",
        "2021-06-22",
        "10:18:00",
        "10:47:00",
        (128.0, 58.0),
        (118.0, 71.0),
        (0.95, 0.98, 1.06),
        (-2.0, 1.0, 5.0),
        (2.2, 2.8),
        4326,
        0.7,
        "SIM-2",
    ),
}
