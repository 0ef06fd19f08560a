"""The layers and fields of an export package, with names that fit a shapefile.

Every name is at most 10 characters (and none is ``name``, which KML readers take for the
placemark name), so the shapefile, GeoPackage, GeoJSON, KML and CSV of
one export carry the SAME field names. Kinds are those of :class:`.schema.FieldDef`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OutField:
    name: str
    kind: str
    """TEXT, DATE, DATETIME, REAL or INTEGER."""
    description: str


@dataclass(frozen=True)
class OutLayer:
    """One layer (or table when ``geometry`` is None) written by an export."""

    name: str
    geometry: str | None
    """``Polygon``, ``LineString``, ``Point`` or None."""
    fields: tuple[OutField, ...]

    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


STATS_FIELDS: tuple[OutField, ...] = (
    OutField("compound", "TEXT", "compound id; ALL = whole site, UNASSIGNED = in no compound"),
    OutField("comp_name", "TEXT", "compound name"),
    OutField("n_struct", "INTEGER", "structures present at the after date (not absent)"),
    OutField("n_assessed", "INTEGER", "of those, status construction or on the damage scale"),
    OutField("n_unknown", "INTEGER", "status unknown or unobserved"),
    OutField("n_intact", "INTEGER", "no visible damage"),
    OutField("n_possible", "INTEGER", "possible damage"),
    OutField("n_moderate", "INTEGER", "moderate damage"),
    OutField("n_severe", "INTEGER", "severe damage"),
    OutField("n_destroy", "INTEGER", "destroyed"),
    OutField("n_constr", "INTEGER", "under construction"),
    OutField("pct_destr", "REAL", "% of assessed destroyed"),
    OutField("pct_damag", "REAL", "% of assessed moderate, severe or destroyed"),
    OutField("pct_sev_de", "REAL", "% of assessed severe or destroyed"),
    OutField("pct_area_d", "REAL", "% of assessed footprint area destroyed"),
    OutField("dmg_index", "REAL", "area-weighted mean damage weight (0 intact … 1 destroyed)"),
    OutField("n_newdmg", "INTEGER", "newly damaged (moderate, severe or destroyed) since the before date"),
    OutField("n_rebuilt", "INTEGER", "severe/destroyed before, intact/construction after"),
    OutField("n_new", "INTEGER", "absent or unobserved before, present after"),
)

STRUCTURES = OutLayer(
    "structures",
    "Polygon",
    (
        OutField("struct_id", "TEXT", "stable structure id (S-0001)"),
        OutField("type", "TEXT", "structure type code"),
        OutField("compound", "TEXT", "compound id"),
        OutField("comp_name", "TEXT", "compound name"),
        OutField("str_name", "TEXT", "structure name"),
        OutField("stat_bef", "TEXT", "status at the before date (in the chosen scheme)"),
        OutField("stat_aft", "TEXT", "status at the after date (in the chosen scheme)"),
        OutField(
            "change",
            "TEXT",
            "not comparable, removed, rebuilt, new, increased or unchanged (empty without a before date)",
        ),
        OutField("date_bef", "DATE", "date of the observation giving stat_bef"),
        OutField("date_aft", "DATE", "date of the observation giving stat_aft"),
        OutField("confidence", "TEXT", "confidence of the after observation"),
        OutField("analyst", "TEXT", "analyst of the after observation"),
        OutField("img_date", "DATE", "acquisition date of the after observation's image"),
        OutField("img_source", "TEXT", "source of the after observation's image"),
        OutField("area_m2", "REAL", "footprint area, m², on the ellipsoid"),
        OutField("notes", "TEXT", "notes of the after observation"),
    ),
)

COMPOUNDS = OutLayer("compounds", "Polygon", STATS_FIELDS)

LINEAR_FEATURES = OutLayer(
    "linear_features",
    "LineString",
    (
        OutField("feat_id", "TEXT", "stable feature id (L-0001)"),
        OutField("type", "TEXT", "linear feature type code"),
        OutField("first_seen", "DATE", "first image date it is seen on"),
        OutField("length_m", "REAL", "length, m, on the ellipsoid"),
        OutField("notes", "TEXT", "notes"),
    ),
)

POINT_FEATURES = OutLayer(
    "point_features",
    "Point",
    (
        OutField("feat_id", "TEXT", "stable feature id (P-0001)"),
        OutField("type", "TEXT", "point feature type code"),
        OutField("obs_date", "DATE", "date observed"),
        OutField("image_id", "TEXT", "image it was observed on"),
        OutField("notes", "TEXT", "notes"),
    ),
)

OBSERVATIONS = OutLayer(
    "observations",
    None,
    (
        OutField("struct_id", "TEXT", "structure id"),
        OutField("obs_date", "DATE", "image date of the observation"),
        OutField("image_id", "TEXT", "image id"),
        OutField("status", "TEXT", "status (in the chosen scheme)"),
        OutField("confidence", "TEXT", "high, medium or low"),
        OutField("analyst", "TEXT", "analyst"),
        OutField("recorded", "DATETIME", "when it was recorded (UTC)"),
        OutField("notes", "TEXT", "notes"),
        OutField("archived", "DATETIME", "when it was replaced or removed; empty = current"),
        OutField("reason", "TEXT", "why it was archived (replaced, structure deleted, ...)"),
    ),
)

SUMMARY = OutLayer("summary", None, STATS_FIELDS)

IMAGERY = OutLayer(
    "imagery",
    None,
    (
        OutField("image_id", "TEXT", "image id"),
        OutField("date", "DATE", "acquisition date"),
        OutField("source", "TEXT", "provider / archive"),
        OutField("sensor", "TEXT", "sensor"),
        OutField("gsd_m", "REAL", "resolution (ground sample distance), m"),
        OutField("file", "TEXT", "image file name"),
    ),
)

SPATIAL_LAYERS: tuple[OutLayer, ...] = (STRUCTURES, COMPOUNDS, LINEAR_FEATURES, POINT_FEATURES)
TABLES: tuple[OutLayer, ...] = (OBSERVATIONS, SUMMARY, IMAGERY)
