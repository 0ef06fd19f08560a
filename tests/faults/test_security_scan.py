"""The plugin zip passes Bandit and detect-secrets with no finding (plugins.qgis.org blocks an
upload on any), and the scan does find an assert or a key slipped into the zip."""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
import zipfile

from sitewatch.tests.helpers.constants import REPO


def _scan(zip_path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "scripts" / "package.py"), "--scan", str(zip_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_packaged_zip_has_no_finding_and_few_nosec(tmp_path):
    result = _scan(tmp_path / "sitewatch.zip")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 finding(s)" in result.stdout
    nosec = []
    with zipfile.ZipFile(tmp_path / "sitewatch.zip") as archive:
        for name in archive.namelist():
            if name.endswith(".py"):
                for line in archive.read(name).decode().splitlines():
                    if "# nosec" in line:
                        nosec.append((name, line))
    assert len(nosec) < 5, nosec
    assert all(re.search(r"# nosec B\d+ .*\w", line) for _, line in nosec), nosec  # each with a reason


def test_the_scan_finds_an_assert_and_a_secret(tmp_path):
    zip_path = tmp_path / "sitewatch.zip"
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "package.py"), str(zip_path)], check=True, capture_output=True
    )
    leak = tmp_path / "leak.py"
    leak.write_text('AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n\n\ndef f(x):\n    assert x\n')
    with zipfile.ZipFile(zip_path, "a") as archive:
        archive.write(leak, "sitewatch/core/leak.py")
    found = runpy.run_path(str(REPO / "scripts" / "package.py"))["scan"](zip_path)
    assert any(line.startswith("bandit B101 sitewatch/core/leak.py:5") for line in found), found
    assert any(line.startswith("detect-secrets") and "sitewatch/core/leak.py:1" in line for line in found), found
