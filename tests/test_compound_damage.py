"""sitewatch:compounddamage and core.damage on hand-built sites whose answers are worked out here."""

from __future__ import annotations

import json
import random
import sqlite3

import pytest
from osgeo import ogr
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProcessingException,
    QgsProject,
    QgsVariantUtils,
    QgsVectorLayer,
)

import processing
from sitewatch.core.annotation.compound_assignment import assign_compounds
from sitewatch.core.annotation.compounds import CompoundIndex
from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.assessment.observations import Observation
from sitewatch.core.damage.inputs import SiteCache
from sitewatch.core.damage.table import (
    ALL,
    ROW_FIELDS,
    UNASSIGNED,
    compound_damage,
    parse_weights,
    summary_sentence,
)
from sitewatch.core.errors import SiteWatchError
from sitewatch.core.measure import ellipsoidal_area
from sitewatch.core.scoring.footprints import decode


@pytest.fixture
def provider(sitewatch_provider):
    return sitewatch_provider


X0, Y0 = 500_000.0, 3_600_000.0
"""Lower left corner of the test sites in UTM 37N (about 32.5° N, 39° E)."""


def box(x: float, y: float, width: float, height: float | None = None) -> str:
    """A rectangle with its lower left corner ``x``, ``y`` metres from the site origin."""
    height = width if height is None else height
    x, y = X0 + x, Y0 + y
    return f"POLYGON(({x} {y},{x + width} {y},{x + width} {y + height},{x} {y + height},{x} {y}))"


def build(store: GeoPackageStore, compounds=(), structures=(), observations=()) -> GeoPackageStore:
    """Add compounds (id, wkt), structures (id, type, wkt) and observations (id, date, status)."""
    if compounds:
        store.add_features("compounds", [{"compound_id": c, "geometry": g} for c, g in compounds])
    if structures:
        store.add_features("structures", [{"structure_id": s, "type": t, "geometry": g} for s, t, g in structures])
    if observations:
        store.record_observations(Observation(s, d, status) for s, d, status in observations)
    return store


def plain(value):
    return None if value is None or QgsVariantUtils.isNull(value) else value


def run(store: GeoPackageStore, after: str, before: str | None = None, **extra) -> tuple[dict, dict]:
    """processing.run on the store's layers: (results, {(compound, type): attributes})."""
    parameters = {
        "STRUCTURES": store.layer_uri("structures"), "OBSERVATIONS": store.layer_uri("observations"),
        "COMPOUNDS": store.layer_uri("compounds"), "AFTER_DATE": after, "OUTPUT": "TEMPORARY_OUTPUT",
        **({"BEFORE_DATE": before} if before else {}), **extra,
    }
    result = processing.run("sitewatch:compounddamage", parameters)
    layer = result["OUTPUT"]
    rows = {}
    for feature in layer.getFeatures():
        attributes = {name: plain(feature[name]) for name in layer.fields().names()}
        attributes["has_geometry"] = not feature.geometry().isNull()
        rows[(attributes["compound"], attributes["type"])] = attributes
    return result, rows


TWO_COMPOUNDS = (("C-1", box(0, 0, 100)), ("C-2", box(100, 0, 100)))


def test_status_is_carried_forward_from_the_latest_observation_on_or_before_the_date(provider, assessment):
    build(assessment, TWO_COMPOUNDS,
          [("S-1", "warehouse", box(10, 10, 10)), ("S-2", "warehouse", box(30, 10, 10))],
          [("S-1", "2019-03-01", "intact"), ("S-1", "2019-12-01", "destroyed"),
           ("S-2", "2019-06-01", "severe"), ("S-2", "2020-06-01", "destroyed")])
    # 2019-09-01: S-1 intact (from 2019-03-01), S-2 severe (from 2019-06-01).
    _, rows = run(assessment, "2019-09-01")
    c1 = rows[("C-1", None)]
    assert (c1["n_struct"], c1["n_assessed"], c1["n_intact"], c1["n_severe"], c1["n_destroy"]) == (2, 2, 1, 1, 0)
    assert c1["pct_destr"] == 0.0 and c1["pct_sev_de"] == 50.0 and c1["pct_damag"] == 50.0
    # 2020-01-08: S-1 destroyed (2019-12-01), S-2 still severe: the 2020-06-01 observation is later.
    _, rows = run(assessment, "2020-01-08")
    c1 = rows[("C-1", None)]
    assert (c1["n_severe"], c1["n_destroy"], c1["pct_destr"], c1["pct_sev_de"]) == (1, 1, 50.0, 100.0)
    # On the observation date itself the observation counts ("on or before").
    _, rows = run(assessment, "2020-06-01")
    assert rows[("C-1", None)]["n_destroy"] == 2


