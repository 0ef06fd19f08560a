"""The value lists of SiteWatch, defined once and read by core, UI, processing and exports.

Codes are stable (they are stored in GeoPackages and read by users' scripts); labels are
what people see and may be translated.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Value:
    """One entry of a value list: the stored code and its display label."""

    code: str
    label: str


@dataclass(frozen=True)
class StatusValue(Value):
    """A damage or lifecycle status with its map colour and its names in other schemes."""

    colour: str
    unosat: str
    ems: str
    xbd: str
    key: str
    """The review-tool key that records this status."""


STRUCTURE_TYPES: tuple[Value, ...] = (
    Value("warehouse", "Warehouse"),
    Value("fortified_storehouse", "Fortified storehouse"),
    Value("tunnel_entrance", "Tunnel entrance"),
    Value("revetment", "Revetment"),
    Value("barracks", "Barracks"),
    Value("bunker", "Bunker"),
    Value("hangar", "Hangar"),
    Value("building", "Building"),
    Value("other", "Other"),
)

# Order matters: lifecycle states first, then the damage scale from best to worst, then unknown.
STATUSES: tuple[StatusValue, ...] = (
    StatusValue("absent", "Absent (not yet built)", "#00000000", "Not present", "Not analysed", "un-classified", "X"),
    StatusValue(
        "construction", "Under construction", "#2b6cd6", "Under construction", "Not analysed", "un-classified", "C"
    ),
    StatusValue("intact", "No visible damage", "#2ca02c", "No Visible Damage", "No visible damage", "no-damage", "1"),
    StatusValue("possible", "Possible damage", "#f2d21b", "Possible Damage", "Possibly damaged", "minor-damage", "2"),
    StatusValue("moderate", "Moderate damage", "#f28c1b", "Moderate Damage", "Damaged", "minor-damage", "3"),
    StatusValue("severe", "Severe damage", "#e0201b", "Severe Damage", "Damaged", "major-damage", "4"),
    StatusValue("destroyed", "Destroyed", "#7a0a0a", "Destroyed", "Destroyed", "destroyed", "5"),
    StatusValue(
        "unknown", "Unknown (cannot be assessed)", "#9a9a9a", "Not analysed", "Not analysed", "un-classified", "0"
    ),
)

DAMAGE_SCALE: tuple[str, ...] = ("intact", "possible", "moderate", "severe", "destroyed")
"""Statuses that are ordered by severity, best first."""

ASSESSED_STATUSES: tuple[str, ...] = ("construction",) + DAMAGE_SCALE
"""Statuses that count as assessed in the damage statistics (``unknown`` never does)."""

DAMAGED_STATUSES: tuple[str, ...] = DAMAGE_SCALE[DAMAGE_SCALE.index("moderate") :]
"""Statuses that count as damaged: moderate, severe, destroyed."""

SEVERE_STATUSES: tuple[str, ...] = DAMAGE_SCALE[DAMAGE_SCALE.index("severe") :]
"""Statuses that count as severe or worse: severe, destroyed."""

REBUILT_FROM: tuple[str, ...] = ("destroyed", "severe")
"""A structure rebuilt since the before date had one of these statuses then …"""

REBUILT_TO: tuple[str, ...] = ("intact", "construction")
"""… and one of these at the after date."""

MISSING_STATUSES: tuple[str | None, ...] = (None, "absent")
"""Not (yet) there: unobserved (None) or absent."""

CONFIDENCES: tuple[Value, ...] = (
    Value("high", "High"),
    Value("medium", "Medium"),
    Value("low", "Low"),
)

LINEAR_TYPES: tuple[Value, ...] = (
    Value("road", "Road"),
    Value("trail", "Trail"),
    Value("rail", "Rail"),
    Value("berm", "Berm"),
    Value("fence", "Fence"),
    Value("other", "Other"),
)

POINT_TYPES: tuple[Value, ...] = (
    Value("impact_crater", "Impact crater"),
    Value("vehicle", "Vehicle"),
    Value("equipment", "Equipment"),
    Value("other", "Other"),
)

CELL_STATES: tuple[Value, ...] = (
    Value("unassigned", "Unassigned"),
    Value("in_progress", "In progress"),
    Value("awaiting_review", "Awaiting review"),
    Value("certified", "Certified"),
)
"""States of a work cell (team work split and review, :mod:`core.teamwork`), in workflow order."""

SCHEMES: tuple[str, ...] = ("sitewatch", "unosat", "ems", "xbd")
"""Label schemes an export can use for status values."""


def codes(values: tuple[Value, ...]) -> tuple[str, ...]:
    """The stored codes of a value list, in order."""
    return tuple(v.code for v in values)


def label_of(values: tuple[Value, ...], code: str) -> str:
    """The display label of ``code``; unknown codes are shown as they are."""
    for value in values:
        if value.code == code:
            return value.label
    return code


STATUS_BY_CODE: dict[str, StatusValue] = {s.code: s for s in STATUSES}


def status_name(code: str, scheme: str) -> str:
    """The name of a status code in a label scheme (``sitewatch`` keeps the code)."""
    if scheme not in SCHEMES:
        raise ValueError(f"Unknown label scheme '{scheme}'; use one of {', '.join(SCHEMES)}.")
    if scheme == "sitewatch":
        return code
    return str(getattr(STATUS_BY_CODE[code], scheme))


def damage_rank(code: str | None) -> int | None:
    """Position of ``code`` on the damage scale (0 = intact), or None when it is not on it."""
    return DAMAGE_SCALE.index(code) if code in DAMAGE_SCALE else None
