"""Import earlier damage assessments as observations, matched to structures (history kept).

Points go to the structure containing them, else the nearest within the match distance;
polygons to the structure they overlap best (IoU ≥ 0.5). Unmatched sites become small square
(points) or as-drawn (polygons) structures flagged in ``notes``, or are skipped. An existing
observation of the same structure and date is kept, replaced (the old one goes to the
history) or makes the import refuse. Everything is checked first and written in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCoordinateTransformContext,
    QgsGeometry,
    QgsVectorLayer,
)

from .. import values
from ..annotation.compounds import CompoundIndex
from ..assessment import schema
from ..assessment.observations import Observation, now_iso
from ..assessment.records import AttributeUpdate, FeatureRecord
from ..assessment.store import AssessmentStore, WriteCancelled
from ..attributes import text
from ..damage.table import ALL, UNASSIGNED
from ..errors import SiteWatchError
from .assessment_layers import AssessmentLayers
from .damage_formats import DamageSite, Problems, detect_format, ems_status, read_xbd, reading_date, unosat_readings
from .geometry import FootprintIndex, checked_polygon
from .ids import IdSequence
from .sitewatch_export import export_compounds, is_sitewatch_export, read_sitewatch
from .sources import layers_released_on_error, open_source

CONFLICTS = ("keep", "replace", "refuse")
UNMATCHED = ("create", "skip")
SQUARE_M = 10.0
"""Side of the square structure made for an unmatched point."""


@dataclass(frozen=True)
class DamageOptions:
    analyst: str
    format: str | None = None
    image_date: str | None = None
    date_field: str | None = None
    match_distance_m: float = 10.0
    unmatched: str = "create"
    conflict: str = "keep"
    dedupe_iou: float = 0.5


@dataclass
class DamageImport:
    format: str = ""
    sites: int = 0
    recorded: int = 0
    replaced: int = 0
    kept: int = 0
    unmatched: int = 0
    created: int = 0
    history: int = 0
    """Rows of a SiteWatch export's history recorded before the observation that replaced them."""
    history_left: int = 0
    """Archived rows of a SiteWatch export's history not imported (their structure or observation is gone)."""
    compounds: int = 0
    """Compounds of a SiteWatch export added (those the assessment did not have, by id)."""
    records: list[FeatureRecord] = field(default_factory=list)
    updates: list[AttributeUpdate] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)

    def summary(self) -> list[str]:
        lines = [
            f"{self.sites} {self.format} sites read: {self.recorded} observations recorded "
            f"({self.replaced} replacing earlier ones, {self.kept} existing kept); {self.unmatched} sites "
            f"matched no structure, {self.created} structures created for them."
        ]
        if self.history:
            lines.append(f"History rows of the export kept in the history (as replaced): {self.history}.")
        if self.history_left:
            lines.append(
                f"History rows of the export not imported (their structure was deleted or their observation "
                f"removed): {self.history_left}."
            )
        if self.compounds:
            lines.append(f"Compounds of the export added, with their structures assigned to them: {self.compounds}.")
        return lines


def read_sites(
    source: str | QgsVectorLayer, options: DamageOptions, problems: Problems
) -> tuple[str, list[DamageSite], QgsVectorLayer | None, int]:
    """The sites of the source in its own CRS (None layer for xBD JSON, which is WGS84) and the
    number of history rows left out (SiteWatch exports)."""
    path = Path(str(source).split("|", 1)[0]) if isinstance(source, str) else None
    fmt = options.format
    if fmt == "xbd" or (fmt is None and path is not None and path.suffix.lower() == ".json" and _is_xbd(path)):
        if path is None:
            raise SiteWatchError(
                "xBD damage is read from its JSON label file, not from a layer: give the path of the xBD .json file."
            )
        return "xbd", read_xbd(path, options.image_date, problems), None, 0
    if path is not None and (fmt == "sitewatch" or (fmt is None and is_sitewatch_export(path))):
        sites, structures, archived = read_sitewatch(path, problems)
        return "sitewatch", sites, structures, archived
    layer = open_source(source)
    if layer.geometryType() == Qgis.GeometryType.Null:
        raise SiteWatchError(f"'{layer.name()}' has no geometry; damage sites must be points or polygons.")
    names = layer.fields().names()
    fmt = fmt or detect_format(names)
    if fmt == "ems" and not options.image_date and not options.date_field:
        raise SiteWatchError("Copernicus EMS gradings carry no image date: give IMAGE_DATE (YYYY-MM-DD) or DATE_FIELD.")
    sites, seen = [], set()
    site_field = next((n for n in names if n.lower() == "siteid"), None)
    for feature in layer.getFeatures():
        attributes = dict(zip(names, feature.attributes()))
        reference = text(attributes.get(site_field)) if site_field else None
        reference = reference or str(feature.id())
        if fmt == "unosat":
            if site_field and reference in seen:
                problems.add("duplicate SiteID", reference)
            seen.add(reference)
            readings = unosat_readings(attributes, names, problems)
        else:
            status = ems_status(attributes.get("damage_gra"), problems)
            date = options.image_date
            if options.date_field:
                date = reading_date(attributes.get(options.date_field), problems, "EMS date") or date
            readings = [(date, status, "Copernicus EMS grading")] if status and date else []
        if readings:
            sites.append(DamageSite(feature.geometry(), reference, readings))
    return fmt, sites, layer, 0