def test_absent_is_not_counted_and_unknown_or_unobserved_is_never_undamaged(provider, assessment):
    build(assessment, TWO_COMPOUNDS,
          [("S-1", "building", box(10, 10, 10)), ("S-2", "building", box(30, 10, 10)),
           ("S-3", "building", box(50, 10, 10)), ("S-4", "building", box(70, 10, 10))],
          [("S-1", "2020-01-08", "absent"), ("S-2", "2020-01-08", "unknown"), ("S-4", "2020-01-08", "intact")])
    # S-1 absent: not standing. S-2 unknown and S-3 unobserved: standing, not assessed. S-4 assessed.
    _, rows = run(assessment, "2020-01-08")
    c1 = rows[("C-1", None)]
    assert (c1["n_struct"], c1["n_assessed"], c1["n_unknown"], c1["n_intact"]) == (3, 1, 2, 1)
    assert c1["pct_destr"] == 0.0 and c1["pct_damag"] == 0.0 and c1["dmg_index"] == 0.0


def test_straddling_structure_goes_to_largest_overlap_and_ties_to_lowest_id(provider, assessment):
    # Compounds added C-2 first so that the tie is settled by id, not by order.
    build(assessment, tuple(reversed(TWO_COMPOUNDS)),
          [("S-1", "bunker", box(70, 10, 60, 10)),   # 30 m in C-1, 30 m in C-2: tie → C-1
           ("S-2", "bunker", box(80, 30, 60, 10)),   # 20 m in C-1, 40 m in C-2 → C-2
           ("S-3", "bunker", box(60, 50, 60, 10))],  # 40 m in C-1, 20 m in C-2 → C-1
          [("S-1", "2020-01-08", "destroyed"), ("S-2", "2020-01-08", "destroyed"), ("S-3", "2020-01-08", "intact")])
    _, rows = run(assessment, "2020-01-08")
    assert (rows[("C-1", None)]["n_struct"], rows[("C-1", None)]["n_destroy"]) == (2, 1)
    assert (rows[("C-2", None)]["n_struct"], rows[("C-2", None)]["n_destroy"]) == (1, 1)
    assert rows[(UNASSIGNED, None)]["n_struct"] == 0


def test_structure_outside_every_compound_is_unassigned_and_in_all(provider, assessment):
    build(assessment, TWO_COMPOUNDS,
          [("S-1", "hangar", box(10, 10, 10)), ("S-2", "hangar", box(500, 500, 10))],
          [("S-1", "2020-01-08", "intact"), ("S-2", "2020-01-08", "destroyed")])
    result, rows = run(assessment, "2020-01-08")
    assert rows[(UNASSIGNED, None)]["n_destroy"] == 1 and rows[(UNASSIGNED, None)]["pct_destr"] == 100.0
    assert rows[(ALL, None)]["n_struct"] == 2 and rows[(ALL, None)]["pct_destr"] == 50.0
    # Compound rows carry their polygon; UNASSIGNED and ALL have none.
    assert rows[("C-1", None)]["has_geometry"]
    assert not rows[(UNASSIGNED, None)]["has_geometry"] and not rows[(ALL, None)]["has_geometry"]
    assert result["ALL_N_STRUCT"] == 2 and result["ALL_N_DESTROY"] == 1 and result["ALL_PCT_DESTR"] == 50.0


