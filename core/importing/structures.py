"""Import building footprints as structures: type mapping, extent filter, repair, dedupe.

:func:`plan_structures` reads the source and works out everything without writing (the
Import dialog shows its counts as a preview); :func:`import_structures` works it out the same way
and writes the new structures through the store as it reads, by batches, in one transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from qgis.core import (
    Qgis,
    QgsCoordinateTransformContext,
    QgsFeatureRequest,
    QgsGeometry,
    QgsRectangle,
    QgsVectorLayer,
)

from ..annotation.compounds import CompoundIndex
from ..assessment import schema
from ..assessment.observations import now_iso
from ..assessment.records import AttributeUpdate, FeatureRecord
from ..assessment.store import AssessmentStore, WriteCancelled
from ..attributes import text as attribute_text
from ..errors import SiteWatchError
from .assessment_layers import AssessmentLayers
from .geometry import FootprintIndex, checked_polygon
from .ids import IdSequence
from .sources import OSM_PROPERTY, layers_released_on_error, require_geometry
from .type_map import TypeMapper

Progress = Callable[[float], bool]
"""Called with the fraction done (0 to 1); returns False to cancel."""

OSM_TYPE_FIELD = "building"
"""Taken as the type field when none is given and the source has it (OSM extracts)."""
NAME_FIELD = "name"
"""Taken as the name field when none is given and the source has it (OSM extracts)."""


DUPLICATE_MODES = ("skip", "merge")
"""What happens to a footprint duplicating a structure already in the assessment: ``skip`` it,
or ``merge`` the source's type and name into that structure (its id, geometry and observations
stay)."""


@dataclass(frozen=True)
class StructureOptions:
    """How to import: which fields hold the type and name and how type values map, the IoU at
    which a footprint duplicates one already there and what then happens, the area to keep."""

    analyst: str
    type_field: str | None = None
    type_map: dict[str, str] = field(default_factory=dict)
    dedupe_iou: float = 0.5
    extent: QgsGeometry | None = None
    """The rectangle to import, already in the assessment's CRS; None keeps everything."""
    aoi: QgsGeometry | None = None
    """The area of interest (polygons), already in the assessment's CRS; None keeps everything.
    A footprint is kept when it intersects both the extent and the area of interest."""
    duplicates: str = "skip"
    name_field: str | None = None


@dataclass
class StructureImport:
    """What an import does (or did): the new structures, the existing ones merged into and the
    counts reported to the user."""

    records: list[FeatureRecord] = field(default_factory=list)
    """The new structures, kept by a plan (the preview); an import writes them as it reads."""
    written: int = 0
    """New structures written by an import (which does not keep them in ``records``)."""
    updates: list[AttributeUpdate] = field(default_factory=list)
    read: int = 0
    duplicates: int = 0
    repaired: int = 0
    outside: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    unmapped: Counter[str] = field(default_factory=Counter)

    @property
    def imported(self) -> int:
        return len(self.records) + self.written

    @property
    def merged(self) -> int:
        """Existing structures whose type or name the import changes."""
        return len(self.updates)

    def summary(self) -> list[str]:
        """The report, one line per fact, as shown in the log and the dialog."""
        handled = f"{self.merged} structures updated" if self.updates else "skipped"
        lines = [
            f"{self.read} footprints read: {self.imported} new, {self.duplicates} duplicates ({handled}), "
            f"{sum(self.refused.values())} refused, {self.outside} outside the extent; {self.repaired} repaired."
        ]
        lines += [f"Refused ({reason}): {count}" for reason, count in sorted(self.refused.items())]
        lines += [f"Type '{value}' not mapped, imported as 'other': {n}" for value, n in self.unmapped.most_common()]
        return lines


def _field(layer: QgsVectorLayer, requested: str | None, default: str, parameter: str) -> str | None:
    names = layer.fields().names()
    if requested:
        if requested not in names:
            raise SiteWatchError(
                f"'{layer.name()}' has no field '{requested}' for {parameter}; its fields are {', '.join(names)}."
            )
        return requested
    return default if default in names else None


def _no_buildings(layer: QgsVectorLayer) -> str:
    return (
        f"The OSM file '{layer.name()}' holds no buildings (no way or relation tagged building=*); "
        "nothing was imported. Take an extract that includes buildings."
    )


