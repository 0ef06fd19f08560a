"""Control characters pasted into a compound name: every KML the export writes is still valid
XML, with the rest of the name kept."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ElementTree

from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.export.package import ExportRequest, export_assessment
from sitewatch.tests.helpers.export_site import AFTER

KML = "{http://www.opengis.net/kml/2.2}"


def test_kml_stays_valid_xml_with_control_characters_in_names(site_path, tmp_path):
    path = tmp_path / "site.gpkg"
    shutil.copy(site_path, path)
    store = GeoPackageStore.open(path)
    store.update_feature("compounds", "C-0002", attributes={"name": "North\x01 barracks\x1b[0m & <yard>\x0c"})
    result = export_assessment(store, ExportRequest(str(tmp_path / "out"), AFTER, formats=("KML",)))
    kml_files = [name for name in result.files if name.endswith(".kml")]
    assert kml_files
    names = []
    for name in kml_files:
        root = ElementTree.parse(result.folder / name).getroot()  # raises on invalid XML
        names += [element.text for element in root.iter(f"{KML}name")]
    assert "North barracks[0m & <yard>" in names
