"""sitewatch:validationsample, sitewatch:accuracy and sitewatch:sitehistory through processing.run."""

from __future__ import annotations

import pytest

import processing
from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.assessment.validation_records import ValidationAnswer


@pytest.fixture
def sample_copy(sample_site, tmp_path):
    target = tmp_path / "site.gpkg"
    target.write_bytes(sample_site.assessment_gpkg.read_bytes())
    return target


def test_sample_validate_and_measure_the_sample_site(sitewatch_provider, sample_site, sample_copy):
    day = sample_site.after_date
    drawn = processing.run(
        "sitewatch:validationsample",
        {"ASSESSMENT": str(sample_copy), "DATE": day, "MARGIN": 0.15, "SEED": 4, "OUTPUT": "TEMPORARY_OUTPUT"},
    )
    assert drawn["SAMPLE_ID"] == f"VS-{day}-4" and drawn["SAMPLE_SIZE"] == drawn["OUTPUT"].featureCount() > 10
    store = GeoPackageStore.open(sample_copy)
    sample = store.validation_sample(drawn["SAMPLE_ID"])
    first = {o.structure_id: o.status for o in store.observations() if o.observed_on == day}
    # the validator agrees everywhere but calls one destroyed structure severe and cannot see one
    answers, changed = [], False
    for n, row in enumerate(sample):
        status = first[row.structure_id]
        if status == "destroyed" and not changed:
            status, changed = "severe", True
        answers.append(ValidationAnswer(row.structure_id, day, "unknown" if n == 0 else status, row.sample_id))
    store.record_validations(answers)
    result = processing.run(
        "sitewatch:accuracy", {"ASSESSMENT": str(sample_copy), "DATE": day, "OUTPUT": "TEMPORARY_OUTPUT"}
    )
    assert result["PAIRS"] == len(sample) - 1 and result["UNKNOWN_ANSWERS"] == 1
    assert result["AGREEMENT"] == pytest.approx((len(sample) - 2) / (len(sample) - 1))
    assert 0 < result["KAPPA"] < 1 and 0 < result["WEIGHTED_KAPPA"] < 1
    assert result["RECALL_destroyed"] == 1.0 and result["PRECISION_destroyed"] < 1.0
    assert "destroyed (95 % CI " in result["SUMMARY"]
    matrix = {f["first"]: f for f in result["OUTPUT"].getFeatures()}
    assert matrix["destroyed"]["severe"] == 1


def test_site_history_of_the_sample_site(sitewatch_provider, sample_site, sample_copy):
    result = processing.run("sitewatch:sitehistory", {"ASSESSMENT": str(sample_copy), "OUTPUT": "TEMPORARY_OUTPUT"})
    rows = {(f["observed_on"], f["compound"]): f for f in result["OUTPUT"].getFeatures()}
    after = rows[(sample_site.after_date, "ALL")]
    assert after["n_destroy"] > 0 and after["n_new"] > 0
    assert {"observed_on", "compound", "n_struct", "n_intact", "n_newdmg", "n_rebuilt", "n_new"} <= set(
        result["OUTPUT"].fields().names()
    )
    assert f"between {sample_site.before_date} and {sample_site.after_date}: " in result["EVENTS"]
