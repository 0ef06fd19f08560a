"""A large footprint file cancelled half-way: nothing is written, the assessment stays
byte-identical, and cancelling does not wait for the rest of the file.

Slow: the file is 200 MB by default (≈ 200,000 GeoJSONSeq footprints of ≈ 1 KB, the size of
Microsoft's records with their properties); ``SITEWATCH_LARGE_IMPORT_MB=2048`` runs it on the
2 GB file of issue 13 (≈ 2 million footprints, a few minutes)."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from sitewatch.core.assessment.store import WriteCancelled
from sitewatch.core.importing.sources import open_source
from sitewatch.core.importing.structures import StructureOptions, import_structures
from sitewatch.tests.helpers.import_sources import LAT0, LON0, square_wkt, write_vector

MEGABYTES = int(os.environ.get("SITEWATCH_LARGE_IMPORT_MB", "200"))
PADDING = "x" * 700
"""A property the size of the attributes real footprint releases carry (dates, source, confidence)."""


def write_footprints_seq(path: Path, megabytes: int) -> int:
    """Distinct 20 m squares on a grid as GeoJSONSeq until the file holds ``megabytes``; returns
    how many were written."""
    count, size, side = 0, 0, 0.0002
    with path.open("w", encoding="utf-8") as stream:
        while size < megabytes * 1_000_000:
            lines = []
            for number in range(count, count + 10_000):
                x, y = LON0 + (number % 2000) * 0.0004, LAT0 + (number // 2000) * 0.0004
                corners = ((x, y), (x + side, y), (x + side, y + side), (x, y + side), (x, y))
                ring = ",".join(f"[{a:.7f},{b:.7f}]" for a, b in corners)
                lines.append(
                    f'{{"type":"Feature","properties":{{"building":"yes","release":"{PADDING}"}},'
                    f'"geometry":{{"type":"Polygon","coordinates":[[{ring}]]}}}}\n'
                )
            block = "".join(lines)
            stream.write(block)
            size += len(block)
            count += 10_000
    return count


@pytest.mark.slow
def test_a_large_file_cancelled_half_way_writes_nothing(assessment, tmp_path):
    first = write_vector(tmp_path / "first.geojson", "GeoJSON", [{"wkt": square_wkt(LON0 - 0.01, LAT0)}])
    import_structures(assessment, open_source(str(first)), StructureOptions("A"))
    before = hashlib.sha256(Path(assessment.location).read_bytes()).hexdigest()
    source = tmp_path / "footprints.geojsons"
    count = write_footprints_seq(source, MEGABYTES)
    assert source.stat().st_size >= MEGABYTES * 1_000_000
    layer = open_source(str(source))
    assert layer.featureCount() == count
    fractions: list[float] = []

    def half_way(fraction: float) -> bool:
        fractions.append(fraction)
        return fraction < 0.5  # the progress follows the reading (written by batches as it goes)

    started = time.monotonic()
    with pytest.raises(WriteCancelled, match="nothing was written"):
        import_structures(assessment, layer, StructureOptions("A"), progress=half_way)
    cancelled_after = time.monotonic() - started
    assert 0.5 <= fractions[-1] < 0.51  # it stopped at the first report past half the file
    assert len(fractions) == pytest.approx(count / 2 / 1000, abs=2)
    assert hashlib.sha256(Path(assessment.location).read_bytes()).hexdigest() == before
    assert not list(tmp_path.glob("site*.gpkg-*")) and not list(tmp_path.glob(".site*"))  # no leftovers
    print(f"{count} footprints, {source.stat().st_size / 1e6:.0f} MB: cancelled half-way after {cancelled_after:.1f} s")
