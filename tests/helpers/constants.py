"""Where the checkout is, where it is importable as ``sitewatch``, and the test sites' CRS."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsCoordinateReferenceSystem

REPO = Path(__file__).resolve().parents[2]
"""The repository root (this file is tests/helpers/constants.py, symlinks resolved)."""
PACKAGE_HOME = REPO / ".build" / "pkgroot"
"""The folder holding the ``sitewatch`` symlink to REPO: PYTHONPATH for subprocesses."""
UTM37N = QgsCoordinateReferenceSystem("EPSG:32637")
