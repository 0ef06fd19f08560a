"""The validation sample, accuracy and site history algorithms as users script them: qgis_process,
with the outputs read back with OGR."""

from __future__ import annotations

import json

from osgeo import ogr

from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.assessment.validation_records import ValidationAnswer
from sitewatch.tests.helpers.export_site import AFTER, BEFORE


def _json(result) -> dict:
    return json.loads(result.stdout)


def _rows(path: str) -> list[dict]:
    dataset = ogr.Open(path)
    layer = dataset.GetLayer(0)
    return [feature.items() for feature in layer]


def test_sample_then_answers_then_accuracy_and_history_from_the_command_line(qgis_process, site_path, tmp_path):
    sample_csv = tmp_path / "sample.csv"
    drawn = _json(
        qgis_process(
            "run",
            "sitewatch:validationsample",
            "--json",
            "--",
            f"ASSESSMENT={site_path}",
            f"DATE={AFTER}",
            "SIZE=12",
            "SEED=3",
            f"OUTPUT={sample_csv}",
        )
    )["results"]
    sample = _rows(str(sample_csv))
    assert drawn["SAMPLE_SIZE"] == len(sample) > 0 and drawn["SAMPLE_ID"] == f"VS-{AFTER}-3"
    store = GeoPackageStore.open(str(site_path))
    first = {row.structure_id: row.stratum for row in store.validation_sample(drawn["SAMPLE_ID"])}
    store.record_validations(ValidationAnswer(s, AFTER, status, drawn["SAMPLE_ID"]) for s, status in first.items())

    matrix_csv = tmp_path / "matrix.csv"
    results = _json(
        qgis_process(
            "run",
            "sitewatch:accuracy",
            "--json",
            "--",
            f"ASSESSMENT={site_path}",
            f"DATE={AFTER}",
            f"OUTPUT={matrix_csv}",
        )
    )["results"]
    assert results["AGREEMENT"] == 1.0 and results["KAPPA"] == 1.0 and results["WEIGHTED_KAPPA"] == 1.0
    assert results["PRECISION_destroyed"] == 1.0 and results["RECALL_destroyed"] == 1.0
    matrix = {row["first"]: row for row in _rows(str(matrix_csv))}
    assert int(matrix["destroyed"]["destroyed"]) == sum(1 for s in first.values() if s == "destroyed")
    assert "destroyed (95 % CI" in results["SUMMARY"]

    history_csv = tmp_path / "history.csv"
    history = _json(
        qgis_process("run", "sitewatch:sitehistory", "--json", "--", f"ASSESSMENT={site_path}", f"OUTPUT={history_csv}")
    )["results"]
    rows = {(row["observed_on"], row["compound"]): row for row in _rows(str(history_csv))}
    assert int(rows[(BEFORE, "ALL")]["n_destroy"]) == 0 and int(rows[(AFTER, "ALL")]["n_destroy"]) == 3
    assert f"between {BEFORE} and {AFTER}" in history["EVENTS"]


def test_accuracy_refuses_a_bad_date_with_one_clear_message(qgis_process, site_path, tmp_path):
    failed = qgis_process(
        "run",
        "sitewatch:accuracy",
        "--",
        f"ASSESSMENT={site_path}",
        "DATE=2020-13-45",
        f"OUTPUT={tmp_path / 'm.csv'}",
        check=False,
    )
    assert failed.returncode != 0
    assert "2020-13-45" in failed.stdout + failed.stderr and "Traceback" not in failed.stdout + failed.stderr
