"""``manifest.json`` of an export: every file with its SHA-256 and the parameters used."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..assessment.observations import now_iso

MANIFEST_NAME = "manifest.json"
GENERATOR = "SiteWatch exportreport"
"""The manifest's ``generator``: how a SiteWatch export is told from another program's folder."""


"""Keys whose values differ between two otherwise identical exports."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(folder: Path, parameters: dict[str, object], summary: dict[str, object]) -> Path:
    """Write the manifest of every file in ``folder`` (sorted by name) and return its path."""
    files = [
        {"file": path.name, "bytes": path.stat().st_size, "sha256": sha256(path)}
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name != MANIFEST_NAME
    ]
    manifest = {
        "created_at": now_iso(),
        "generator": GENERATOR,
        "parameters": parameters,
        "summary": summary,
        "files": files,
    }
    path = folder / MANIFEST_NAME
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