def test_compound_without_assessed_structures_has_null_percentages(provider, assessment):
    build(assessment, TWO_COMPOUNDS + (("C-3", box(300, 0, 100)),),
          [("S-1", "barracks", box(10, 10, 10)), ("S-2", "barracks", box(110, 10, 10))],
          [("S-1", "2020-01-08", "moderate"), ("S-2", "2020-01-08", "unknown")])
    _, rows = run(assessment, "2020-01-08")
    empty, unknown_only = rows[("C-3", None)], rows[("C-2", None)]
    for row in (empty, unknown_only):
        for name in ("pct_destr", "pct_damag", "pct_sev_de", "pct_area_d", "dmg_index"):
            assert row[name] is None, name
    assert empty["n_struct"] == 0 and unknown_only["n_struct"] == 1 and unknown_only["n_unknown"] == 1
    assert rows[("C-1", None)]["pct_damag"] == 100.0


def test_by_type_rows_read_eight_warehouses_destroyed(provider, assessment):
    structures = [(f"S-{i}", "warehouse", box(5 + 10 * i, 5, 8)) for i in range(8)]
    structures += [("S-8", "revetment", box(5, 50, 8)), ("S-9", "tunnel_entrance", box(150, 50, 8))]
    build(assessment, TWO_COMPOUNDS, structures,
          [(f"S-{i}", "2020-01-08", "destroyed") for i in range(8)]
          + [("S-8", "2020-01-08", "severe"), ("S-9", "2020-01-08", "intact")])
    _, rows = run(assessment, "2020-01-08", BY_TYPE=True)
    assert rows[("C-1", "warehouse")]["n_destroy"] == 8
    assert rows[("C-1", "revetment")]["n_severe"] == 1 and rows[("C-1", "revetment")]["pct_destr"] == 0.0
    assert rows[("C-1", None)]["n_destroy"] == 8 and rows[("C-1", None)]["n_struct"] == 9
    assert rows[("C-2", "tunnel_entrance")]["n_destroy"] == 0  # "the tunnel was not destroyed"
    assert rows[(ALL, "warehouse")]["n_destroy"] == 8 and rows[(ALL, None)]["n_struct"] == 10
    assert ("C-2", "warehouse") not in rows
    _, plain_rows = run(assessment, "2020-01-08")
    assert all(structure_type is None for _, structure_type in plain_rows)


def test_custom_weights_change_only_the_damage_index(provider, assessment):
    build(assessment, TWO_COMPOUNDS,
          [("S-1", "building", box(10, 10, 10)),        # 100 m² destroyed
           ("S-2", "building", box(30, 10, 20, 10)),    # 200 m² moderate
           ("S-3", "building", box(60, 10, 10, 30))],   # 300 m² possible
          [("S-1", "2020-01-08", "destroyed"), ("S-2", "2020-01-08", "moderate"), ("S-3", "2020-01-08", "possible")])
    # Default: (1.0·100 + 0.4·200 + 0.1·300) / 600 = 210 / 600 = 0.35.
    _, rows = run(assessment, "2020-01-08")
    assert rows[("C-1", None)]["dmg_index"] == pytest.approx(0.35, rel=1e-6)
    assert rows[("C-1", None)]["pct_area_d"] == pytest.approx(100 / 6, rel=1e-6)
    # possible=0.2, moderate=0.5: (100 + 100 + 60) / 600 = 0.4333...
    _, rows = run(assessment, "2020-01-08", WEIGHTS="possible=0.2, moderate=0.5")
    assert rows[("C-1", None)]["dmg_index"] == pytest.approx(260 / 600, rel=1e-6)
    assert rows[("C-1", None)]["pct_area_d"] == pytest.approx(100 / 6, rel=1e-6)
    with pytest.raises(QgsProcessingException, match="Unknown status 'destroy'"):
        run(assessment, "2020-01-08", WEIGHTS="destroy=1")
    with pytest.raises(SiteWatchError, match="not a number"):
        parse_weights("severe=high")


