"""SiteWatch's own exports (``sitewatch:exportreport``) read back as damage sites.

An export carries the full observation history in its ``observations`` table (the export
GeoPackage's table or ``<prefix>_observations.csv``) and the footprints in its ``structures``
layer (GeoPackage, shapefile, GeoJSON or CSV with WKT). Each current observation is read with
its image, confidence, analyst, recording time and notes, so an export imported into another
assessment gives the same observations; the history rows a current observation replaced are
recorded before it, so they reach the receiving assessment's history (reason ``replaced``,
archived at the time of the import). Status labels are read in the export's scheme (the
``manifest.json`` beside it, else the first scheme all labels belong to); the ``ems`` and
``xbd`` schemes merge some statuses (EMS *Damaged* = moderate or severe), which are read as
the lower grade, as the EMS and xBD imports do. Archived rows of structures the export no
longer holds, or of observations removed for good, are counted, not imported.
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


def _observation(row: dict[str, object], structure: str, date: str, status: str) -> Observation:
    return Observation(
        structure,
        date,
        status,
        text(row.get("image_id")),
        text(row.get("confidence")),
        text(row.get("analyst")),
        _recorded(row.get("recorded")),
        text(row.get("notes")),
    )


def read_sitewatch(path: Path, problems: Problems) -> tuple[list[DamageSite], QgsVectorLayer, int]:
    """The export's structures with their current observations (structures layer's CRS), each
    with the history rows it replaced (``earlier``), and how many archived rows are left out
    (those of structures the export no longer holds or observations removed for good)."""
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
    archived = sorted((row for row in rows if text(row.get("archived")) is not None), key=_archived_at)
    labels = {(text(row.get("status")) or "").strip().lower() for row in rows}
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
        original = _observation(row, structure, date, status)
        site.readings.append((date, status, original.notes))
        site.originals[date] = original
    carried = 0
    for row in archived:
        structure = text(row.get("struct_id")) or ""
        date = reading_date(row.get("obs_date"), problems, "SiteWatch obs_date")
        raw = text(row.get("status"))
        status = known.get((raw or "").strip().lower())
        if status is None:
            problems.add("SiteWatch status", str(raw))
        replacing = sites.get(structure)
        if replacing is None or date is None or status is None or date not in replacing.originals:
            continue  # its structure was deleted, or the observation removed for good: not carried
        replacing.earlier.setdefault(date, []).append(_observation(row, structure, date, status))
        carried += 1
    return list(sites.values()), layer, len(archived) - carried


def _archived_at(row: dict[str, object]) -> str:
    return _recorded(row.get("archived"))


def _recorded(value: object) -> str:
    """The recording time as SiteWatch stores it (``YYYY-MM-DDTHH:MM:SS.SSSZ``) from an export's value."""
    recorded = text(value) or ""
    if hasattr(value, "toString"):
        recorded = value.toString("yyyy-MM-ddTHH:mm:ss.zzzZ")
    return recorded


def export_compounds(path: Path) -> QgsVectorLayer | None:
    """The compounds layer of the export ``path`` belongs to (its GeoPackage's layer, or the
    ``<prefix>_compounds`` file beside its structures); None when the export has none."""
    files = find_export_files(path)
    if files is None:
        return None
    structures = files.structures
    if "|layername=structures" in structures:
        uri = structures.replace("|layername=structures", "|layername=compounds")
    else:
        source = Path(structures)
        uri = str(source.with_name(source.stem[: -len("_structures")] + "_compounds" + source.suffix))
        if not Path(uri).is_file():
            return None
    layer = open_source(uri) if not uri.endswith("|layername=compounds") else QgsVectorLayer(uri, "compounds", "ogr")
    return layer if layer.isValid() and "compound" in layer.fields().names() else None
