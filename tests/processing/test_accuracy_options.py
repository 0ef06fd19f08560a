"""sitewatch:accuracy's options read back: the analyst against the change score's suggestions
(PRE_SCORE) and the corrected totals per compound (COMPOUND_OUTPUT, as CSV)."""

from __future__ import annotations

import csv
import json

import pytest

import processing
from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.assessment.records import ChangeScoreRow
from sitewatch.core.assessment.validation_records import ValidationAnswer
from sitewatch.core.validation.accuracy import accuracy_report


@pytest.fixture
def scored_copy(sample_site, tmp_path):
    """The sample site with change scores for its pair that agree with the analyst except on
    three structures: two destroyed ones suggested severe, one intact suggested unknown."""
    target = tmp_path / "site.gpkg"
    target.write_bytes(sample_site.assessment_gpkg.read_bytes())
    store = GeoPackageStore.open(target)
    day = sample_site.after_date
    first = {o.structure_id: o.status for o in store.observations() if o.observed_on == day}
    destroyed = sorted(s for s, status in first.items() if status == "destroyed")[:2]
    intact = sorted(s for s, status in first.items() if status == "intact")[0]
    rows = []
    for rank, (structure_id, status) in enumerate(sorted(first.items()), start=1):
        if status not in ("intact", "possible", "moderate", "severe", "destroyed", "construction"):
            continue
        suggested = "severe" if structure_id in destroyed else "unknown" if structure_id == intact else status
        rows.append(ChangeScoreRow(structure_id, 0.5, 0.3, rank, suggested))
    store.save_change_scores(sample_site.before_image_id, sample_site.after_image_id, rows)
    return target, first, len(rows)


def test_pre_score_agreement_counts_the_hand_made_disagreements(sitewatch_provider, sample_site, scored_copy):
    path, first, scored = scored_copy
    result = processing.run(
        "sitewatch:accuracy",
        {
            "ASSESSMENT": str(path),
            "DATE": sample_site.after_date,
            "OUTPUT": "TEMPORARY_OUTPUT",
            "PRE_SCORE": True,
            "PRE_SCORE_OUTPUT": "TEMPORARY_OUTPUT",
        },
    )
    compared = scored - 1  # the unknown suggestion is left out
    assert result["PRE_SCORE_PAIRS"] == compared and result["PRE_SCORE_UNKNOWN"] == 1
    assert result["PRE_SCORE_AGREEMENT"] == pytest.approx((compared - 2) / compared)
    assert result["PRE_SCORE_PAIR"] == f"{sample_site.before_image_id} {sample_site.after_image_id}"
    destroyed = sum(1 for s in first.values() if s == "destroyed")
    # every suggested destroyed is destroyed; two destroyed were suggested severe
    assert result["PRE_SCORE_PRECISION_destroyed"] == 1.0
    assert result["PRE_SCORE_RECALL_destroyed"] == pytest.approx((destroyed - 2) / destroyed)
    assert result["PRE_SCORE_PRECISION_severe"] < 1.0
    assert 0 < result["PRE_SCORE_KAPPA"] < 1 and result["PRE_SCORE_WEIGHTED_KAPPA"] > result["PRE_SCORE_KAPPA"]
    matrix = {f["suggested"]: f for f in result["PRE_SCORE_OUTPUT"].getFeatures()}
    assert matrix["severe"]["destroyed"] == 2 and matrix["destroyed"]["destroyed"] == destroyed - 2
    assert "mapped" not in result["PRE_SCORE_OUTPUT"].fields().names()
    # without the option nothing of the pre-score is computed
    plain = processing.run(
        "sitewatch:accuracy", {"ASSESSMENT": str(path), "DATE": sample_site.after_date, "OUTPUT": "TEMPORARY_OUTPUT"}
    )
    assert plain.get("PRE_SCORE_PAIRS") is None


def test_pre_score_without_scores_is_one_clear_error(sitewatch_provider, sample_site, tmp_path):
    target = tmp_path / "unscored.gpkg"
    target.write_bytes(sample_site.assessment_gpkg.read_bytes())
    with pytest.raises(Exception, match="No change scores are stored for an image pair ending on"):
        processing.run(
            "sitewatch:accuracy",
            {
                "ASSESSMENT": str(target),
                "DATE": sample_site.after_date,
                "OUTPUT": "TEMPORARY_OUTPUT",
                "PRE_SCORE": True,
            },
        )
    with pytest.raises(Exception, match="No image of 2001-01-01 is registered"):
        processing.run(
            "sitewatch:accuracy",
            {"ASSESSMENT": str(target), "DATE": "2001-01-01", "OUTPUT": "TEMPORARY_OUTPUT", "PRE_SCORE": True},
        )


