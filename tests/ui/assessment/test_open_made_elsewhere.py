"""Open assessment on a GeoPackage made elsewhere offers to adopt it (yes: adopted, writable, its
rows unchanged; no: opened read-only, the file untouched); an older schema is upgraded on open
with a message saying where the backup copy is."""

from __future__ import annotations

import pytest
from qgis.core import Qgis

from sitewatch.tests.helpers.foreign_gpkg import row_checksums, tables, write_foreign_gpkg, write_version1_assessment
from sitewatch.tests.helpers.plugin import part_of, wait_until_idle
from sitewatch.ui.assessment.actions import AssessmentActions
from sitewatch.ui.damage.part import DamagePanel


class Answers:
    def __init__(self, answer: bool):
        self.answer = answer
        self.asked: list[str] = []

    def __call__(self, title: str, question: str) -> bool:
        self.asked.append(question)
        return self.answer


@pytest.fixture(autouse=True)
def damage_idle(plugin):
    """No damage task outlives the test (one finishing after the plugin was unloaded would
    call into its deleted panel)."""
    yield
    wait_until_idle(part_of(plugin, DamagePanel).dock)


def messages(iface, level) -> str:
    return "\n".join(iface.messageBar().get_messages(level))


def test_yes_adopts_it_and_opens_it_writable_with_its_rows_unchanged(plugin, qgis_iface, tmp_path):
    path = write_foreign_gpkg(tmp_path / "script.gpkg")
    checksums = row_checksums(path)
    actions = part_of(plugin, AssessmentActions)
    actions.ask_yes_no = answers = Answers(True)
    actions.open_path(str(path))
    assert len(answers.asked) == 1 and "script.gpkg holds SiteWatch's layers but was made outside" in answers.asked[0]
    assert {"observation_history", "sitewatch_meta", "layer_styles"} <= tables(path)
    assert row_checksums(path) == checksums
    store = plugin.context.session.store
    assert store is not None and store.read_only_reason() is None
    assert "Adopted script.gpkg: added observation_history" in messages(qgis_iface, Qgis.MessageLevel.Success)
    actions.open_path(str(path))
    assert len(answers.asked) == 1  # adopted: not asked again


def test_no_opens_it_read_only_and_leaves_the_file_as_it_was(plugin, qgis_iface, tmp_path):
    path = write_foreign_gpkg(tmp_path / "script.gpkg")
    before = path.read_bytes()
    actions = part_of(plugin, AssessmentActions)
    actions.ask_yes_no = Answers(False)
    actions.open_path(str(path))
    store = plugin.context.session.store
    assert store is not None and "made outside SiteWatch" in store.read_only_reason()
    wait_until_idle(part_of(plugin, DamagePanel).dock)
    assert messages(qgis_iface, Qgis.MessageLevel.Critical) == ""  # the panels read it as it is
    assert "made outside SiteWatch" in messages(qgis_iface, Qgis.MessageLevel.Info)  # said once on opening
    assert path.read_bytes() == before


def test_an_older_schema_is_upgraded_on_open_and_the_backup_named(plugin, qgis_iface, tmp_path):
    path = write_version1_assessment(tmp_path / "old.gpkg")
    actions = part_of(plugin, AssessmentActions)
    actions.ask_yes_no = answers = Answers(True)
    actions.open_path(str(path))
    assert answers.asked == []  # a SiteWatch assessment: nothing to adopt
    backup = tmp_path / "old.v1-backup.gpkg"
    assert backup.is_file()
    info = messages(qgis_iface, Qgis.MessageLevel.Info)
    assert "old.gpkg was written by an older SiteWatch (schema 1) and was upgraded to schema 2" in info
    assert f"The file as it was is kept in {backup}" in info
    assert plugin.context.session.store.metadata()["schema_version"] == "2"
