"""The site's history: counts per date, changes between dates, sentences, linear lengths."""

from __future__ import annotations

import pytest

from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.history.events import event_sentences
from sitewatch.core.history.linear import linear_lengths
from sitewatch.core.history.series import site_history
from sitewatch.tests.helpers.damage_site import TWO_COMPOUNDS, X0, Y0, box, build


def test_the_sample_site_tells_its_story(sample_site):
    store = GeoPackageStore.open(sample_site.assessment_gpkg)
    history = site_history(store)
    first, strike = sample_site.before_date, sample_site.after_date
    assert history.dates == (first, strike)
    before, after = history.row(first), history.row(strike)
    # built before the first pass: everything standing is intact, nothing changed yet
    assert before.n_struct > 0 and before.n_intact == before.n_struct and before.n_images == 1
    assert before.n_newdmg is None and before.n_new is None
    # the strike: damage appears, and new construction stands that was absent before
    assert after.n_destroy > 0 and after.n_newdmg == after.n_moderate + after.n_severe + after.n_destroy
    assert after.n_new > 0 and after.n_new == after.n_struct - before.n_struct
    sentences = event_sentences(history)
    assert sentences[0].startswith(f"on {first}, the first date: {before.n_struct} structures standing")
    assert any(s.startswith(f"between {first} and {strike}: ") and " destroyed in compound C-" in s for s in sentences)
    assert any("built (new construction)" in s for s in sentences)
    lengths = linear_lengths(store, history.dates)
    assert lengths[first]["road"] > 0 and lengths[first] == lengths[strike]


@pytest.fixture
def three_dates(assessment):
    structures = [(f"S-{n}", "warehouse", box(10 * n, 10, 5)) for n in range(1, 5)]
    structures.append(("S-5", "barracks", box(150, 10, 5)))
    observations = [(f"S-{n}", "2020-01-01", "intact") for n in range(1, 5)]
    observations += [("S-5", "2020-01-01", "absent"), ("S-5", "2020-02-01", "construction")]
    observations += [("S-1", "2020-02-01", "destroyed"), ("S-2", "2020-02-01", "destroyed")]
    observations += [("S-3", "2020-02-01", "severe"), ("S-1", "2020-03-01", "construction")]
    observations += [("S-2", "2020-03-01", "absent")]
    build(assessment, TWO_COMPOUNDS, structures, observations)
    assessment.add_features(
        "imagery",
        [{"image_id": "IMG-0001", "acquired": "2020-01-01", "geometry": box(0, 0, 200)}],
    )
    return assessment


def test_changes_between_consecutive_dates_and_dates_without_image(three_dates):
    history = site_history(three_dates)
    assert history.dates == ("2020-01-01", "2020-02-01", "2020-03-01")
    february, march = history.row("2020-02-01"), history.row("2020-03-01")
    assert (february.n_newdmg, february.n_new, february.n_removed, february.n_images) == (3, 1, 0, 0)
    assert (march.n_rebuilt, march.n_removed, march.n_struct) == (1, 1, 4)
    assert history.row("2020-02-01", "C-1").n_destroy == 2
    assert history.row("2020-02-01", "C-2").n_constr == 1
    sentences = event_sentences(history)
    span = "between 2020-01-01 and 2020-02-01 (no image registered on the later date)"
    assert f"{span}: 2 warehouses destroyed in compound C-1" in sentences
    assert any(s.endswith("1 barracks built (new construction) in compound C-2") for s in sentences)
    assert any(s.endswith("1 warehouse rebuilt in compound C-1") for s in sentences)
    assert any(s.endswith("1 warehouse removed in compound C-1") for s in sentences)


def test_an_empty_assessment_has_no_history(assessment):
    history = site_history(assessment)
    assert history.dates == () and history.rows == () and event_sentences(history) == []


def test_linear_lengths_follow_first_seen_and_removed_on(assessment):
    line = f"MULTILINESTRING(({X0} {Y0},{X0 + 1000} {Y0}))"
    assessment.add_features(
        "linear_features",
        [
            {"feature_id": "L-0001", "type": "road", "first_seen": "2020-01-01", "geometry": line},
            {"feature_id": "L-0002", "type": "berm", "first_seen": "2020-02-01", "geometry": line},
            {"feature_id": "L-0003", "type": "road", "geometry": line, "removed_on": "2020-03-01"},
        ],
    )
    lengths = linear_lengths(assessment, ["2020-01-01", "2020-02-01", "2020-03-01"])
    assert lengths["2020-01-01"]["road"] == pytest.approx(2.0, rel=0.01)
    assert lengths["2020-01-01"]["berm"] == 0
    assert lengths["2020-02-01"]["berm"] == pytest.approx(1.0, rel=0.01)
    assert lengths["2020-03-01"]["road"] == pytest.approx(1.0, rel=0.01)


def test_an_older_assessment_gets_removed_on_when_opened(assessment):
    from osgeo import ogr

    path = assessment.location
    dataset = ogr.Open(path, 1)
    dataset.ExecuteSQL("ALTER TABLE linear_features DROP COLUMN removed_on")
    dataset = None
    GeoPackageStore.open(path)
    dataset = ogr.Open(path)
    defn = dataset.GetLayerByName("linear_features").GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    dataset = None
    assert names[-1] == "removed_on" and names.count("removed_on") == 1
