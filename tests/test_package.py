"""The plugin zip passes the plugins.qgis.org rules, installs into a profile, and works."""

from __future__ import annotations

import configparser
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from sitewatch.tests.helpers.constants import REPO

REQUIRED_METADATA = (
    "name",
    "description",
    "version",
    "qgisMinimumVersion",
    "author",
    "email",
    "about",
    "tracker",
    "repository",
)


@pytest.fixture(scope="module")
def plugin_zip(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("dist") / "sitewatch.zip"
    subprocess.run(
        ["/usr/bin/python3", str(REPO / "scripts" / "package.py"), str(target)], check=True, capture_output=True
    )
    return target


def test_metadata_has_every_required_field():
    config = configparser.RawConfigParser()
    config.optionxform = str
    config.read(REPO / "metadata.txt")
    general = dict(config["general"])
    for key in REQUIRED_METADATA:
        assert general.get(key, "").strip(), key
    assert general["qgisMinimumVersion"] == "3.40"
    assert general["hasProcessingProvider"] == "yes"
    assert (REPO / general["icon"]).is_file()


def test_zip_follows_the_plugin_repository_rules(plugin_zip):
    names = zipfile.ZipFile(plugin_zip).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"sitewatch"}
    assert re.fullmatch(r"[a-z_][a-z0-9_]*", "sitewatch")
    assert "sitewatch/LICENSE" in names and "sitewatch/metadata.txt" in names
    forbidden = [
        n
        for n in names
        if "__pycache__" in n
        or n.endswith((".pyc", ".pyo"))
        or "/.git" in n
        or n.startswith(("sitewatch/tests/", "sitewatch/.ci/", "sitewatch/bench/"))
    ]
    assert forbidden == []
    assert plugin_zip.stat().st_size < 25 * 1024 * 1024
    assert "GNU GENERAL PUBLIC LICENSE" in zipfile.ZipFile(plugin_zip).read("sitewatch/LICENSE").decode()


def test_installed_zip_is_enabled_and_its_algorithms_run(plugin_zip, tmp_path):
    profiles = tmp_path / "qgis"
    subprocess.run(
        ["bash", str(REPO / "scripts" / "install-plugin.sh"), str(plugin_zip), str(profiles / "profiles" / "default")],
        check=True,
        capture_output=True,
    )
    installed = profiles / "profiles" / "default" / "python" / "plugins" / "sitewatch"
    assert (installed / "metadata.txt").is_file() and not (installed / "tests").exists()
    env = {k: v for k, v in os.environ.items() if k not in ("QGIS_PLUGINPATH", "PYTHONPATH")}
    env.update(QGIS_CUSTOM_CONFIG_PATH=str(profiles), QT_QPA_PLATFORM="offscreen")
    listing = subprocess.run(["qgis_process", "list"], env=env, capture_output=True, text=True, timeout=300)
    for algorithm in ("createassessment", "changescore", "compounddamage", "exportreport"):
        assert f"sitewatch:{algorithm}" in listing.stdout, algorithm