def check_source(layer: QgsVectorLayer, options: StructureOptions) -> str | None:
    """Refuse a source that cannot hold footprints (an OSM file without buildings among them);
    returns the type field to read."""
    require_geometry(layer, (Qgis.GeometryType.Polygon,), "building footprints must be polygons")
    if layer.customProperty(OSM_PROPERTY) and not next(layer.getFeatures(QgsFeatureRequest().setLimit(1)), None):
        raise SiteWatchError(_no_buildings(layer))
    if options.duplicates not in DUPLICATE_MODES:
        raise SiteWatchError(f"Duplicates mode '{options.duplicates}': use one of {', '.join(DUPLICATE_MODES)}.")
    _field(layer, options.name_field, NAME_FIELD, "NAME_FIELD")
    return _field(layer, options.type_field, OSM_TYPE_FIELD, "TYPE_FIELD")


class _Area:
    """The extent and area of interest as one test (prepared: thousands of footprints each)."""

    def __init__(self, options: StructureOptions):
        self.box = options.extent.boundingBox() if options.extent is not None else None
        self.extent = options.extent
        self.aoi = None
        if options.aoi is not None:
            self.aoi = QgsGeometry.createGeometryEngine(options.aoi.constGet())
            self.aoi.prepareGeometry()
            self.aoi_box = options.aoi.boundingBox()

    def keeps(self, geometry: QgsGeometry, box: QgsRectangle) -> bool:
        """Whether ``geometry`` (bounding box ``box``) is inside the extent and the area of interest."""
        if self.box is None and self.aoi is None:
            return True
        if (
            self.box is not None
            and self.extent is not None
            and not (box.intersects(self.box) and (self.box.contains(box) or geometry.intersects(self.extent)))
        ):
            return False
        if self.aoi is not None:
            return bool(box.intersects(self.aoi_box) and self.aoi.intersects(geometry.constGet()))
        return True


class _Existing:
    """The assessment's structures: their footprints (to find duplicates) and type and name
    (to merge into)."""

    def __init__(self, structures: QgsVectorLayer):
        self.attributes: dict[str, tuple[object, object]] = {}
        footprints = []
        for feature in structures.getFeatures():
            key = str(feature["structure_id"])
            self.attributes[key] = (attribute_text(feature["type"]), attribute_text(feature["name"]))
            footprints.append((key, feature.geometry()))
        self.index = FootprintIndex(footprints)


def _merge(existing: _Existing, structure_id: str, new_type: str | None, name: str | None) -> AttributeUpdate | None:
    """The change merging a duplicate makes to an existing structure (None: nothing to change);
    only values the source has count: an unmapped or empty type or an empty name changes nothing."""
    old_type, old_name = existing.attributes[structure_id]
    changes: dict[str, object] = {}
    if new_type and new_type != old_type:
        changes["type"] = new_type
    if name and name != old_name:
        changes["name"] = name
    if not changes:
        return None
    existing.attributes[structure_id] = (changes.get("type", old_type), changes.get("name", old_name))
    return AttributeUpdate(schema.STRUCTURES.name, structure_id, changes)


_BATCH = 10_000
"""New structures an import holds at a time: it writes them by batches of this size while it
reads the source, so its memory does not grow with the source."""


