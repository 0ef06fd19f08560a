"""Build the plugin zip for Plugins ▸ Install from ZIP and plugins.qgis.org.

One top folder ``sitewatch/``; only what the plugin needs at run time (no tests, CI, bench,
sample generator, caches or VCS files)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
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


def scan(zip_path: Path) -> list[str]:
    """Run Bandit and detect-secrets over the zip's contents, as plugins.qgis.org does on every
    upload; returns one line per finding (none: the upload is accepted)."""
    findings = []
    with tempfile.TemporaryDirectory() as folder:
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(folder)
        top = str(Path(folder) / TOP)
        bandit = subprocess.run(
            [sys.executable, "-m", "bandit", "-r", "-q", "-f", "json", top], capture_output=True, text=True
        )
        if bandit.returncode not in (0, 1) or not bandit.stdout.strip():
            raise SystemExit(f"bandit did not run: {bandit.stderr.strip()}")
        for result in json.loads(bandit.stdout)["results"]:
            where = Path(result["filename"]).relative_to(folder)
            findings.append(f"bandit {result['test_id']} {where}:{result['line_number']}: {result['issue_text']}")
        secrets = subprocess.run(
            [sys.executable, "-m", "detect_secrets", "scan", "--all-files", top],
            capture_output=True,
            text=True,
            check=True,
            cwd=folder,
        )
        for name, hits in json.loads(secrets.stdout)["results"].items():
            findings.extend(f"detect-secrets {hit['type']} {name}:{hit['line_number']}" for hit in hits)
    return findings


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--scan"]
    out = build(Path(arguments[0] if arguments else ROOT / "dist" / "sitewatch.zip"))
    sys.stdout.write(f"built {out} ({out.stat().st_size / 1e6:.2f} MB)\n")
    if "--scan" in sys.argv[1:]:
        found = scan(out)
        sys.stdout.write("".join(f"{line}\n" for line in found))
        sys.stdout.write(f"security scan (bandit, detect-secrets) of {out.name}: {len(found)} finding(s)\n")
        sys.exit(1 if found else 0)