def test_corrected_totals_per_compound_as_csv(sitewatch_provider, sample_site, tmp_path):
    target = tmp_path / "validated.gpkg"
    target.write_bytes(sample_site.assessment_gpkg.read_bytes())
    day = sample_site.after_date
    drawn = processing.run(
        "sitewatch:validationsample",
        {"ASSESSMENT": str(target), "DATE": day, "MARGIN": 0.15, "SEED": 2, "OUTPUT": "TEMPORARY_OUTPUT"},
    )
    store = GeoPackageStore.open(target)
    first = {o.structure_id: o.status for o in store.observations() if o.observed_on == day}
    sample = store.validation_sample(drawn["SAMPLE_ID"])
    wrong = next(r.structure_id for r in sample if first[r.structure_id] == "destroyed")
    store.record_validations(
        ValidationAnswer(
            r.structure_id, day, "severe" if r.structure_id == wrong else first[r.structure_id], r.sample_id
        )
        for r in sample
    )
    out = tmp_path / "totals.csv"
    processing.run(
        "sitewatch:accuracy",
        {"ASSESSMENT": str(target), "DATE": day, "OUTPUT": "TEMPORARY_OUTPUT", "COMPOUND_OUTPUT": str(out)},
    )
    with out.open(encoding="utf-8-sig") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == ["scope", "status", "first_review", "estimate", "ci_low", "ci_high", "std_error"]
    report = accuracy_report(store, day)
    site_destroyed = next(r for r in rows if r["scope"] == "ALL" and r["status"] == "destroyed")
    expected = report.site.of("destroyed")
    assert float(site_destroyed["estimate"]) == pytest.approx(expected.estimate, abs=1e-3)
    assert float(site_destroyed["ci_low"]) < expected.estimate < float(site_destroyed["ci_high"])
    compounds = {r["scope"] for r in rows} - {"ALL"}
    assert compounds == set(report.compounds) and len(compounds) > 1
    # the compounds' first-review counts add up to the site's
    for status in ("intact", "destroyed"):
        total = sum(int(r["first_review"]) for r in rows if r["status"] == status and r["scope"] != "ALL")
        assert total == next(int(r["first_review"]) for r in rows if r["scope"] == "ALL" and r["status"] == status)
        assert total == sum(1 for s in first.values() if s == status)


def test_pre_score_and_compound_totals_from_the_command_line(qgis_process, sample_site, scored_copy, tmp_path):
    path, _first, scored = scored_copy
    day = sample_site.after_date
    qgis_process(
        "run",
        "sitewatch:validationsample",
        "--",
        f"ASSESSMENT={path}",
        f"DATE={day}",
        "MARGIN=0.2",
        "SEED=5",
        f"OUTPUT={tmp_path / 'sample.csv'}",
    )
    store = GeoPackageStore.open(path)
    store.record_validations(
        ValidationAnswer(r.structure_id, day, r.stratum, r.sample_id) for r in store.validation_sample(f"VS-{day}-5")
    )
    totals, matrix = tmp_path / "totals.csv", tmp_path / "pre_score.csv"
    run = qgis_process(
        "run",
        "sitewatch:accuracy",
        "--json",
        "--",
        f"ASSESSMENT={path}",
        f"DATE={day}",
        f"OUTPUT={tmp_path / 'matrix.csv'}",
        f"COMPOUND_OUTPUT={totals}",
        "PRE_SCORE=true",
        f"PRE_SCORE_OUTPUT={matrix}",
    )
    results = json.loads(run.stdout)["results"]
    assert results["AGREEMENT"] == 1.0 and results["PRE_SCORE_PAIRS"] == scored - 1
    with matrix.open(encoding="utf-8") as stream:
        rows = {row["suggested"]: row for row in csv.DictReader(stream)}
    assert int(rows["severe"]["destroyed"]) == 2
    with totals.open(encoding="utf-8") as stream:
        scopes = {row["scope"] for row in csv.DictReader(stream)}
    assert "ALL" in scopes and len(scopes) > 2
