"""The Import dialogs: a preview computed in the background shows what the import will do and
writes nothing; Import writes in the background, ends on the message bar and the assessment's
layers show the new structures; a cancelled import writes nothing."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from qgis.core import Qgis, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication

from sitewatch.core.importing.sources import open_source
from sitewatch.core.importing.structures import StructureOptions, import_structures
from sitewatch.tests.helpers.import_sources import LAT0, LON0, STEP, grid_wkts, osm_xml, square_wkt, write_vector
from sitewatch.tests.helpers.plugin import part_of, wait_until_idle
from sitewatch.ui.annotation.part import AnnotationPart
from sitewatch.ui.damage.part import DamagePanel
from sitewatch.ui.importing.part import ImportPart


def wait_for(dialog, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    QCoreApplication.processEvents()
    while dialog.busy():
        assert time.monotonic() < deadline, "the import task did not finish"
        QCoreApplication.processEvents()
        time.sleep(0.01)
    QCoreApplication.processEvents()


def digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def messages(iface, level) -> str:
    return "\n".join(iface.messageBar().get_messages(level))


@pytest.fixture
def opened(plugin, assessment):
    """The plugin with ``assessment`` open; no damage task outlives the test (one finishing
    after the plugin was unloaded would call into its deleted panel)."""
    plugin.context.session.open(assessment.location)
    yield plugin
    wait_until_idle(part_of(plugin, DamagePanel).dock)


def structures_layer(plugin) -> QgsVectorLayer:
    return plugin.context.session.layer("structures")


def test_footprints_preview_writes_nothing_then_import_refreshes_the_layers(opened, assessment, qgis_iface, tmp_path):
    existing = write_vector(tmp_path / "old.geojson", "GeoJSON", [{"wkt": square_wkt(LON0, LAT0)}])
    import_structures(assessment, open_source(str(existing)), StructureOptions("A"))
    opened.context.session.store_changed.emit(None, {"structures"})
    source = osm_xml(
        tmp_path / "site.osm",
        [
            ("yes", LON0, LAT0),
            ("warehouse", LON0 + 0.001, LAT0),
            ("shrine", LON0 + 0.002, LAT0),
            ("yes", LON0 + 0.003, LAT0),
        ],
    )
    dialog = part_of(opened, ImportPart).show_footprints()
    assert dialog.isVisible()
    dialog.set_source(str(source))
    assert dialog.type_field.currentData() == "building"  # OSM's type field, picked by default
    assert dialog.types.mapping()["yes"] == "building"  # the OSM defaults are shown
    before = digest(assessment.location)
    dialog.preview()
    assert dialog.busy()  # computed in the background, not in the call
    wait_for(dialog)
    counts = {key: label.text() for key, label in dialog.counts.items()}
    assert counts == {"new": "3", "duplicates": "1 (skipped)", "repaired": "0", "refused": "0", "outside": "0"}
    assert "'shrine' 1" in dialog.details.text()
    row = dialog.types.row_of("shrine")
    assert row is not None and dialog.types.item(row, 2).text() == "1"  # listed to be given a type
    assert digest(assessment.location) == before
    dialog.types.set_type("shrine", "bunker")
    dialog.run_import()
    wait_for(dialog)
    assert "Imported 3 structures from site.osm" in messages(qgis_iface, Qgis.MessageLevel.Success)
    assert not dialog.isVisible()
    layer = structures_layer(opened)
    assert layer.featureCount() == 4  # the project layer shows the import at once
    assert sorted(f["type"] for f in layer.getFeatures()) == ["building", "building", "bunker", "warehouse"]
    assert len(part_of(opened, AnnotationPart).controller.fids) == 4  # the review knows them too


def test_a_project_layer_with_an_area_of_interest_and_merged_duplicates(opened, assessment, tmp_path):
    first = write_vector(tmp_path / "a.geojson", "GeoJSON", [{"wkt": w} for w in grid_wkts(2)])
    import_structures(assessment, open_source(str(first)), StructureOptions("A"))
    rows = [{"kind": "hangar", "label": f"H{n}", "wkt": w} for n, w in enumerate(grid_wkts(6))]
    footprints = QgsVectorLayer(str(write_vector(tmp_path / "f.geojson", "GeoJSON", rows)), "footprints", "ogr")
    x1 = LON0 + 3.5 * STEP
    aoi = QgsVectorLayer(
        str(
            write_vector(
                tmp_path / "aoi.geojson",
                "GeoJSON",
                [{"wkt": f"POLYGON(({LON0} {LAT0},{x1} {LAT0},{x1} {LAT0 + 0.0001},{LON0} {LAT0}))"}],
            )
        ),
        "aoi",
        "ogr",
    )
    QgsProject.instance().addMapLayers([footprints, aoi])
    dialog = part_of(opened, ImportPart).show_footprints()
    dialog.set_source(layer=footprints)
    dialog.type_field.setCurrentIndex(dialog.type_field.findData("kind"))
    dialog.name_field.setCurrentIndex(dialog.name_field.findData("label"))
    dialog.duplicates.setCurrentIndex(dialog.duplicates.findData("merge"))
    dialog.aoi.setLayer(aoi)
    dialog.preview()
    wait_for(dialog)
    counts = {key: label.text() for key, label in dialog.counts.items()}
    assert (counts["new"], counts["duplicates"], counts["outside"]) == ("2", "2 (merged, 2 updated)", "2")
    dialog.run_import()
    wait_for(dialog)
    by_id = {f["structure_id"]: (f["type"], f["name"]) for f in structures_layer(opened).getFeatures()}
    assert by_id == {
        "S-0001": ("hangar", "H0"),
        "S-0002": ("hangar", "H1"),
        "S-0003": ("hangar", "H2"),
        "S-0004": ("hangar", "H3"),
    }


def test_a_cancelled_import_writes_nothing_and_says_so(opened, assessment, tmp_path):
    source = write_vector(tmp_path / "many.geojson", "GeoJSON", [{"wkt": w} for w in grid_wkts(3000)])
    before = digest(assessment.location)
    dialog = part_of(opened, ImportPart).show_footprints()
    dialog.set_source(str(source))
    dialog.run_import()
    assert dialog.cancel_button.isVisible()
    dialog.cancel()
    wait_for(dialog)
    assert dialog.status.text() == "Cancelled; nothing was written."
    assert digest(assessment.location) == before
    assert dialog.isVisible() and dialog.import_button.isEnabled()


def test_bad_input_is_said_in_the_dialog_before_any_task(opened, tmp_path):
    points = write_vector(tmp_path / "p.geojson", "GeoJSON", [{"wkt": f"POINT({LON0} {LAT0})"}])
    dialog = part_of(opened, ImportPart).show_footprints()
    dialog.preview()
    assert not dialog.busy()
    assert "Choose the footprints" in dialog.status.text()
    dialog.set_source(str(points))
    dialog.preview()
    wait_for(dialog)
    assert "holds points; building footprints must be polygons" in dialog.status.text()


def test_damage_dialog_previews_and_imports_unosat_sites(opened, assessment, qgis_iface, tmp_path):
    footprints = write_vector(tmp_path / "f.geojson", "GeoJSON", [{"wkt": w} for w in grid_wkts(2)])
    import_structures(assessment, open_source(str(footprints)), StructureOptions("A"))
    point = f"POINT({LON0 + 0.0001} {LAT0 + 0.0001})"
    rows = [{"SiteID": "A1", "SensorDate": "2020-01-08", "Main_Damage_Site_Class": 1, "wkt": point}]
    source = write_vector(tmp_path / "unosat.geojson", "GeoJSON", rows)
    before = digest(assessment.location)
    dialog = part_of(opened, ImportPart).show_damage()
    dialog.set_source(str(source))
    dialog.preview()
    wait_for(dialog)
    assert "1 unosat sites read: 1 observations recorded" in dialog.counts.text()
    assert digest(assessment.location) == before
    dialog.run_import()
    wait_for(dialog)
    assert "Imported from unosat.geojson" in messages(qgis_iface, Qgis.MessageLevel.Success)
    assert [(o.structure_id, o.status) for o in assessment.observations()] == [("S-0001", "destroyed")]