def _planned(
    store: AssessmentStore,
    layer: QgsVectorLayer,
    options: StructureOptions,
    progress: Progress | None,
    layers: AssessmentLayers,
    result: StructureImport,
) -> Iterator[list[FeatureRecord]]:
    """The new structures of the import, by batches of ``_BATCH``, counting in ``result`` what
    it does (its updates are set once the last batch is out). The source is checked before the
    first batch is asked for: a SiteWatchError for a source that cannot hold footprints; reading
    raises WriteCancelled when ``progress`` returns False."""
    type_field = check_source(layer, options)
    name_field = _field(layer, options.name_field, NAME_FIELD, "NAME_FIELD")
    mapper = TypeMapper(options.type_map)
    crs = layers.structures.crs()
    existing = _Existing(layers.structures)
    compounds = (
        CompoundIndex((f["compound_id"], f.geometry()) for f in layers.compounds.getFeatures())
        if layers.compounds.featureCount()
        else None
    )
    ids = IdSequence(store, schema.STRUCTURES.name)
    request = QgsFeatureRequest().setDestinationCrs(crs, QgsCoordinateTransformContext())
    request.setInvalidGeometryCheck(Qgis.InvalidGeometryCheck.NoCheck)
    wanted = [name for name in (type_field, name_field) if name]
    if wanted:
        request.setSubsetOfAttributes(wanted, layer.fields())
    else:
        request.setNoAttributes()

    def batches() -> Iterator[list[FeatureRecord]]:
        index = existing.index
        area = _Area(options)
        total = max(1, layer.featureCount())
        created_at = now_iso()
        updates: dict[str, AttributeUpdate] = {}
        batch: list[FeatureRecord] = []
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
            box = geometry.boundingBox()
            if not area.keeps(geometry, box):
                result.outside += 1
                continue
            name = attribute_text(feature[name_field]) if name_field else None
            match = index.best_match(geometry, options.dedupe_iou, box)
            if match is not None:
                result.duplicates += 1
                if options.duplicates == "merge" and match[0] in existing.attributes:
                    mapped = mapper.mapped(feature[type_field]) if type_field else None
                    update = _merge(existing, match[0], mapped, name)
                    if update is not None:
                        earlier = updates.get(update.feature_id)
                        merged = {**earlier.attributes, **update.attributes} if earlier else update.attributes
                        updates[update.feature_id] = update._replace(attributes=merged)
                continue
            result.repaired += checked.repaired
            structure_id = ids.next()
            index.add(structure_id, geometry, box)
            attributes: dict[str, object] = {
                "structure_id": structure_id,
                "type": mapper.type_of(feature[type_field]) if type_field else "building",
                "compound_id": compounds.assign(geometry) if compounds is not None else None,
                "name": name or None,
                "created_by": options.analyst,
                "created_at": created_at,
            }
            batch.append(FeatureRecord(schema.STRUCTURES.name, attributes, geometry))
            if len(batch) == _BATCH:
                yield batch
                batch = []
        result.unmapped = mapper.unmapped
        result.updates = list(updates.values())
        if result.read == 0:
            if layer.customProperty(OSM_PROPERTY):
                raise SiteWatchError(_no_buildings(layer))
            raise SiteWatchError(f"'{layer.name()}' holds no features; nothing was imported.")
        if batch:
            yield batch

    return batches()


def plan_structures(
    store: AssessmentStore,
    layer: QgsVectorLayer,
    options: StructureOptions,
    progress: Progress | None = None,
    layers: AssessmentLayers | None = None,
) -> StructureImport:
    """Everything the import would do, without writing: the dry run the Import dialog shows as
    its preview, with every new structure in ``records``. Raises SiteWatchError for a source
    that cannot hold footprints and WriteCancelled when ``progress`` returns False."""
    result = StructureImport()
    with layers_released_on_error():
        for batch in _planned(store, layer, options, progress, layers or AssessmentLayers.of(store), result):
            result.records.extend(batch)
    return result


def import_structures(
    store: AssessmentStore,
    layer: QgsVectorLayer,
    options: StructureOptions,
    progress: Progress | None = None,
    layers: AssessmentLayers | None = None,
) -> StructureImport:
    """Write every new structure (and every merge into an existing one) in one transaction
    (all or nothing), by batches as the source is read: the result counts them but holds none
    of them (its ``records`` stay empty).

    ``progress`` follows the reading (the writing goes along with it); it is called with 1 once
    the source is read, before the transaction is committed: False then still cancels."""
    result = StructureImport()
    with layers_released_on_error():
        batches = _planned(store, layer, options, progress, layers or AssessmentLayers.of(store), result)
        result.written = store.import_streamed(_checked_at_end(batches, progress), lambda: result.updates)
    return result


def _checked_at_end(batches: Iterator[list[FeatureRecord]], progress: Progress | None) -> Iterator[list[FeatureRecord]]:
    yield from batches
    if progress is not None and not progress(1.0):
        raise WriteCancelled("Import cancelled; nothing was written.")
