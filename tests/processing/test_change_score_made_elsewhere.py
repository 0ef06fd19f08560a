"""sitewatch:changescore on a GeoPackage made elsewhere, not adopted: it reads the structures as
they are (the file is not touched); keeping the scores in that file (what Score changes does) is
refused with one clear message until it is adopted."""

from __future__ import annotations

from pathlib import Path

import pytest
from osgeo import ogr

import processing
from sitewatch.core.assessment.geopackage_adopt import adopt
from sitewatch.core.assessment.records import ChangeScoreRow
from sitewatch.core.assessment.store import open_assessment
from sitewatch.core.errors import SiteWatchError
from sitewatch.tests.helpers.change_pair import make_site
from sitewatch.tests.helpers.foreign_gpkg import write_foreign_gpkg


def foreign_with_site_footprints(tmp_path: Path):
    """A contract GeoPackage written by plain OGR whose structures include the change pair's footprints."""
    site = make_site(tmp_path)
    path = write_foreign_gpkg(tmp_path / "script.gpkg")
    dataset = ogr.Open(str(path), 1)
    layer = dataset.GetLayerByName("structures")
    for index, wkb in enumerate(site.footprints):
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("structure_id", f"K{index}")
        feature.SetGeometry(ogr.ForceToMultiPolygon(ogr.CreateGeometryFromWkb(wkb)))
        layer.CreateFeature(feature)
    dataset = None
    return site, path


def test_changescore_reads_a_file_made_elsewhere_without_touching_it(sitewatch_provider, tmp_path):
    site, path = foreign_with_site_footprints(tmp_path)
    before = path.read_bytes()
    output = tmp_path / "scored.gpkg"
    processing.run(
        "sitewatch:changescore",
        {
            "BEFORE": str(site.before),
            "AFTER": str(site.after),
            "STRUCTURES": f"{path}|layername=structures",
            "OUTPUT": str(output),
        },
    )
    scored = ogr.Open(str(output))
    ranks = {f["structure_id"]: f["chg_rank"] for f in scored.GetLayer(0)}
    assert {sid for sid, rank in ranks.items() if rank is not None and rank <= 5} == {f"K{i}" for i in site.changed}
    assert path.read_bytes() == before


def test_keeping_scores_in_it_is_refused_until_adopted(tmp_path):
    _, path = foreign_with_site_footprints(tmp_path)
    before = path.read_bytes()
    store = open_assessment(path)
    rows = [ChangeScoreRow("K3", 0.9, 0.8, 1, "destroyed")]
    with pytest.raises(SiteWatchError, match="made outside SiteWatch and is not adopted yet; nothing was written"):
        store.save_change_scores("IMG-1", "IMG-2", rows)
    assert path.read_bytes() == before
    adopt(path)
    assert open_assessment(path).save_change_scores("IMG-1", "IMG-2", rows) == 1
