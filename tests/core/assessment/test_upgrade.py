"""Assessments written by an older SiteWatch: each upgrade step, the backup, opening upgrades."""

from __future__ import annotations

import pytest

from sitewatch.core.assessment import schema, upgrade
from sitewatch.core.assessment.store import open_assessment
from sitewatch.core.errors import SiteWatchError
from sitewatch.tests.helpers.foreign_gpkg import row_checksums, write_version1_assessment


def test_the_steps_lead_to_the_version_new_assessments_are_written_with():
    versions = [step.version for step in upgrade.STEPS]
    assert versions == list(range(2, upgrade.CURRENT + 1))
    assert str(upgrade.CURRENT) == schema.SCHEMA_VERSION


def test_step_2_adds_linear_features_removed_on(tmp_path):
    path = write_version1_assessment(tmp_path / "old.gpkg")
    assert upgrade.missing_optional_fields(path) == {"linear_features": [schema.FieldDef("removed_on", "DATE")]}
    step = next(s for s in upgrade.STEPS if s.version == 2)
    assert step.needed(path)
    step.apply(path)
    step.apply(path)  # idempotent
    assert upgrade.missing_optional_fields(path) == {} and not step.needed(path)
    store = open_assessment(path)
    assert [f["removed_on"] for f in store.layer("linear_features").getFeatures()] == [None]


def test_opening_a_version_1_file_backs_it_up_then_upgrades_it(tmp_path):
    path = write_version1_assessment(tmp_path / "old.gpkg")
    checksums = row_checksums(path)
    store = open_assessment(path)
    backup = tmp_path / "old.v1-backup.gpkg"
    assert row_checksums(backup) == checksums and upgrade.file_version(backup) == 1
    assert upgrade.missing_optional_fields(backup)  # the backup is the file as it was
    assert store.metadata()["schema_version"] == schema.SCHEMA_VERSION == "2"
    assert store.layer("linear_features").fields().indexOf("removed_on") >= 0
    assert row_checksums(path) == checksums
    open_assessment(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.gpkg", "old.v1-backup.gpkg"]  # once only


def test_a_file_from_a_newer_sitewatch_is_refused(tmp_path):
    path = write_version1_assessment(tmp_path / "new.gpkg")
    store = open_assessment(path)
    with store._transaction() as connection:
        connection.execute("UPDATE sitewatch_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(SiteWatchError, match="newer SiteWatch \\(schema 99"):
        open_assessment(path)
