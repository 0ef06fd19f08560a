"""core.damage's table read directly: bad input named, repairs, memory layers, the cache, the summary."""

from __future__ import annotations

import sqlite3

import pytest
from qgis.core import QgsFeature, QgsFeatureRequest, QgsGeometry, QgsVectorLayer

from sitewatch.core.assessment.observations import Observation
from sitewatch.core.damage.inputs import SiteCache
from sitewatch.core.damage.table import compound_damage, summary_sentence
from sitewatch.core.errors import SiteWatchError
from sitewatch.tests.helpers.damage_site import TWO_COMPOUNDS, X0, Y0, box, build, observed_site
from sitewatch.tests.helpers.export_site import BEFORE


def _memory_observations(rows: list[tuple], date_type: str = "string") -> QgsVectorLayer:
    layer = QgsVectorLayer(
        f"None?field=structure_id:string&field=observed_on:{date_type}&field=status:string", "my observations", "memory"
    )
    features = []
    for values in rows:
        feature = QgsFeature(layer.fields())
        feature.setAttributes(list(values))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def test_unknown_status_and_malformed_date_name_value_and_row(assessment):
    build(
        assessment,
        TWO_COMPOUNDS,
        [("S-1", "building", box(10, 10, 10)), ("S-2", "building", box(30, 10, 10))],
        [("S-1", "2020-01-08", "intact"), ("S-2", "2020-01-08", "intact")],
    )
    structures, compounds = assessment.layer("structures"), assessment.layer("compounds")
    bad_status = _memory_observations([("S-1", "2020-01-08", "intact"), ("S-2", "2020-01-08", "wrecked")])
    with pytest.raises(
        SiteWatchError,
        match=r"row 2 \(structure S-2\) of layer 'my observations' has the unknown "
        r"status 'wrecked'",
    ):
        compound_damage(structures, bad_status, compounds, "2020-01-08")
    bad_date = _memory_observations([("S-1", "2020-13-45", "intact")])
    with pytest.raises(SiteWatchError, match=r"row 1 \(structure S-1\) .* the date '2020-13-45'"):
        compound_damage(structures, bad_date, compounds, "2020-01-08")
    # The same in the GeoPackage, written behind SiteWatch's back.
    connection = sqlite3.connect(assessment.path)
    connection.execute("UPDATE observations SET observed_on = 'soon' WHERE structure_id = 'S-2'")
    connection.commit()
    fid = connection.execute("SELECT fid FROM observations WHERE structure_id = 'S-2'").fetchone()[0]
    connection.close()
    with pytest.raises(SiteWatchError, match=rf"Observation row {fid} \(structure S-2\) .* the date 'soon'"):
        compound_damage(structures, assessment.layer("observations"), compounds, "2020-01-08")
    with pytest.raises(SiteWatchError, match="'2020-02-30' is not a date"):
        compound_damage(structures, bad_status, compounds, "2020-02-30")


def test_invalid_footprint_is_repaired_and_counted(sitewatch_provider, assessment):
    corners = [(10, 10), (30, 30), (30, 10), (10, 30), (10, 10)]
    bowtie = "POLYGON((" + ",".join(f"{X0 + x} {Y0 + y}" for x, y in corners) + "))"
    build(
        assessment,
        TWO_COMPOUNDS,
        [("S-1", "building", bowtie), ("S-2", "building", box(50, 10, 10))],
        [("S-1", "2020-01-08", "destroyed"), ("S-2", "2020-01-08", "intact")],
    )
    table = compound_damage(
        assessment.layer("structures"), assessment.layer("observations"), assessment.layer("compounds"), "2020-01-08"
    )
    assert table.repaired_structures == ("S-1",)
    assert any("S-1" in w and "makeValid" in w for w in table.warnings)
    c1 = table.row("C-1")
    assert (c1.n_struct, c1.n_destroy) == (2, 1)
    # The repaired bow-tie is two triangles of 100 m² each: 200 destroyed of 300 assessed.
    assert c1.pct_area_d == pytest.approx(200 / 3, rel=1e-6)


def test_missing_field_names_field_and_layer(assessment):
    observations = QgsVectorLayer("None?field=structure_id:string&field=observed_on:string", "field notes", "memory")
    with pytest.raises(SiteWatchError, match="observations layer 'field notes'.*has no field 'status'"):
        compound_damage(assessment.layer("structures"), observations, assessment.layer("compounds"), "2020-01-08")
    compounds = QgsVectorLayer("Polygon?crs=EPSG:32637&field=id:string", "zones", "memory")
    with pytest.raises(SiteWatchError, match="compounds layer 'zones'.*has no field 'compound_id'"):
        compound_damage(assessment.layer("structures"), assessment.layer("observations"), compounds, "2020-01-08")


