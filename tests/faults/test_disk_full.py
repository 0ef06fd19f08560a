"""A disk that fills while changescore or compounddamage writes its output: one message saying
the disk is full and naming the file, no half-written output, the previous output unchanged.

The disk is a small tmpfs mounted by the test, so it needs root (and a system that allows the
mount); otherwise the test is skipped with the reason printed."""

from __future__ import annotations

import os
import subprocess

import pytest
from qgis.core import QgsProcessingException

import processing
from sitewatch.tests.helpers.change_pair import make_site, write_footprints
from sitewatch.tests.helpers.export_site import AFTER
from sitewatch.tests.helpers.faults import checksums


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs mounted on tmp_path / 'disk', unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("a full disk is simulated with a tmpfs, which only root can mount; run the tests as root")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


def _fill(disk, leave: int) -> None:
    """Fill ``disk`` until about ``leave`` bytes are free."""
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    (disk / "filler.bin").write_bytes(b"\0" * max(0, free - leave))


def test_compounddamage_on_a_full_disk_says_so_and_keeps_the_previous_output(sitewatch_provider, site_path, small_disk):
    output = small_disk / "damage.gpkg"
    parameters = {
        "STRUCTURES": f"{site_path}|layername=structures",
        "OBSERVATIONS": f"{site_path}|layername=observations",
        "COMPOUNDS": f"{site_path}|layername=compounds",
        "AFTER_DATE": AFTER,
        "OUTPUT": str(output),
    }
    processing.run("sitewatch:compounddamage", parameters)
    _fill(small_disk, 16 * 1024)
    before = checksums(small_disk)
    with pytest.raises(QgsProcessingException, match=f"Disk full while writing {output}: nothing was written"):
        processing.run("sitewatch:compounddamage", parameters)
    assert checksums(small_disk) == before


def test_changescore_on_a_full_disk_says_so_and_leaves_nothing(sitewatch_provider, small_disk, tmp_path):
    site = make_site(tmp_path)
    structures = tmp_path / "structures.gpkg"
    write_footprints(site, structures)
    _fill(small_disk, 16 * 1024)
    before = checksums(small_disk)
    output = small_disk / "scored.gpkg"
    parameters = {
        "BEFORE": str(site.before),
        "AFTER": str(site.after),
        "STRUCTURES": str(structures),
        "OUTPUT": str(output),
    }
    with pytest.raises(QgsProcessingException, match=f"Disk full while writing {output}: nothing was written"):
        processing.run("sitewatch:changescore", parameters)
    assert checksums(small_disk) == before
