"""sitewatch:compounddamage on hand-built sites whose answers are worked out here."""

from __future__ import annotations

import pytest
from qgis.core import QgsProcessingException

from sitewatch.core.assessment.observations import Observation
from sitewatch.core.damage.table import ALL, UNASSIGNED, compound_damage, parse_weights
from sitewatch.core.errors import SiteWatchError
from sitewatch.tests.helpers.damage_site import TWO_COMPOUNDS, box, build, run, write_foreign_observations


def test_status_is_carried_forward_from_the_latest_observation_on_or_before_the_date(sitewatch_provider, assessment):
    build(
        assessment,
        TWO_COMPOUNDS,
        [("S-1", "warehouse", box(10, 10, 10)), ("S-2", "warehouse", box(30, 10, 10))],
        [
            ("S-1", "2019-03-01", "intact"),
            ("S-1", "2019-12-01", "destroyed"),
            ("S-2", "2019-06-01", "severe"),
            ("S-2", "2020-06-01", "destroyed"),
        ],
    )
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


def test_absent_is_not_counted_and_unknown_or_unobserved_is_never_undamaged(sitewatch_provider, assessment):
    build(
        assessment,
        TWO_COMPOUNDS,
        [
            ("S-1", "building", box(10, 10, 10)),
            ("S-2", "building", box(30, 10, 10)),
            ("S-3", "building", box(50, 10, 10)),
            ("S-4", "building", box(70, 10, 10)),
        ],
        [("S-1", "2020-01-08", "absent"), ("S-2", "2020-01-08", "unknown"), ("S-4", "2020-01-08", "intact")],
    )
    # S-1 absent: not standing. S-2 unknown and S-3 unobserved: standing, not assessed. S-4 assessed.
    _, rows = run(assessment, "2020-01-08")
    c1 = rows[("C-1", None)]
    assert (c1["n_struct"], c1["n_assessed"], c1["n_unknown"], c1["n_intact"]) == (3, 1, 2, 1)
    assert c1["pct_destr"] == 0.0 and c1["pct_damag"] == 0.0 and c1["dmg_index"] == 0.0


def test_straddling_structure_goes_to_largest_overlap_and_ties_to_lowest_id(sitewatch_provider, assessment):
    # Compounds added C-2 first so that the tie is settled by id, not by order.
    build(
        assessment,
        tuple(reversed(TWO_COMPOUNDS)),
        [
            ("S-1", "bunker", box(70, 10, 60, 10)),  # 30 m in C-1, 30 m in C-2: tie → C-1
            ("S-2", "bunker", box(80, 30, 60, 10)),  # 20 m in C-1, 40 m in C-2 → C-2
            ("S-3", "bunker", box(60, 50, 60, 10)),
        ],  # 40 m in C-1, 20 m in C-2 → C-1
        [("S-1", "2020-01-08", "destroyed"), ("S-2", "2020-01-08", "destroyed"), ("S-3", "2020-01-08", "intact")],
    )
    _, rows = run(assessment, "2020-01-08")
    assert (rows[("C-1", None)]["n_struct"], rows[("C-1", None)]["n_destroy"]) == (2, 1)
    assert (rows[("C-2", None)]["n_struct"], rows[("C-2", None)]["n_destroy"]) == (1, 1)
    assert rows[(UNASSIGNED, None)]["n_struct"] == 0


def test_structure_outside_every_compound_is_unassigned_and_in_all(sitewatch_provider, assessment):
    build(
        assessment,
        TWO_COMPOUNDS,
        [("S-1", "hangar", box(10, 10, 10)), ("S-2", "hangar", box(500, 500, 10))],
        [("S-1", "2020-01-08", "intact"), ("S-2", "2020-01-08", "destroyed")],
    )
    result, rows = run(assessment, "2020-01-08")
    assert rows[(UNASSIGNED, None)]["n_destroy"] == 1 and rows[(UNASSIGNED, None)]["pct_destr"] == 100.0
    assert rows[(ALL, None)]["n_struct"] == 2 and rows[(ALL, None)]["pct_destr"] == 50.0
    # Compound rows carry their polygon; UNASSIGNED and ALL have none.
    assert rows[("C-1", None)]["has_geometry"]
    assert not rows[(UNASSIGNED, None)]["has_geometry"] and not rows[(ALL, None)]["has_geometry"]
    assert result["ALL_N_STRUCT"] == 2 and result["ALL_N_DESTROY"] == 1 and result["ALL_PCT_DESTR"] == 50.0


def test_compound_without_assessed_structures_has_null_percentages(sitewatch_provider, assessment):
    build(
        assessment,
        TWO_COMPOUNDS + (("C-3", box(300, 0, 100)),),
        [("S-1", "barracks", box(10, 10, 10)), ("S-2", "barracks", box(110, 10, 10))],
        [("S-1", "2020-01-08", "moderate"), ("S-2", "2020-01-08", "unknown")],
    )
    _, rows = run(assessment, "2020-01-08")
    empty, unknown_only = rows[("C-3", None)], rows[("C-2", None)]
    for row in (empty, unknown_only):
        for name in ("pct_destr", "pct_damag", "pct_sev_de", "pct_area_d", "dmg_index"):
            assert row[name] is None, name
    assert empty["n_struct"] == 0 and unknown_only["n_struct"] == 1 and unknown_only["n_unknown"] == 1
    assert rows[("C-1", None)]["pct_damag"] == 100.0


