"""Shared fixtures for every test folder: assessments on disk, the SiteWatch provider,
qgis_process runs, the whole plugin loaded, and the export and sample sites."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsSettings

from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.processing.provider import SiteWatchProvider
from sitewatch.tests.helpers.constants import PACKAGE_HOME, UTM37N
from sitewatch.tests.helpers.export_site import build_site
from sitewatch.tests.helpers.review_site import loaded_plugin
from sitewatch.ui import settings


@pytest.fixture(autouse=True)
def analyst_named():
    """An analyst name in QGIS's settings, as after the first question: opening an assessment
    then asks nothing (a modal question would wait forever offscreen). Tests of the question
    remove it with their own fixture; whatever was there before is put back."""
    key = settings.PREFIX + "analyst"
    kept = QgsSettings().value(key, None)
    if not settings.has_analyst_name():
        settings.set_analyst_name("Test Analyst")
    yield
    if kept is None:
        QgsSettings().remove(key)
    else:
        QgsSettings().setValue(key, kept)


@pytest.fixture
def assessment(tmp_path: Path) -> GeoPackageStore:
    """A new, empty assessment in UTM zone 37N."""
    return GeoPackageStore.create(tmp_path / "site.gpkg", UTM37N, site_name="Test site")


@pytest.fixture
def sitewatch_provider(qgis_processing):
    """The SiteWatch provider registered with the processing registry (as initProcessing does),
    and removed again afterwards so other tests see the registry as the plugin left it."""
    registry = QgsApplication.processingRegistry()
    provider = SiteWatchProvider()
    assert registry.addProvider(provider), "another SiteWatch provider is still registered"
    yield provider
    registry.removeProvider(provider)


@pytest.fixture(scope="session")
def qgis_process(tmp_path_factory):
    """Run ``qgis_process`` with the plugin enabled in a throw-away profile; returns a runner."""
    executable = shutil.which("qgis_process")
    if executable is None:
        pytest.fail("qgis_process is not installed: run scripts/install-deps.sh")
    profile = tmp_path_factory.mktemp("qgis-profile")
    env = dict(
        os.environ, QGIS_PLUGINPATH=str(PACKAGE_HOME), QGIS_CUSTOM_CONFIG_PATH=str(profile), QT_QPA_PLATFORM="offscreen"
    )

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([executable, *args], env=env, capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            raise AssertionError(f"qgis_process {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    run("plugins", "enable", "sitewatch")
    return run


@pytest.fixture
def plugin(qgis_iface, qgis_new_project):
    """The whole plugin loaded on the test interface (no assessment open), unloaded afterwards."""
    yield from loaded_plugin(qgis_iface)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> GeoPackageStore:
    """The export site of helpers/export_site.py, built once per module."""
    return build_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def site_path(tmp_path_factory) -> Path:
    """The path of the export site's assessment, built once per module."""
    return Path(build_site(tmp_path_factory.mktemp("site")).location)


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory):
    """A small generated sample site (its truth is read only to check the outcome)."""
    generator = pytest.importorskip("sitewatch.sample.generate_site")
    return generator.generate_site(tmp_path_factory.mktemp("sample"), "desert", 800)


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throw-away PostgreSQL + PostGIS server on a Unix socket in a temporary folder, for the
    whole run; removed afterwards. Fails (never skips) with the reason when it cannot start."""
    from sitewatch.tests.helpers.postgres import ClusterError, start_cluster, stop_cluster

    try:
        cluster = start_cluster()
    except ClusterError as error:
        pytest.fail(f"The PostgreSQL test cluster cannot start: {error}", pytrace=False)
    yield cluster
    stop_cluster(cluster)


@pytest.fixture
def pg_location(postgres_cluster) -> str:
    """The location of a new (not yet created) assessment schema in the test cluster."""
    return postgres_cluster.location(postgres_cluster.new_schema_name())


@pytest.fixture
def pg_assessment(pg_location):
    """A new, empty PostGIS assessment in UTM zone 37N."""
    from sitewatch.core.assessment.postgis import PostgisStore

    store = PostgisStore.create(pg_location, UTM37N, site_name="Test site")
    yield store
    store.close()
