"""The value lists (statuses, structure types, schemes) and the modules that read them."""

from __future__ import annotations

import pytest

from sitewatch.core import values
from sitewatch.core.assessment import schema
from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.styles import TYPE_COLOURS
from sitewatch.core.errors import SiteWatchError
from sitewatch.core.export.report.chart import CHART_CLASSES


def test_value_lists_hold_the_contract_codes():
    assert values.codes(values.STRUCTURE_TYPES) == (
        "warehouse",
        "fortified_storehouse",
        "tunnel_entrance",
        "revetment",
        "barracks",
        "bunker",
        "hangar",
        "building",
        "other",
    )
    assert values.codes(values.STATUSES) == (
        "absent",
        "construction",
        "intact",
        "possible",
        "moderate",
        "severe",
        "destroyed",
        "unknown",
    )
    assert values.codes(values.CONFIDENCES) == ("high", "medium", "low")
    assert values.codes(values.LINEAR_TYPES) == ("road", "trail", "rail", "berm", "fence", "other")
    assert values.codes(values.POINT_TYPES) == ("impact_crater", "vehicle", "equipment", "other")


def test_every_value_has_a_label_and_the_schema_reads_the_lists():
    for value_list in (
        values.STRUCTURE_TYPES,
        values.STATUSES,
        values.CONFIDENCES,
        values.LINEAR_TYPES,
        values.POINT_TYPES,
    ):
        assert all(v.label and v.label != "" for v in value_list)
    type_field = next(f for f in schema.STRUCTURES.fields if f.name == "type")
    assert type_field.value_list is values.STRUCTURE_TYPES


def test_unknown_is_not_assessed_and_damage_scale_is_ordered():
    assert "unknown" not in values.ASSESSED_STATUSES
    assert values.damage_rank("intact") < values.damage_rank("moderate") < values.damage_rank("destroyed")
    assert values.damage_rank("unknown") is None


def test_scheme_names():
    assert values.status_name("severe", "unosat") == "Severe Damage"
    assert values.status_name("possible", "ems") == "Possibly damaged"
    assert values.status_name("severe", "xbd") == "major-damage"
    assert values.status_name("destroyed", "sitewatch") == "destroyed"


def test_value_lists_are_read_from_values():
    assert set(TYPE_COLOURS) == set(values.codes(values.STRUCTURE_TYPES))
    assert CHART_CLASSES == (
        ("destroyed", "n_destroy"),
        ("severe", "n_severe"),
        ("moderate", "n_moderate"),
        ("possible", "n_possible"),
        ("intact", "n_intact"),
        ("construction", "n_constr"),
        ("unknown", "n_unknown"),
    )
    with pytest.raises(SiteWatchError, match="use one of high, medium, low"):
        Observation("S-1", "2020-01-08", "intact", confidence="sure").validated()
