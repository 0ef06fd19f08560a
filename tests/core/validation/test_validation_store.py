"""Samples and blind answers kept in the assessment, and the accuracy of a hand-built site."""

from __future__ import annotations

import sqlite3

import pytest
from osgeo import ogr

from sitewatch.core.assessment.validation_records import ValidationAnswer
from sitewatch.core.errors import SiteWatchError
from sitewatch.core.validation.accuracy import accuracy_report, draw_validation_sample
from sitewatch.tests.helpers.damage_site import TWO_COMPOUNDS, box, build

DAY = "2024-03-01"


@pytest.fixture
def site(assessment):
    # C-1: 6 destroyed, 6 intact; C-2: 4 destroyed, 4 severe; S-0021 unknown, S-0022 not observed
    structures, observations = [], []
    statuses = ["destroyed"] * 6 + ["intact"] * 6 + ["destroyed"] * 4 + ["severe"] * 4 + ["unknown"]
    for n, status in enumerate(statuses + [None], start=1):
        x = (n - 1) % 12 * 8 + (100 if n > 12 else 0)
        structures.append((f"S-{n:04d}", "warehouse", box(x + 1, 10, 5)))
        if status:
            observations.append((f"S-{n:04d}", DAY, status))
    build(assessment, TWO_COMPOUNDS, structures, observations)
    assessment.refresh_compound_ids()
    return assessment


def _answer(structure_id: str, status: str, sample_id: str, **extra) -> ValidationAnswer:
    return ValidationAnswer(structure_id, DAY, status, sample_id, analyst="second", **extra)


def test_a_sample_is_kept_with_its_strata_and_cannot_be_drawn_twice(site):
    sample_id, rows = draw_validation_sample(site, DAY, margin=0.2, seed=11)
    assert sample_id == "VS-2024-03-01-11"
    assert site.validation_sample(sample_id) == rows
    assert {r.stratum for r in rows} == {"destroyed", "intact", "severe"}
    assert "S-0021" not in {r.structure_id for r in rows} and "S-0022" not in {r.structure_id for r in rows}
    assert {r.stratum: r.stratum_size for r in rows} == {"destroyed": 10, "intact": 6, "severe": 4}
    with pytest.raises(SiteWatchError, match="already exists"):
        draw_validation_sample(site, DAY, margin=0.2, seed=11)


def test_answers_go_to_the_validations_table_and_never_to_observations(site):
    before = site.observations()
    site.record_validations([_answer("S-0001", "severe", "VS-x"), _answer("S-0001", "destroyed", "VS-x")])
    assert site.observations() == before
    assert [(a.structure_id, a.status) for a in site.validations("VS-x")] == [("S-0001", "destroyed")]
    dataset = ogr.Open(site.location)
    layer = dataset.GetLayerByName("validations")
    names = [layer.GetLayerDefn().GetFieldDefn(i).GetName() for i in range(layer.GetLayerDefn().GetFieldCount())]
    assert names == [
        "structure_id",
        "observed_on",
        "status",
        "confidence",
        "analyst",
        "recorded_at",
        "sample_id",
        "notes",
    ]
    dataset = None
    with sqlite3.connect(site.location) as connection:
        kinds = dict(connection.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
    assert kinds["validations"] == "attributes" and kinds["validation_samples"] == "attributes"


def test_a_bad_answer_is_refused_and_nothing_is_written(site):
    with pytest.raises(SiteWatchError, match="Unknown status 'gone' in the validation of S-0002"):
        site.record_validations([_answer("S-0001", "intact", "VS-x"), _answer("S-0002", "gone", "VS-x")])
    assert site.validations() == []


def test_accuracy_of_a_validated_sample(site):
    # every structure validated; two destroyed in C-1 were in fact severe; one answer unknown
    answers = []
    for n in range(1, 21):
        status = site.observations([f"S-{n:04d}"])[0].status
        if n in (1, 2):
            status = "severe"
        answers.append(_answer(f"S-{n:04d}", "unknown" if n == 20 else status, "VS-all"))
    site.record_validations(answers)
    report = accuracy_report(site, DAY)
    assert report.unknown_answers == 1
    assert report.agreement.pairs == 19
    assert report.agreement.agreement == pytest.approx(17 / 19)
    assert report.agreement.precision["destroyed"] == pytest.approx(8 / 10)
    assert report.agreement.recall["severe"] == pytest.approx(3 / 5)
    destroyed = report.site.of("destroyed")
    # every destroyed structure was validated: the census gives 8 with no uncertainty
    assert destroyed.estimate == pytest.approx(8) and destroyed.low == destroyed.high == pytest.approx(8)
    # severe: 3 of 3 validated of 4 mapped + 2 of 10 destroyed
    assert report.site.of("severe").estimate == pytest.approx(4 * 3 / 3 + 10 * 2 / 10)
    assert report.compounds["C-1"].of("destroyed").estimate == pytest.approx(6 * 8 / 10)
    assert report.sentences()[-1].startswith("8 destroyed (95 % CI 8–8)")


def test_accuracy_without_answers_says_why_there_are_no_totals(site):
    report = accuracy_report(site, DAY)
    assert report.agreement.pairs == 0 and report.site is None
    assert "No validated structure in the stratum" in report.not_estimated