def test_change_columns_between_before_and_after(provider, assessment):
    build(assessment, TWO_COMPOUNDS,
          [(f"S-{i}", "building", box(5 + 10 * i, 5, 8)) for i in range(8)],
          [("S-0", "2019-09-01", "possible"), ("S-0", "2020-01-08", "severe"),     # worse on the scale: newdmg
           ("S-1", "2020-01-08", "moderate"),                                       # unobserved → moderate: newdmg, new
           ("S-2", "2019-09-01", "absent"), ("S-2", "2020-01-08", "possible"),      # absent → possible: new only
           ("S-3", "2019-09-01", "destroyed"), ("S-3", "2020-01-08", "construction"),  # rebuilt
           ("S-4", "2019-09-01", "severe"), ("S-4", "2020-01-08", "intact"),         # rebuilt
           ("S-5", "2019-09-01", "unknown"), ("S-5", "2020-01-08", "destroyed"),     # unknown before: none
           ("S-6", "2019-09-01", "moderate"), ("S-6", "2020-01-08", "moderate")])    # unchanged; S-7 unobserved
    result, rows = run(assessment, "2020-01-08", "2019-09-01")
    c1 = rows[("C-1", None)]
    assert (c1["n_newdmg"], c1["n_rebuilt"], c1["n_new"]) == (2, 2, 2)
    assert (result["ALL_N_NEWDMG"], result["ALL_N_REBUILT"], result["ALL_N_NEW"]) == (2, 2, 2)
    _, without = run(assessment, "2020-01-08")
    assert without[("C-1", None)]["n_newdmg"] is None
    with pytest.raises(QgsProcessingException, match="must be earlier"):
        run(assessment, "2019-09-01", "2020-01-08")


def test_dates_with_no_observations_at_all(provider, assessment):
    build(assessment, TWO_COMPOUNDS, [("S-1", "building", box(10, 10, 10)), ("S-2", "building", box(110, 10, 10))])
    # An empty observations table: everything standing and unobserved.
    result, rows = run(assessment, "2020-01-08", "2019-09-01")
    assert (rows[(ALL, None)]["n_struct"], rows[(ALL, None)]["n_unknown"], rows[(ALL, None)]["n_assessed"]) == (2, 2, 0)
    assert result["ALL_PCT_DESTR"] is None and result["ALL_DMG_INDEX"] is None
    assert result["ALL_N_NEW"] == 0 and result["ALL_N_NEWDMG"] == 0
    # A date before the first observation: the same.
    assessment.record_observation(Observation("S-1", "2020-01-08", "destroyed"))
    result, _ = run(assessment, "2019-01-01")
    assert result["ALL_N_UNKNOWN"] == 2 and result["ALL_PCT_DESTR"] is None
    assert "none assessable" in result["SUMMARY"]


