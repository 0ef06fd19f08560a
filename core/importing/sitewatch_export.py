"""SiteWatch's own exports (``sitewatch:exportreport``) read back as damage sites.

An export carries the full observation history in its ``observations`` table (the export
GeoPackage's table or ``<prefix>_observations.csv``) and the footprints in its ``structures``
layer (GeoPackage, shapefile, GeoJSON or CSV with WKT). Each current observation is read with
its image, confidence, analyst, recording time and notes, so an export imported into another
assessment gives the same observations. Status labels are read in the export's scheme (the
``manifest.json`` beside it, else the first scheme all labels belong to); the ``ems`` and
``xbd`` schemes merge some statuses (EMS *Damaged* = moderate or severe), which are read as
the lower grade, as the EMS and xBD imports do. Archived rows (the history) are counted, not
imported: the receiving assessment keeps its own history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from qgis.core import QgsVectorLayer

from .. import values
from ..assessment.observations import Observation
from ..attributes import text
from ..errors import SiteWatchError
from ..export import fields
from .damage_formats import DamageSite, Problems, reading_date
from .sources import open_source

_PREFERRED = ("unknown", "intact", "moderate", "possible", "severe", "destroyed", "absent", "construction")
"""Which status a label shared by several statuses of a scheme is read as (the lower damage grade)."""
_SPATIAL_SUFFIXES = (".gpkg", ".shp", ".geojson", ".csv")


def scheme_labels(scheme: str) -> dict[str, str]:
    """Lower-cased label → status code of one export scheme."""
    labels: dict[str, str] = {}
    for code in _PREFERRED:
        labels.setdefault(values.status_name(code, scheme).lower(), code)
    return labels


@dataclass
class ExportFiles:
    """The two parts of an export that hold the damage: footprints and observations."""

    structures: str
    observations: str
    scheme: str | None = None
    archived: int = field(default=0)


def is_sitewatch_export(path: Path) -> bool:
    """Whether ``path`` is a SiteWatch export's GeoPackage, structures layer or observations CSV."""
    try:
        return find_export_files(path) is not None
    except SiteWatchError:
        return False


def find_export_files(path: Path) -> ExportFiles | None:
    """The export parts ``path`` belongs to; None when ``path`` is not part of a SiteWatch export."""
    if path.is_dir():
        candidates = sorted(path.glob("*.gpkg")) or sorted(path.glob("*_observations.csv"))
        return find_export_files(candidates[0]) if candidates else None
    scheme = _manifest_scheme(path.parent)
    if path.suffix.lower() == ".gpkg":
        files = ExportFiles(f"{path}|layername=structures", f"{path}|layername=observations", scheme)
    else:
        stem = path.stem
        prefix = next((stem[: -len(s)] for s in ("_structures", "_observations") if stem.endswith(s)), None)
        if prefix is None:
            return None
        observations = path.parent / f"{prefix}_observations.csv"
        structures = next(
            (
                candidate
                for candidate in [path.parent / f"{prefix}.gpkg"]
                + [path.parent / f"{prefix}_structures{suffix}" for suffix in _SPATIAL_SUFFIXES[1:]]
                if candidate.is_file()
            ),
            None,
        )
        if structures is None or not observations.is_file():
            return None
        uri = f"{structures}|layername=structures" if structures.suffix == ".gpkg" else str(structures)
        files = ExportFiles(uri, str(observations), scheme)
    probe = QgsVectorLayer(files.observations, "observations", "ogr")
    if not probe.isValid() or not set(fields.OBSERVATIONS.field_names()) <= set(probe.fields().names()):
        return None
    return files


def _manifest_scheme(folder: Path) -> str | None:
    try:
        scheme = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["parameters"]["scheme"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return str(scheme) if scheme in values.SCHEMES else None


def _scheme_of(labels: set[str], given: str | None) -> str:
    if given is not None:
        return given
    for scheme in values.SCHEMES:
        if labels <= set(scheme_labels(scheme)):
            return scheme
    return "sitewatch"


def read_sitewatch(path: Path, problems: Problems) -> tuple[list[DamageSite], QgsVectorLayer, int]:
    """The export's structures with their current observations (structures layer's CRS), and
    how many archived (history) rows were left out."""
    files = find_export_files(path)
    if files is None:
        raise SiteWatchError(
            f"'{path.name}' is not a SiteWatch export: give its GeoPackage, its structures layer or its "
            "observations CSV, with the observations table (struct_id, obs_date, status, …) beside it."
        )
    table = QgsVectorLayer(files.observations, "observations", "ogr")
    names = table.fields().names()
    rows = [dict(zip(names, feature.attributes())) for feature in table.getFeatures()]
    current = [row for row in rows if text(row.get("archived")) is None]
    labels = {(text(row.get("status")) or "").strip().lower() for row in current}
    known = scheme_labels(_scheme_of(labels, files.scheme))
    layer = open_source(files.structures)
    geometries = {text(f["struct_id"]): f.geometry() for f in layer.getFeatures()}
    sites: dict[str, DamageSite] = {}
    for row in current:
        structure = text(row.get("struct_id")) or ""
        raw = text(row.get("status"))
        status = known.get((raw or "").strip().lower())
        date = reading_date(row.get("obs_date"), problems, "SiteWatch obs_date")
        if status is None:
            problems.add("SiteWatch status", str(raw))
        if structure not in geometries:
            problems.add("struct_id not in the structures layer", structure)
        if status is None or date is None or structure not in geometries:
            continue
        site = sites.setdefault(structure, DamageSite(geometries[structure], structure))
        original = Observation(
            structure,
            date,
            status,
            text(row.get("image_id")),
            text(row.get("confidence")),
            text(row.get("analyst")),
            _recorded(row.get("recorded")),
            text(row.get("notes")),
        )
        site.readings.append((date, status, original.notes))
        site.originals[date] = original
    return list(sites.values()), layer, len(rows) - len(current)


def _recorded(value: object) -> str:
    """The recording time as SiteWatch stores it (``YYYY-MM-DDTHH:MM:SS.SSSZ``) from an export's value."""
    recorded = text(value) or ""
    if hasattr(value, "toString"):
        recorded = value.toString("yyyy-MM-ddTHH:mm:ss.zzzZ")
    return recorded