def _is_xbd(path: Path) -> bool:
    with path.open(encoding="utf-8", errors="replace") as stream:
        head = stream.read(4096)
    return '"lng_lat"' in head or '"xy"' in head or '"subtype"' in head


def _square(point: QgsGeometry, side: float) -> QgsGeometry:
    centre = point.centroid().asPoint()
    half = side / 2
    return QgsGeometry.fromWkt(
        f"POLYGON(({centre.x() - half} {centre.y() - half},{centre.x() + half} {centre.y() - half},"
        f"{centre.x() + half} {centre.y() + half},{centre.x() - half} {centre.y() + half},"
        f"{centre.x() - half} {centre.y() - half}))"
    )


def _new_compounds(
    source: str | QgsVectorLayer, layers: AssessmentLayers, result: DamageImport
) -> CompoundIndex | None:
    """A SiteWatch export's compounds the assessment lacks (by id) as new records, and the index
    of every compound structures are assigned to; None when there are no compounds at all."""
    present = {str(f["compound_id"]): f.geometry() for f in layers.compounds.getFeatures()}
    exported = export_compounds(Path(str(source))) if isinstance(source, str) else None
    if exported is not None:
        transform = QgsCoordinateTransform(exported.crs(), layers.compounds.crs(), QgsCoordinateTransformContext())
        for feature in exported.getFeatures():
            compound_id = text(feature["compound"])
            if not compound_id or compound_id in (ALL, UNASSIGNED) or compound_id in present:
                continue
            if not feature.hasGeometry() or feature.geometry().isEmpty():
                continue
            geometry = QgsGeometry(feature.geometry())
            geometry.transform(transform)
            attributes: dict[str, object] = {"compound_id": compound_id, "name": text(feature["comp_name"])}
            result.records.append(FeatureRecord(schema.COMPOUNDS.name, attributes, geometry))
            present[compound_id] = geometry
            result.compounds += 1
    return CompoundIndex(present.items()) if present else None


def _assign_compounds(compounds: CompoundIndex | None, layers: AssessmentLayers, result: DamageImport) -> None:
    """Structures the import creates get their compound as drawn ones do; once compounds were
    added, so do the assessment's structures that were in none."""
    if compounds is None:
        return
    for record in result.records:
        if record.layer_name == schema.STRUCTURES.name:
            record.attributes["compound_id"] = compounds.assign(record.geometry)
    if not result.compounds:
        return
    for feature in layers.structures.getFeatures():
        if text(feature["compound_id"]) is None:
            compound_id = compounds.assign(feature.geometry())
            if compound_id is not None:
                update: dict[str, object] = {"compound_id": compound_id}
                result.updates.append(AttributeUpdate(schema.STRUCTURES.name, str(feature["structure_id"]), update))