def test_same_areas_in_epsg4326_and_utm(provider, assessment, tmp_path):
    structures = [("S-1", "building", box(10, 10, 12, 17)), ("S-2", "building", box(40, 10, 25, 9)),
                  ("S-3", "building", box(130, 60, 30, 30))]
    observations = [("S-1", "2020-01-08", "destroyed"), ("S-2", "2020-01-08", "severe"),
                    ("S-3", "2020-01-08", "destroyed")]
    build(assessment, TWO_COMPOUNDS, structures, observations)
    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    transform = QgsCoordinateTransform(assessment.crs(), wgs84, QgsProject.instance())

    def to_wgs84(wkt: str) -> QgsGeometry:
        geometry = QgsGeometry.fromWkt(wkt)
        geometry.transform(transform)
        return geometry

    geographic = GeoPackageStore.create(tmp_path / "wgs84.gpkg", wgs84)
    build(geographic, [(c, to_wgs84(g)) for c, g in TWO_COMPOUNDS],
          [(s, t, to_wgs84(g)) for s, t, g in structures], observations)
    _, utm_rows = run(assessment, "2020-01-08")
    _, geo_rows = run(geographic, "2020-01-08")
    for key in (("C-1", None), ("C-2", None), (ALL, None)):
        for name in ("area_asses", "area_destr"):
            assert geo_rows[key][name] == pytest.approx(utm_rows[key][name], rel=1e-3), (key, name)
        assert geo_rows[key]["pct_area_d"] == pytest.approx(utm_rows[key]["pct_area_d"], rel=1e-3)
    # Compounds in EPSG:4326 with structures in UTM: assigned in the structures' CRS, same table.
    mixed = compound_damage(assessment.layer("structures"), assessment.layer("observations"),
                            geographic.layer("compounds"), "2020-01-08")
    assert [(r.compound, r.n_struct, r.n_destroy) for r in mixed.rows] == \
        [(k[0], v["n_struct"], v["n_destroy"]) for k, v in utm_rows.items()]
    # And the areas are the ellipsoidal areas of core.measure (not the planar UTM areas).
    expected = sum(ellipsoidal_area(QgsGeometry.fromWkt(g), assessment.crs()) for _, _, g in structures)
    assert utm_rows[(ALL, None)]["area_asses"] == pytest.approx(expected, rel=1e-5)
    assert utm_rows[(ALL, None)]["area_asses"] != pytest.approx(12 * 17 + 25 * 9 + 900, rel=1e-5)


def test_qgis_process_gives_the_same_numbers_as_processing_run(provider, qgis_process, assessment, tmp_path):
    build(assessment, TWO_COMPOUNDS,
          [("S-1", "warehouse", box(10, 10, 10)), ("S-2", "bunker", box(90, 10, 30, 10)),
           ("S-3", "warehouse", box(500, 10, 10))],
          [("S-1", "2019-09-01", "intact"), ("S-1", "2020-01-08", "destroyed"), ("S-2", "2020-01-08", "severe"),
           ("S-3", "2019-09-01", "unknown")])
    result, rows = run(assessment, "2020-01-08", "2019-09-01", BY_TYPE=True, WEIGHTS="severe=0.8")
    target = tmp_path / "damage.gpkg"
    completed = qgis_process(
        "run", "sitewatch:compounddamage", "--json", "--",
        f"STRUCTURES={assessment.layer_uri('structures')}", f"OBSERVATIONS={assessment.layer_uri('observations')}",
        f"COMPOUNDS={assessment.layer_uri('compounds')}", "AFTER_DATE=2020-01-08", "BEFORE_DATE=2019-09-01",
        "BY_TYPE=true", "WEIGHTS=severe=0.8", f"OUTPUT={target}")
    cli = json.loads(completed.stdout)["results"]
    for key, value in result.items():
        if key != "OUTPUT":
            assert cli[key] == (pytest.approx(value) if isinstance(value, float) else value), key
    written = QgsVectorLayer(f"{target}|layername=damage", "damage", "ogr")
    assert written.isValid() and written.featureCount() == len(rows)
    for feature in written.getFeatures():
        expected = rows[(feature["compound"], plain(feature["type"]))]
        for name in written.fields().names():
            if name in expected:
                assert plain(feature[name]) == (pytest.approx(expected[name]) if isinstance(expected[name], float)
                                                else expected[name]), name


def test_observations_of_unknown_structures_are_counted_and_reported(provider, assessment):
    build(assessment, TWO_COMPOUNDS, [("S-1", "building", box(10, 10, 10))],
          [("S-1", "2020-01-08", "destroyed"), ("S-404", "2020-01-08", "destroyed"),
           ("S-404", "2019-09-01", "intact"), ("S-405", "2020-01-08", "severe")])
    result, rows = run(assessment, "2020-01-08")
    assert result["UNKNOWN_OBSERVATIONS"] == 3
    assert rows[(ALL, None)]["n_struct"] == 1 and rows[(ALL, None)]["n_destroy"] == 1
    table = compound_damage(assessment.layer("structures"), assessment.layer("observations"),
                            assessment.layer("compounds"), "2020-01-08")
    assert table.unknown_structure_ids == ("S-404", "S-405")
    assert any("3 observation(s)" in w and "S-404, S-405" in w for w in table.warnings)


