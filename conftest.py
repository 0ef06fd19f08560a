"""Make the repo root importable as the package ``sitewatch`` without putting the root itself
on ``sys.path`` (its ``processing/`` package must never shadow QGIS's own)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
PACKAGE_HOME = ROOT / ".build" / "pkgroot"
link = PACKAGE_HOME / "sitewatch"
if not link.is_symlink():
    PACKAGE_HOME.mkdir(parents=True, exist_ok=True)
    link.symlink_to(ROOT, target_is_directory=True)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT]
if str(PACKAGE_HOME) not in sys.path:
    sys.path.insert(0, str(PACKAGE_HOME))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_HOME), os.environ.get("PYTHONPATH")]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