def _plan_damage(
    store: AssessmentStore,
    source: str | QgsVectorLayer,
    options: DamageOptions,
    progress: Callable[[float], bool] | None,
    layers: AssessmentLayers,
) -> DamageImport:
    """Everything the import would write, checked; nothing is written."""
    problems = Problems()
    fmt, sites, layer, archived = read_sites(source, options, problems)
    problems.raise_if_any(layer.name() if layer is not None else str(source))
    crs = layers.structures.crs()
    source_crs = layer.crs() if layer is not None else None
    if source_crs is None or not source_crs.isValid():
        source_crs = QgsCoordinateReferenceSystem("EPSG:4326")
    transform = QgsCoordinateTransform(source_crs, crs, QgsCoordinateTransformContext())
    metres = options.match_distance_m if not crs.isGeographic() else options.match_distance_m / 111_320
    side = SQUARE_M if not crs.isGeographic() else SQUARE_M / 111_320
    index = FootprintIndex((f["structure_id"], f.geometry()) for f in layers.structures.getFeatures())
    ids = IdSequence(store, schema.STRUCTURES.name)
    existing = {(o.structure_id, o.observed_on) for o in store.observations()}
    result = DamageImport(format=fmt, sites=len(sites), history_left=archived)
    compounds = _new_compounds(source, layers, result) if fmt == "sitewatch" else None
    chosen: dict[tuple[str, str], Observation] = {}
    earlier: dict[tuple[str, str], list[Observation]] = {}
    recorded_at = now_iso()
    for number, site in enumerate(sites):
        if progress is not None and number % 500 == 0 and not progress(number / max(1, len(sites))):
            raise WriteCancelled("Import cancelled; nothing was written.")
        geometry = QgsGeometry(site.geometry)
        if geometry.isEmpty():
            raise SiteWatchError(f"Site {site.reference} has no geometry; nothing was imported.")
        geometry.transform(transform)
        is_point = geometry.type() == Qgis.GeometryType.Point
        structure_id: str | None
        if is_point:
            structure_id = index.containing(geometry) or index.nearest(geometry, metres)
        else:
            checked = checked_polygon(geometry)
            if checked.geometry is None:
                raise SiteWatchError(f"Site {site.reference}: {checked.refused}; nothing was imported.")
            geometry = checked.geometry
            match = index.best_match(geometry, options.dedupe_iou)
            structure_id = match[0] if match else None
        if structure_id is None:
            result.unmatched += 1
            if options.unmatched == "skip":
                continue
            footprint = _square(geometry, side) if is_point else geometry
            structure_id = ids.next()
            note = f"Created by a {fmt} import for unmatched site {site.reference}"
            attributes: dict[str, object] = {
                "structure_id": structure_id,
                "type": "building",
                "notes": note,
                "created_by": options.analyst,
                "created_at": recorded_at,
            }
            result.records.append(FeatureRecord(schema.STRUCTURES.name, attributes, footprint))
            index.add(structure_id, footprint)
            result.created += 1
        for date, status, reading_note in site.readings:
            key = (structure_id, date)
            original = site.originals.get(date)
            observation = (
                replace(original, structure_id=structure_id)
                if original is not None
                else Observation(structure_id, date, status, None, None, options.analyst, recorded_at, reading_note)
            )
            before = chosen.get(key)
            if before is None or _worse(status, before.status):
                chosen[key] = observation
                earlier[key] = site.earlier.get(date, [])
    conflicts = [key for key in chosen if key in existing]
    if conflicts and options.conflict == "refuse":
        raise SiteWatchError(
            f"{len(conflicts)} imported observations fall on dates the assessment already has an observation for "
            f"(e.g. {conflicts[0][0]} on {conflicts[0][1]}); nothing was imported. Use CONFLICT=keep or replace."
        )
    for key, observation in chosen.items():
        if key in existing and options.conflict == "keep":
            result.kept += 1
            continue
        result.replaced += key in existing
        history = earlier.get(key, [])
        result.history += len(history)
        result.observations += [replace(o, structure_id=key[0]) for o in history]  # archived as replaced
        result.observations.append(observation)
        result.recorded += 1
    _assign_compounds(compounds, layers, result)
    return result


def plan_damage(
    store: AssessmentStore,
    source: str | QgsVectorLayer,
    options: DamageOptions,
    progress: Callable[[float], bool] | None = None,
    layers: AssessmentLayers | None = None,
) -> DamageImport:
    """Everything the import would write, checked; nothing is written (the Import dialog's preview)."""
    with layers_released_on_error():
        return _plan_damage(store, source, options, progress, layers or AssessmentLayers.of(store))


def _worse(status: str, than: str) -> bool:
    order = values.codes(values.STATUSES)
    return order.index(status) > order.index(than)


def import_damage(
    store: AssessmentStore,
    source: str | QgsVectorLayer,
    options: DamageOptions,
    progress: Callable[[float], bool] | None = None,
    layers: AssessmentLayers | None = None,
) -> DamageImport:
    """Plan, then write the new structures and observations in one transaction."""
    plan = plan_damage(store, source, options, None if progress is None else lambda f: progress(f / 2), layers)
    store.import_batch(
        plan.records,
        plan.observations,
        None if progress is None else lambda f: progress(0.5 + f / 2),
        updates=plan.updates,
    )
    return plan
