"""Generate the deterministic synthetic sample site of SiteWatch.

A before and an after GeoTIFF of a (fictitious) military base and its ground-truth
assessment GeoPackage. Everything comes from fixed seeds: running it twice gives
byte-identical GeoTIFFs and a GeoPackage with identical content.

    /usr/bin/python3 -m sitewatch.sample.generate_site OUT_DIR [--variant desert|green] [--size N]

The layout is designed on a 2 km square and scaled to the requested size (pixels stay
0.5 m), so a small test site still has every compound and structure, only smaller.

The ground truth is for evaluation only: the change scorer must never read it.

The work is shared by the modules of this package: :mod:`.variants` (site constants and the
two variants), :mod:`.layout_model` and :mod:`.layout` (the site's design), :mod:`.canvas`,
:mod:`.ground_painting`, :mod:`.painting`, :mod:`.structure_painting` and
:mod:`.damage_painting` (the pixels), :mod:`.raster_io` (the GeoTIFFs) and :mod:`.truth`
(the GeoPackage).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from .canvas import PaintContext
from .ground_painting import paint_ground
from .layout import make_layout
from .layout_model import BERM_OFFSET
from .painting import obscured_structures, paint_image
from .raster_io import site_origin, write_site_image
from .truth import write_truth
from .variants import DESIGN_EXTENT, PIXEL, VARIANTS

OBSCURED_FILE = "obscured.json"
"""Written next to a site with clouds: the ids of the structures they hide (truth, never scored)."""


@dataclass(frozen=True)
class SiteFiles:
    """What :func:`generate_site` wrote."""

    before_tif: Path
    after_tif: Path
    assessment_gpkg: Path
    before_date: str
    after_date: str
    variant: str = "desert"
    before_image_id: str = "IMG-0001"
    after_image_id: str = "IMG-0002"


def generate_site(out_dir, variant: str = "desert", size: int = 4000, seed: int | None = None, **options) -> SiteFiles:
    """Write the before and after GeoTIFFs and the truth GeoPackage of a sample site.

    ``seed`` replaces the variant's own seed: another layout, strike and texture with the same
    look, passes and grids (held-out sites for checking the change scorer's thresholds).
    ``options`` replace other fields of the variant (:class:`.variants.Variant`: the damaged
    share, the after pass's sun, CRS, resolution, shift, clouds…) for the evaluation suite."""
    if variant not in VARIANTS:
        raise ValueError(f"Unknown variant '{variant}'; use one of {', '.join(VARIANTS)}.")
    if size < 400:
        raise ValueError("The sample site needs at least 400 pixels per side.")
    v = VARIANTS[variant] if seed is None else replace(VARIANTS[variant], seed=seed)
    if options:
        v = replace(v, **options)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    scale = size * PIXEL / DESIGN_EXTENT
    layout = make_layout(v).scaled(scale)

    origin = site_origin(size)
    extent = size * PIXEL
    cx, cy = origin[0] + extent / 2, origin[1] - extent / 2

    before_tif = out / f"{v.prefix}_before_{v.before_date}.tif"
    after_tif = out / f"{v.prefix}_after_{v.after_date}.tif"
    ctx = PaintContext(v, layout, size, scale)
    ground = paint_ground(ctx)
    write_site_image(paint_image(ctx, ground, "before"), before_tif, origin, v, "before")
    after = paint_image(ctx, ground, "after")
    del ground
    write_site_image(after, after_tif, origin, v, "after")
    del after

    gpkg = out / v.gpkg_name
    write_truth(gpkg, v, layout, cx, cy, before_tif, after_tif, BERM_OFFSET * scale)
    if v.clouds:  # which structures clouds hide: truth for the evaluation suite only
        (out / OBSCURED_FILE).write_text(json.dumps(obscured_structures(ctx)))
    return SiteFiles(before_tif, after_tif, gpkg, v.before_date, v.after_date, v.name)


def truth_statuses(gpkg_path, date: str) -> dict[str, str]:
    """Truth status of every structure at ``date`` (for evaluating the change scorer only)."""
    from ..core.assessment.geopackage import GeoPackageStore
    from ..core.assessment.status_at import status_at

    return status_at(GeoPackageStore.open(gpkg_path).observations(), date)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m sitewatch.sample.generate_site",
        description="Write SiteWatch's synthetic sample site: before/after GeoTIFFs and the truth GeoPackage.",
    )
    parser.add_argument("out_dir", help="folder to write into (created if missing)")
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="desert")
    parser.add_argument("--size", type=int, default=4000, help="pixels per side (0.5 m each; default 4000)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    files = generate_site(args.out_dir, args.variant, args.size)
    elapsed = time.perf_counter() - started
    statuses = truth_statuses(files.assessment_gpkg, files.after_date)
    counts: dict[str, int] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    print(f"before:     {files.before_tif} ({files.before_date})")
    print(f"after:      {files.after_tif} ({files.after_date})")
    print(f"assessment: {files.assessment_gpkg}")
    print(f"structures: {len(statuses)} — " + ", ".join(f"{k} {counts[k]}" for k in sorted(counts)))
    print(f"done in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
