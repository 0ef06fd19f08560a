"""OSM extracts as Geofabrik and others ship them (.osm.pbf, written here from the public PBF
format description): buildings only, OSM's building=* values mapped by default, a file without
buildings refused with a message that says so."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sitewatch.core.errors import SiteWatchError
from sitewatch.core.importing.sources import open_source
from sitewatch.core.importing.structures import StructureOptions, import_structures
from sitewatch.tests.helpers.import_sources import LAT0, LON0
from sitewatch.tests.helpers.osm_pbf import osm_pbf


def test_an_osm_pbf_extract_imports_its_buildings_only(assessment, tmp_path):
    source = osm_pbf(
        tmp_path / "site.osm.pbf",
        [
            ("yes", LON0, LAT0),
            ("hangar", LON0 + 0.001, LAT0),
            ("military", LON0 + 0.002, LAT0),
            ("landuse=grass", LON0 + 0.003, LAT0),
            ("", LON0 + 0.004, LAT0),
        ],
    )
    result = import_structures(assessment, open_source(str(source)), StructureOptions("A"))
    assert (result.read, result.imported, result.refused.total()) == (3, 3, 0)
    types = sorted(f["type"] for f in assessment.layer("structures").getFeatures())
    assert types == ["barracks", "building", "hangar"]


def test_an_osm_pbf_without_buildings_is_refused_and_nothing_written(assessment, tmp_path):
    source = osm_pbf(tmp_path / "roads.osm.pbf", [("", LON0, LAT0), ("landuse=grass", LON0 + 0.001, LAT0)])
    before = hashlib.sha256(Path(assessment.location).read_bytes()).hexdigest()
    with pytest.raises(SiteWatchError, match=r"The OSM file 'roads.osm.pbf' holds no buildings"):
        import_structures(assessment, open_source(str(source)), StructureOptions("A"))
    assert hashlib.sha256(Path(assessment.location).read_bytes()).hexdigest() == before