def _memory_observations(rows: list[tuple], date_type: str = "string") -> QgsVectorLayer:
    layer = QgsVectorLayer(f"None?field=structure_id:string&field=observed_on:{date_type}&field=status:string",
                           "my observations", "memory")
    features = []
    for values in rows:
        feature = QgsFeature(layer.fields())
        feature.setAttributes(list(values))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def test_unknown_status_and_malformed_date_name_value_and_row(assessment):
    build(assessment, TWO_COMPOUNDS, [("S-1", "building", box(10, 10, 10)), ("S-2", "building", box(30, 10, 10))],
          [("S-1", "2020-01-08", "intact"), ("S-2", "2020-01-08", "intact")])
    structures, compounds = assessment.layer("structures"), assessment.layer("compounds")
    bad_status = _memory_observations([("S-1", "2020-01-08", "intact"), ("S-2", "2020-01-08", "wrecked")])
    with pytest.raises(SiteWatchError, match=r"row 2 \(structure S-2\) of layer 'my observations' has the unknown "
                                             r"status 'wrecked'"):
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


def test_invalid_footprint_is_repaired_and_counted(provider, assessment):
    corners = [(10, 10), (30, 30), (30, 10), (10, 30), (10, 10)]
    bowtie = "POLYGON((" + ",".join(f"{X0 + x} {Y0 + y}" for x, y in corners) + "))"
    build(assessment, TWO_COMPOUNDS, [("S-1", "building", bowtie), ("S-2", "building", box(50, 10, 10))],
          [("S-1", "2020-01-08", "destroyed"), ("S-2", "2020-01-08", "intact")])
    table = compound_damage(assessment.layer("structures"), assessment.layer("observations"),
                            assessment.layer("compounds"), "2020-01-08")
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


def test_empty_compounds_layer_puts_everything_in_unassigned(provider, assessment):
    build(assessment, (), [("S-1", "building", box(10, 10, 10)), ("S-2", "building", box(500, 10, 10))],
          [("S-1", "2020-01-08", "destroyed"), ("S-2", "2020-01-08", "intact")])
    result, rows = run(assessment, "2020-01-08")
    assert set(rows) == {(UNASSIGNED, None), (ALL, None)}
    assert rows[(UNASSIGNED, None)]["n_struct"] == 2 and rows[(UNASSIGNED, None)]["pct_destr"] == 50.0
    assert result["SUMMARY"].startswith("1 of 2 structures outside any compound destroyed (50 %)")


def test_plain_memory_layers_give_the_same_table_as_the_store(assessment):
    build(assessment, TWO_COMPOUNDS,
          [("S-1", "warehouse", box(10, 10, 10)), ("S-2", "bunker", box(90, 10, 30, 10))],
          [("S-1", "2019-09-01", "intact"), ("S-1", "2020-01-08", "destroyed"), ("S-2", "2020-01-08", "severe")])
    layers = [assessment.layer(name) for name in ("structures", "observations", "compounds")]
    from_store = compound_damage(*layers, "2020-01-08", "2019-09-01", by_type=True)
    in_memory = [layer.materialize(QgsFeatureRequest()) for layer in layers]
    assert {layer.providerType() for layer in in_memory} == {"memory"}
    assert compound_damage(*in_memory, "2020-01-08", "2019-09-01", by_type=True).rows == from_store.rows