def test_by_type_rows_read_eight_warehouses_destroyed(sitewatch_provider, assessment):
    structures = [(f"S-{i}", "warehouse", box(5 + 10 * i, 5, 8)) for i in range(8)]
    structures += [("S-8", "revetment", box(5, 50, 8)), ("S-9", "tunnel_entrance", box(150, 50, 8))]
    build(
        assessment,
        TWO_COMPOUNDS,
        structures,
        [(f"S-{i}", "2020-01-08", "destroyed") for i in range(8)]
        + [("S-8", "2020-01-08", "severe"), ("S-9", "2020-01-08", "intact")],
    )
    _, rows = run(assessment, "2020-01-08", BY_TYPE=True)
    assert rows[("C-1", "warehouse")]["n_destroy"] == 8
    assert rows[("C-1", "revetment")]["n_severe"] == 1 and rows[("C-1", "revetment")]["pct_destr"] == 0.0
    assert rows[("C-1", None)]["n_destroy"] == 8 and rows[("C-1", None)]["n_struct"] == 9
    assert rows[("C-2", "tunnel_entrance")]["n_destroy"] == 0  # "the tunnel was not destroyed"
    assert rows[(ALL, "warehouse")]["n_destroy"] == 8 and rows[(ALL, None)]["n_struct"] == 10
    assert ("C-2", "warehouse") not in rows
    _, plain_rows = run(assessment, "2020-01-08")
    assert all(structure_type is None for _, structure_type in plain_rows)


def test_custom_weights_change_only_the_damage_index(sitewatch_provider, assessment):
    build(
        assessment,
        TWO_COMPOUNDS,
        [
            ("S-1", "building", box(10, 10, 10)),  # 100 m² destroyed
            ("S-2", "building", box(30, 10, 20, 10)),  # 200 m² moderate
            ("S-3", "building", box(60, 10, 10, 30)),
        ],  # 300 m² possible
        [("S-1", "2020-01-08", "destroyed"), ("S-2", "2020-01-08", "moderate"), ("S-3", "2020-01-08", "possible")],
    )
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


def test_change_columns_between_before_and_after(sitewatch_provider, assessment):
    build(
        assessment,
        TWO_COMPOUNDS,
        [(f"S-{i}", "building", box(5 + 10 * i, 5, 8)) for i in range(8)],
        [
            ("S-0", "2019-09-01", "possible"),
            ("S-0", "2020-01-08", "severe"),  # worse on the scale: newdmg
            ("S-1", "2020-01-08", "moderate"),  # unobserved → moderate: newdmg, new
            ("S-2", "2019-09-01", "absent"),
            ("S-2", "2020-01-08", "possible"),  # absent → possible: new only
            ("S-3", "2019-09-01", "destroyed"),
            ("S-3", "2020-01-08", "construction"),  # rebuilt
            ("S-4", "2019-09-01", "severe"),
            ("S-4", "2020-01-08", "intact"),  # rebuilt
            ("S-5", "2019-09-01", "unknown"),
            ("S-5", "2020-01-08", "destroyed"),  # unknown before: none
            ("S-6", "2019-09-01", "moderate"),
            ("S-6", "2020-01-08", "moderate"),
        ],
    )  # unchanged; S-7 unobserved
    result, rows = run(assessment, "2020-01-08", "2019-09-01")
    c1 = rows[("C-1", None)]
    assert (c1["n_newdmg"], c1["n_rebuilt"], c1["n_new"]) == (2, 2, 2)
    assert (result["ALL_N_NEWDMG"], result["ALL_N_REBUILT"], result["ALL_N_NEW"]) == (2, 2, 2)
    _, without = run(assessment, "2020-01-08")
    assert without[("C-1", None)]["n_newdmg"] is None
    with pytest.raises(QgsProcessingException, match="must be earlier"):
        run(assessment, "2019-09-01", "2020-01-08")


def test_dates_with_no_observations_at_all(sitewatch_provider, assessment):
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


def test_observations_of_unknown_structures_are_counted_and_reported(sitewatch_provider, assessment):
    build(
        assessment,
        TWO_COMPOUNDS,
        [("S-1", "building", box(10, 10, 10))],
        [("S-1", "2020-01-08", "destroyed")],
    )
    write_foreign_observations(
        assessment,
        [("S-404", "2020-01-08", "destroyed"), ("S-404", "2019-09-01", "intact"), ("S-405", "2020-01-08", "severe")],
    )
    result, rows = run(assessment, "2020-01-08")
    assert result["UNKNOWN_OBSERVATIONS"] == 3
    assert rows[(ALL, None)]["n_struct"] == 1 and rows[(ALL, None)]["n_destroy"] == 1
    table = compound_damage(
        assessment.layer("structures"), assessment.layer("observations"), assessment.layer("compounds"), "2020-01-08"
    )
    assert table.unknown_structure_ids == ("S-404", "S-405")
    assert any("3 observation(s)" in w and "S-404, S-405" in w for w in table.warnings)


def test_empty_compounds_layer_puts_everything_in_unassigned(sitewatch_provider, assessment):
    build(
        assessment,
        (),
        [("S-1", "building", box(10, 10, 10)), ("S-2", "building", box(500, 10, 10))],
        [("S-1", "2020-01-08", "destroyed"), ("S-2", "2020-01-08", "intact")],
    )
    result, rows = run(assessment, "2020-01-08")
    assert set(rows) == {(UNASSIGNED, None), (ALL, None)}
    assert rows[(UNASSIGNED, None)]["n_struct"] == 2 and rows[(UNASSIGNED, None)]["pct_destr"] == 50.0
    assert result["SUMMARY"].startswith("1 of 2 structures outside any compound destroyed (50 %)")
