"""A damaged vector input of compounddamage, importstructures or importdamage (a GeoPackage cut
short, a text file named .gpkg, a layer the file does not have, a file that is not there) is
one message naming the file and the cause; the assessment and every other file stay as they
were. Before, QGIS said "Incorrect parameter value for INPUT", "not a vector file" or "check that
GDAL supports its format", twice."""

from __future__ import annotations

import re
import shutil

import pytest
from qgis.core import QgsProcessingException

import processing
from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.tests.helpers.constants import UTM37N
from sitewatch.tests.helpers.export_site import AFTER
from sitewatch.tests.helpers.faults import checksums

DAMAGES = {
    "cut-short": r"the file is cut short \(\d+ of \d+ bytes\); copy it again",
    "text-named-gpkg": r"the file is not a GeoPackage \(not an SQLite database\)",
    "missing-layer": r"the file has no layer 'nope'; its layers: .*structures",
    "missing-file": r"does not exist",
}


def _bad_input(site_path, folder, damage: str, layer: str) -> str:
    """The damaged input as a data source string, made in ``folder``."""
    if damage == "cut-short":
        data = site_path.read_bytes()
        (folder / "cut.gpkg").write_bytes(data[: len(data) // 2])
        return f"{folder / 'cut.gpkg'}|layername={layer}"
    if damage == "text-named-gpkg":
        (folder / "notes.gpkg").write_text("shopping list\n")
        return str(folder / "notes.gpkg")
    if damage == "missing-layer":
        shutil.copy(site_path, folder / "other.gpkg")
        return f"{folder / 'other.gpkg'}|layername=nope"
    return f"{folder / 'gone.gpkg'}|layername={layer}"


@pytest.fixture
def inputs(site_path, tmp_path):
    folder = tmp_path / "inputs"
    folder.mkdir()
    target = GeoPackageStore.create(tmp_path / "target.gpkg", UTM37N, site_name="Target")
    return site_path, folder, target


def _compound_damage(site_path, tmp_path, role: str, bad: str) -> dict:
    layers = {
        "STRUCTURES": f"{site_path}|layername=structures",
        "OBSERVATIONS": f"{site_path}|layername=observations",
        "COMPOUNDS": f"{site_path}|layername=compounds",
    }
    return dict(layers, AFTER_DATE=AFTER, OUTPUT=str(tmp_path / "damage.gpkg"), **{role: bad})


CASES = [
    ("compounddamage", "STRUCTURES"),
    ("compounddamage", "OBSERVATIONS"),
    ("compounddamage", "COMPOUNDS"),
    ("importstructures", "INPUT"),
    ("importdamage", "INPUT"),
]


def _parameters(algorithm: str, role: str, bad: str, site_path, target, tmp_path) -> dict:
    if algorithm == "compounddamage":
        return _compound_damage(site_path, tmp_path, role, bad)
    if algorithm == "importstructures":
        return {"INPUT": bad, "ASSESSMENT": target.location}
    return {"INPUT": bad, "ASSESSMENT": target.location, "IMAGE_DATE": AFTER}


@pytest.mark.parametrize("damage", DAMAGES)
@pytest.mark.parametrize(("algorithm", "role"), CASES)
def test_a_damaged_input_is_one_message_naming_the_file(sitewatch_provider, inputs, tmp_path, algorithm, role, damage):
    site_path, folder, target = inputs
    layer = role.lower() if algorithm == "compounddamage" else "structures"
    bad = _bad_input(site_path, folder, damage, layer)
    before = checksums(tmp_path)
    with pytest.raises(QgsProcessingException) as refused:
        processing.run(f"sitewatch:{algorithm}", _parameters(algorithm, role, bad, site_path, target, tmp_path))
    message = str(refused.value)
    assert bad.split("|")[0] in message
    assert re.search(DAMAGES[damage], message), message
    assert checksums(tmp_path) == before


@pytest.mark.parametrize(("algorithm", "role"), [CASES[0], CASES[3], CASES[4]])
def test_qgis_process_prints_the_message_once_and_exits_1(qgis_process, inputs, tmp_path, algorithm, role):
    site_path, folder, target = inputs
    bad = _bad_input(site_path, folder, "cut-short", "structures")
    before = checksums(tmp_path)
    parameters = _parameters(algorithm, role, bad, site_path, target, tmp_path)
    cli = qgis_process("run", f"sitewatch:{algorithm}", "--", *[f"{k}={v}" for k, v in parameters.items()], check=False)
    printed = cli.stdout + cli.stderr
    assert cli.returncode == 1, printed
    assert "Traceback" not in printed
    assert printed.count("is cut short") == 1, printed
    assert checksums(tmp_path) == before
