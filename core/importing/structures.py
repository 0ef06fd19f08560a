"""Import building footprints as structures: type mapping, extent filter, repair, dedupe.

:func:`plan_structures` reads the source and works out everything without writing (the
Import dialog shows its counts as a preview); :func:`import_structures` then writes the new
structures through the store in one transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from qgis.core import Qgis, QgsCoordinateTransformContext, QgsFeatureRequest, QgsGeometry, QgsVectorLayer

from ..assessment import schema
from ..assessment.observations import now_iso
from ..assessment.records import FeatureRecord
from ..assessment.store import AssessmentStore, WriteCancelled
from ..errors import SiteWatchError
from .geometry import FootprintIndex, checked_polygon
from .ids import IdSequence
from .sources import layers_released_on_error, require_geometry
from .type_map import TypeMapper

Progress = Callable[[float], bool]
"""Called with the fraction done (0 to 1); returns False to cancel."""

OSM_TYPE_FIELD = "building"
"""Taken as the type field when none is given and the source has it (OSM extracts)."""


@dataclass(frozen=True)
class StructureOptions:
    """How to import: which field holds the type and how its values map, the IoU at which a
    footprint duplicates one already there, the area to keep (a polygon in any CRS)."""

    analyst: str
    type_field: str | None = None
    type_map: dict[str, str] = field(default_factory=dict)
    dedupe_iou: float = 0.5
    extent: QgsGeometry | None = None
    """The area to import, already in the assessment's CRS; None keeps everything."""


@dataclass
class StructureImport:
    """What an import does (or did): the new structures and the counts reported to the user."""

    records: list[FeatureRecord] = field(default_factory=list)
    read: int = 0
    duplicates: int = 0
    repaired: int = 0
    outside: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    unmapped: Counter[str] = field(default_factory=Counter)

    @property
    def imported(self) -> int:
        return len(self.records)

    def summary(self) -> list[str]:
        """The report, one line per fact, as shown in the log and the dialog."""
        lines = [
            f"{self.read} footprints read: {self.imported} new, {self.duplicates} duplicates skipped, "
            f"{sum(self.refused.values())} refused, {self.outside} outside the extent; {self.repaired} repaired."
        ]
        lines += [f"Refused ({reason}): {count}" for reason, count in sorted(self.refused.items())]
        lines += [f"Type '{value}' not mapped, imported as 'other': {n}" for value, n in self.unmapped.most_common()]
        return lines


def _type_field(layer: QgsVectorLayer, requested: str | None) -> str | None:
    names = layer.fields().names()
    if requested:
        if requested not in names:
            raise SiteWatchError(
                f"'{layer.name()}' has no field '{requested}' for TYPE_FIELD; its fields are {', '.join(names)}."
            )
        return requested
    return OSM_TYPE_FIELD if OSM_TYPE_FIELD in names else None


def check_source(layer: QgsVectorLayer, options: StructureOptions) -> str | None:
    """Refuse a source that cannot hold footprints; returns the type field to read."""
    require_geometry(layer, (Qgis.GeometryType.Polygon,), "building footprints must be polygons")
    return _type_field(layer, options.type_field)


def _plan_structures(
    store: AssessmentStore, layer: QgsVectorLayer, options: StructureOptions, progress: Progress | None = None
) -> StructureImport:
    """Everything the import would do, without writing. Raises SiteWatchError for a source
    that cannot hold footprints and WriteCancelled when ``progress`` returns False."""
    type_field = check_source(layer, options)
    mapper = TypeMapper(options.type_map)
    crs = store.crs()
    existing = store.layer(schema.STRUCTURES.name)
    index = FootprintIndex((f["structure_id"], f.geometry()) for f in existing.getFeatures())
    compounds = store.compound_index() if store.layer(schema.COMPOUNDS.name).featureCount() else None
    ids = IdSequence(store, schema.STRUCTURES.name)
    request = QgsFeatureRequest().setDestinationCrs(crs, QgsCoordinateTransformContext())
    request.setInvalidGeometryCheck(Qgis.InvalidGeometryCheck.NoCheck)
    if type_field is None:
        request.setNoAttributes()
    else:
        request.setSubsetOfAttributes([type_field], layer.fields())
    extent = options.extent
    extent_box = extent.boundingBox() if extent is not None else None
    total = max(1, layer.featureCount())
    created_at = now_iso()
    result = StructureImport()
    for feature in layer.getFeatures(request):
        result.read += 1
        if progress is not None and result.read % 1000 == 0 and not progress(min(1.0, result.read / total)):
            raise WriteCancelled("Import cancelled; nothing was written.")
        checked = checked_polygon(feature.geometry())
        if checked.refused is not None or checked.geometry is None:
            result.refused[checked.refused or ""] += 1
            result.repaired += checked.repaired
            continue
        geometry = checked.geometry
        if extent is not None and extent_box is not None:
            box = geometry.boundingBox()
            if not box.intersects(extent_box) or not (extent_box.contains(box) or geometry.intersects(extent)):
                result.outside += 1
                continue
        if index.best_match(geometry, options.dedupe_iou) is not None:
            result.duplicates += 1
            continue
        result.repaired += checked.repaired
        structure_id = ids.next()
        index.add(structure_id, geometry)
        attributes: dict[str, object] = {
            "structure_id": structure_id,
            "type": mapper.type_of(feature[type_field]) if type_field else "building",
            "compound_id": compounds.assign(geometry) if compounds is not None else None,
            "created_by": options.analyst,
            "created_at": created_at,
        }
        result.records.append(FeatureRecord(schema.STRUCTURES.name, attributes, geometry))
    result.unmapped = mapper.unmapped
    if result.read == 0:
        raise SiteWatchError(f"'{layer.name()}' holds no features; nothing was imported.")
    return result


def plan_structures(
    store: AssessmentStore, layer: QgsVectorLayer, options: StructureOptions, progress: Progress | None = None
) -> StructureImport:
    """Everything the import would do, without writing (see :func:`_plan_structures`)."""
    with layers_released_on_error():
        return _plan_structures(store, layer, options, progress)


def import_structures(
    store: AssessmentStore, layer: QgsVectorLayer, options: StructureOptions, progress: Progress | None = None
) -> StructureImport:
    """Plan the import, then write every new structure in one transaction (all or nothing).

    Reading is the first half of ``progress``, writing the second."""
    plan = plan_structures(store, layer, options, None if progress is None else lambda f: progress(f / 2))
    store.import_batch(plan.records, (), None if progress is None else lambda f: progress(0.5 + f / 2))
    return plan
