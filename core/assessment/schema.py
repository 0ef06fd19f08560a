"""The assessment contract: layer names, geometry types and fields.

These names are relied on by exports and by users' own scripts; change them only with a
schema version bump. Value lists come from :mod:`.values`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import values

SCHEMA_VERSION = "2"


@dataclass(frozen=True)
class FieldDef:
    """One field of a layer. ``kind`` is one of TEXT, DATE, DATETIME, REAL, INTEGER."""

    name: str
    kind: str
    unique: bool = False
    value_list: tuple[values.Value, ...] | None = None


@dataclass(frozen=True)
class LayerDef:
    """One layer (or attribute table when ``geometry`` is None) of an assessment."""

    name: str
    geometry: str | None
    fields: tuple[FieldDef, ...]
    id_field: str | None = None
    id_prefix: str | None = None

    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


IMAGERY = LayerDef(
    "imagery",
    "Polygon",
    (
        FieldDef("image_id", "TEXT", unique=True),
        FieldDef("acquired", "DATE"),
        FieldDef("source", "TEXT"),
        FieldDef("sensor", "TEXT"),
        FieldDef("uri", "TEXT"),
        FieldDef("gsd_m", "REAL"),
        FieldDef("notes", "TEXT"),
    ),
    id_field="image_id",
    id_prefix="IMG-",
)

COMPOUNDS = LayerDef(
    "compounds",
    "MultiPolygon",
    (
        FieldDef("compound_id", "TEXT", unique=True),
        FieldDef("name", "TEXT"),
        FieldDef("notes", "TEXT"),
    ),
    id_field="compound_id",
    id_prefix="C-",
)

STRUCTURES = LayerDef(
    "structures",
    "MultiPolygon",
    (
        FieldDef("structure_id", "TEXT", unique=True),
        FieldDef("type", "TEXT", value_list=values.STRUCTURE_TYPES),
        FieldDef("compound_id", "TEXT"),
        FieldDef("name", "TEXT"),
        FieldDef("notes", "TEXT"),
        FieldDef("created_by", "TEXT"),
        FieldDef("created_at", "DATETIME"),
    ),
    id_field="structure_id",
    id_prefix="S-",
)

OBSERVATION_FIELDS = (
    FieldDef("structure_id", "TEXT"),
    FieldDef("observed_on", "DATE"),
    FieldDef("image_id", "TEXT"),
    FieldDef("status", "TEXT", value_list=values.STATUSES),
    FieldDef("confidence", "TEXT", value_list=values.CONFIDENCES),
    FieldDef("analyst", "TEXT"),
    FieldDef("recorded_at", "DATETIME"),
    FieldDef("notes", "TEXT"),
)

OBSERVATIONS = LayerDef("observations", None, OBSERVATION_FIELDS)

OBSERVATION_HISTORY = LayerDef(
    "observation_history",
    None,
    OBSERVATION_FIELDS
    + (
        FieldDef("archived_at", "DATETIME"),
        FieldDef("reason", "TEXT"),
    ),
)
"""Every observation row that was replaced or whose structure was deleted, as it was."""

LINEAR_FEATURES = LayerDef(
    "linear_features",
    "MultiLineString",
    (
        FieldDef("feature_id", "TEXT", unique=True),
        FieldDef("type", "TEXT", value_list=values.LINEAR_TYPES),
        FieldDef("first_seen", "DATE"),
        FieldDef("notes", "TEXT"),
    ),
    id_field="feature_id",
    id_prefix="L-",
)

POINT_FEATURES = LayerDef(
    "point_features",
    "Point",
    (
        FieldDef("feature_id", "TEXT", unique=True),
        FieldDef("type", "TEXT", value_list=values.POINT_TYPES),
        FieldDef("observed_on", "DATE"),
        FieldDef("image_id", "TEXT"),
        FieldDef("notes", "TEXT"),
    ),
    id_field="feature_id",
    id_prefix="P-",
)

LAYERS: tuple[LayerDef, ...] = (
    IMAGERY,
    COMPOUNDS,
    STRUCTURES,
    OBSERVATIONS,
    OBSERVATION_HISTORY,
    LINEAR_FEATURES,
    POINT_FEATURES,
)
LAYER_BY_NAME: dict[str, LayerDef] = {layer.name: layer for layer in LAYERS}

WORK_CELLS = LayerDef(
    "work_cells",
    "MultiPolygon",
    (
        FieldDef("cell_id", "TEXT", unique=True),
        FieldDef("name", "TEXT"),
        FieldDef("state", "TEXT", value_list=values.CELL_STATES),
        FieldDef("assignee", "TEXT"),
        FieldDef("comment", "TEXT"),
        FieldDef("changed_by", "TEXT"),
        FieldDef("changed_at", "DATETIME"),
    ),
    id_field="cell_id",
    id_prefix="W-",
)
"""Team work: the areas analysts are assigned and their review state (:mod:`..teamwork.cells`)."""

CELL_TRANSITIONS = LayerDef(
    "cell_transitions",
    None,
    (
        FieldDef("cell_id", "TEXT"),
        FieldDef("action", "TEXT"),
        FieldDef("from_state", "TEXT"),
        FieldDef("to_state", "TEXT", value_list=values.CELL_STATES),
        FieldDef("assignee", "TEXT"),
        FieldDef("analyst", "TEXT"),
        FieldDef("account", "TEXT"),
        FieldDef("at", "DATETIME"),
        FieldDef("comment", "TEXT"),
    ),
)
"""Every change of a work cell's state or analyst: who (analyst name and database role or
computer login), when, why; never changed or deleted."""

TEAM_LAYERS: tuple[LayerDef, ...] = (WORK_CELLS, CELL_TRANSITIONS)
"""Layers made when a lead splits the work (not required to open an assessment)."""


def layer_def(name: str) -> LayerDef | None:
    """The contract or team layer ``name`` (None: not a SiteWatch layer)."""
    return LAYER_BY_NAME.get(name) or next((t for t in TEAM_LAYERS if t.name == name), None)


META_TABLE = "sitewatch_meta"
"""Key/value table that marks a GeoPackage as a SiteWatch assessment."""

OPTIONAL_FIELDS: dict[str, tuple[FieldDef, ...]] = {
    "linear_features": (FieldDef("removed_on", "DATE"),),
}
"""Fields added to the contract after schema 1: new assessments have them, older ones get them
when opened (:mod:`.upgrade`, schema 2); readers treat a missing one as empty."""
