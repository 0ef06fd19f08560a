"""Build the plugin zip for Plugins ▸ Install from ZIP and plugins.qgis.org.

One top folder ``sitewatch/``; only what the plugin needs at run time (no tests, CI, bench,
sample generator, caches or VCS files)."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOP = "sitewatch"
INCLUDE_FILES = ("__init__.py", "plugin.py", "metadata.txt", "LICENSE", "README.md")
INCLUDE_DIRS = ("core", "ui", "processing", "resources")
EXCLUDED_SUFFIXES = (".pyc", ".pyo")


def plugin_files() -> list[Path]:
    files = [ROOT / name for name in INCLUDE_FILES]
    for folder in INCLUDE_DIRS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in EXCLUDED_SUFFIXES:
                files.append(path)
    return files


def build(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_suffix(".zip.tmp")
    with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in plugin_files():
            info = zipfile.ZipInfo(f"{TOP}/{path.relative_to(ROOT).as_posix()}", date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    temp.replace(target)
    return target


if __name__ == "__main__":
    out = build(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "dist" / "sitewatch.zip"))
    sys.stdout.write(f"built {out} ({out.stat().st_size / 1e6:.2f} MB)\n")