def test_summary_sentence_reads_like_an_analyst(assessment):
    structures = [(f"S-{i}", "building", box(5 + 10 * (i % 9), 5 + 10 * (i // 9), 8)) for i in range(18)]
    structures.append(("S-99", "building", box(500, 0, 8)))
    build(assessment, TWO_COMPOUNDS, structures,
          [(f"S-{i}", "2020-01-08", "destroyed") for i in range(5)]
          + [(f"S-{i}", "2020-01-08", "severe") for i in range(5, 8)]
          + [(f"S-{i}", "2020-01-08", "intact") for i in range(8, 18)] + [("S-99", "2020-01-08", "intact")])
    table = compound_damage(*(assessment.layer(n) for n in ("structures", "observations", "compounds")),
                            "2020-01-08", "2019-09-01")
    # 19 structures: 18 in C-1, S-99 outside; 5 destroyed of 19 assessed = 26 %; all 19 new since
    # 2019-09-01 (unobserved then), 5 destroyed + 3 severe of them newly damaged.
    assert summary_sentence(table) == ("5 of 19 structures in 1 compound (+1 outside) destroyed (26 %), "
                                       "3 severely damaged; 8 newly damaged, 19 new structures since 2019-09-01")


def test_fast_assignment_agrees_with_compound_index():
    """Random footprints against overlapping, concave, holed and touching compounds."""
    rng = random.Random(7)
    compounds = [
        QgsGeometry.fromWkt("POLYGON((0 0,100 0,100 100,0 100,0 0))"),
        QgsGeometry.fromWkt("POLYGON((80 0,180 0,180 100,80 100,80 0))"),  # overlaps the first
        QgsGeometry.fromWkt("POLYGON((200 0,300 0,300 100,250 40,200 100,200 0))"),  # concave
        QgsGeometry.fromWkt("POLYGON((0 150,100 150,100 250,0 250,0 150),(40 190,60 190,60 210,40 210,40 190))"),
        QgsGeometry.fromWkt("MULTIPOLYGON(((200 150,250 150,250 250,200 250,200 150)),"
                            "((250 150,300 150,300 250,250 250,250 150)))"),
    ]
    ids = [f"C-{n}" for n in range(len(compounds))]
    wkbs = []
    for _ in range(1500):
        x, y, w, h = rng.uniform(-20, 320), rng.uniform(-20, 270), rng.uniform(1, 30), rng.uniform(1, 30)
        if rng.random() < 0.1:
            wkt = (f"MULTIPOLYGON((({x} {y},{x + w} {y},{x + w} {y + h},{x} {y})),"
                   f"(({x} {y + 40},{x + 5} {y + 40},{x} {y + 45},{x} {y + 40})))")
        else:
            wkt = f"POLYGON(({x} {y},{x + w} {y},{x + w} {y + h},{x} {y + h},{x} {y}))"
        wkbs.append(bytes(QgsGeometry.fromWkt(wkt).asWkb()))
    wkbs.append(bytes(QgsGeometry.fromWkt("POLYGON((40 195,45 195,45 200,40 200,40 195))").asWkb()))  # in the hole
    wkbs.append(bytes(QgsGeometry.fromWkt("POLYGON((30 180,70 180,70 220,30 220,30 180))").asWkb()))  # around it
    footprints = decode(wkbs)
    fast = assign_compounds(footprints, ids, compounds)
    index = CompoundIndex(zip(ids, compounds))
    expected = [index.assign(footprints.geometry(n)) for n in range(len(wkbs))]
    assert [None if n < 0 else ids[n] for n in fast.tolist()] == expected
    assert expected[-2] is None and expected[-1] == "C-3"
    assert footprints.simple.sum() > 1000


def test_cache_is_reused_only_while_structures_and_compounds_are_unchanged(assessment):
    build(assessment, TWO_COMPOUNDS, [("S-1", "building", box(10, 10, 10)), ("S-2", "building", box(30, 10, 10))],
          [("S-1", "2020-01-08", "destroyed"), ("S-2", "2020-01-08", "intact")])
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
    assert third.rows == compound_damage(*(assessment.layer(n) for n in ("structures", "observations", "compounds")),
                                         "2020-01-08").rows


def test_a_shapefile_output_keeps_every_field_name(provider, assessment, tmp_path):
    build(assessment, TWO_COMPOUNDS, [("S-1", "building", box(10, 10, 10))], [("S-1", "2020-01-08", "destroyed")])
    target = tmp_path / "damage.shp"
    processing.run("sitewatch:compounddamage", {
        "STRUCTURES": assessment.layer_uri("structures"), "OBSERVATIONS": assessment.layer_uri("observations"),
        "COMPOUNDS": assessment.layer_uri("compounds"), "AFTER_DATE": "2020-01-08", "BEFORE_DATE": "2019-09-01",
        "BY_TYPE": True, "OUTPUT": str(target)})
    assert all(len(name) <= 10 for name in ROW_FIELDS)
    dataset = ogr.Open(str(target))
    layer = dataset.GetLayer(0)
    definition = layer.GetLayerDefn()
    assert [definition.GetFieldDefn(i).GetName() for i in range(definition.GetFieldCount())] == list(ROW_FIELDS)
    found = {(f.GetField("compound"), f.GetField("type")): f.GetField("n_destroy") for f in layer}
    assert found[("C-1", None)] == 1 and found[("ALL", "building")] == 1


def test_decoded_footprints_match_qgis_geometry():
    wkts = ["POLYGON((0 0,10 0,10 5,0 5,0 0))",                        # simple, decoded with numpy
            "MULTIPOLYGON(((0 0,4 0,4 4,0 0)))",                         # one-part multipolygon: simple
            "POLYGON((0 0,20 0,20 20,0 20,0 0),(5 5,6 5,6 6,5 6,5 5))",  # hole: GEOS
            "POLYGON Z((0 0 1,3 0 1,3 3 1,0 3 1,0 0 1))",                # Z: GEOS
            "POLYGON((0 0,10 10,10 0,0 10,0 0))",                        # bow-tie: repaired
            "POLYGON((0 0,10 0,10 10,5 0,0 10,0 0))"]                    # touches itself: repaired
    wkbs = [bytes(QgsGeometry.fromWkt(w).asWkb()) for w in wkts] + [None, b""]
    footprints = decode(wkbs)
    assert footprints.simple.tolist() == [True, True, False, False, False, False, False, False]
    assert footprints.repaired == [4, 5]
    assert footprints.empty.tolist() == [False] * 6 + [True, True]
    for position, wkt in enumerate(wkts):
        expected = QgsGeometry.fromWkt(wkt)
        if position in footprints.repaired:
            expected = expected.makeValid()
        assert footprints.planar_area[position] == pytest.approx(expected.area()), wkt
        box = expected.boundingBox()
        assert footprints.bbox[position].tolist() == [box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()]


def test_compounds_layer_is_optional(provider, assessment, tmp_path):
    build(assessment, TWO_COMPOUNDS, [("S-1", "building", box(10, 10, 10)), ("S-2", "bunker", box(300, 300, 10))],
          [("S-1", "2020-01-08", "destroyed"), ("S-2", "2020-01-08", "intact")])
    algorithm = QgsApplication.processingRegistry().algorithmById("sitewatch:compounddamage")
    assert algorithm.parameterDefinition("COMPOUNDS").flags() & Qgis.ProcessingParameterFlag.Optional
    target = tmp_path / "no_compounds.gpkg"
    result = processing.run("sitewatch:compounddamage", {
        "STRUCTURES": assessment.layer_uri("structures"), "OBSERVATIONS": assessment.layer_uri("observations"),
        "AFTER_DATE": "2020-01-08", "OUTPUT": str(target)})
    dataset = ogr.Open(str(target))
    layer = dataset.GetLayer(0)
    assert layer.GetSpatialRef().GetAuthorityCode(None) == "32637"
    found = {f.GetField("compound"): (f.GetField("n_struct"), f.GetField("n_destroy")) for f in layer}
    assert found == {UNASSIGNED: (2, 1), ALL: (2, 1)}
    assert result["ALL_N_DESTROY"] == 1