def test_plain_memory_layers_give_the_same_table_as_the_store(assessment):
    build(
        assessment,
        TWO_COMPOUNDS,
        [("S-1", "warehouse", box(10, 10, 10)), ("S-2", "bunker", box(90, 10, 30, 10))],
        [("S-1", "2019-09-01", "intact"), ("S-1", "2020-01-08", "destroyed"), ("S-2", "2020-01-08", "severe")],
    )
    layers = [assessment.layer(name) for name in ("structures", "observations", "compounds")]
    from_store = compound_damage(*layers, "2020-01-08", "2019-09-01", by_type=True)
    in_memory = [layer.materialize(QgsFeatureRequest()) for layer in layers]
    assert {layer.providerType() for layer in in_memory} == {"memory"}
    assert compound_damage(*in_memory, "2020-01-08", "2019-09-01", by_type=True).rows == from_store.rows


def test_summary_sentence_reads_like_an_analyst(assessment):
    structures = [(f"S-{i}", "building", box(5 + 10 * (i % 9), 5 + 10 * (i // 9), 8)) for i in range(18)]
    structures.append(("S-99", "building", box(500, 0, 8)))
    build(
        assessment,
        TWO_COMPOUNDS,
        structures,
        [(f"S-{i}", "2020-01-08", "destroyed") for i in range(5)]
        + [(f"S-{i}", "2020-01-08", "severe") for i in range(5, 8)]
        + [(f"S-{i}", "2020-01-08", "intact") for i in range(8, 18)]
        + [("S-99", "2020-01-08", "intact")],
    )
    table = compound_damage(
        *(assessment.layer(n) for n in ("structures", "observations", "compounds")), "2020-01-08", "2019-09-01"
    )
    # 19 structures: 18 in C-1, S-99 outside; 5 destroyed of 19 assessed = 26 %; all 19 new since
    # 2019-09-01 (unobserved then), 5 destroyed + 3 severe of them newly damaged.
    assert summary_sentence(table) == (
        "5 of 19 structures in 1 compound (+1 outside) destroyed (26 %), "
        "3 severely damaged, 8 damaged in all (42 %); 8 newly damaged, 19 new structures since 2019-09-01"
    )


def test_cache_is_reused_only_while_structures_and_compounds_are_unchanged(assessment):
    build(
        assessment,
        TWO_COMPOUNDS,
        [("S-1", "building", box(10, 10, 10)), ("S-2", "building", box(30, 10, 10))],
        [("S-1", "2020-01-08", "destroyed"), ("S-2", "2020-01-08", "intact")],
    )
    cache = SiteCache()

    def table():
        layers = [assessment.layer(name) for name in ("structures", "observations", "compounds")]
        return compound_damage(*layers, "2020-01-08", cache=cache)

    first = table()
    assert first.row("C-1").n_destroy == 1 and cache.fingerprint
    kept = cache.footprints
    assessment.record_observation(Observation("S-2", "2020-01-08", "destroyed"))
    second = table()
    assert cache.footprints is kept and second.row("C-1").n_destroy == 2
    # Moving S-2 into C-2 changes the structures: the geometry work is done again.
    structures = assessment.layer("structures")
    feature = next(f for f in structures.getFeatures() if f["structure_id"] == "S-2")
    moved = QgsGeometry.fromWkt(box(130, 10, 10))
    moved.convertToMultiType()
    structures.dataProvider().changeGeometryValues({feature.id(): moved})
    third = table()
    assert cache.footprints is not kept
    assert (third.row("C-1").n_destroy, third.row("C-2").n_destroy) == (1, 1)
    assert (
        third.rows
        == compound_damage(
            *(assessment.layer(n) for n in ("structures", "observations", "compounds")), "2020-01-08"
        ).rows
    )


def test_summary_sentence_says_new_structures(assessment):
    observed_site(assessment)
    table = compound_damage(
        *(assessment.layer(n) for n in ("structures", "observations", "compounds")), "2020-01-08", BEFORE
    )
    assert summary_sentence(table).endswith("; 2 newly damaged, 2 new structures since 2019-09-01")
    build(assessment, observations=[("S-2", "2019-09-01", "intact")])
    table = compound_damage(
        *(assessment.layer(n) for n in ("structures", "observations", "compounds")), "2020-01-08", BEFORE
    )
    assert summary_sentence(table).endswith("; 2 newly damaged, 1 new structure since 2019-09-01")
