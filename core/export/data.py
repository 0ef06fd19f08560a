"""What an export writes, read once from the assessment: rows in the export's field order.

Every format writer and the PDF report work from one :class:`ExportData`, so all files of
one export say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qgis.core import QgsCoordinateReferenceSystem, QgsDistanceArea, QgsFeature

from .. import attributes, values
from ..assessment.store import AssessmentStore
from ..imagery.registry import ImageRecord, list_images
from ..measure import distance_area
from . import fields as ef
from .stats import StatisticsRow, compound_statistics

Row = tuple[Any, ...]
"""One output feature's values in its layer's field order (each of its field's type)."""


@dataclass
class Table:
    """One output layer's rows (values in ``layer.fields`` order) and WKB geometries."""

    layer: ef.OutLayer
    rows: list[Row] = field(default_factory=list)
    geometries: list[bytes | None] = field(default_factory=list)
    copy: Callable[[Path], int] | None = None
    """For a table too long to hold (the observations: millions of rows at country scale):
    appends its rows to its (empty, created) table in the GeoPackage at the given path, in
    the store (``rows`` stays empty); the CSV is then read from that table."""


@dataclass
class ExportData:
    site: str
    after_date: str
    before_date: str | None
    scheme: str
    crs: QgsCoordinateReferenceSystem
    images: list[ImageRecord]
    tables: dict[str, Table]
    after_codes: list[str | None]
    """Status code of each structure row at the after date (None = unobserved)."""
    before_codes: list[str | None]
    statistics: list[StatisticsRow]
    """The compound table: one dict per compound, then UNASSIGNED and ALL."""
    sentence: str
    """The one-line summary of the site (e.g. "3 of 12 structures … destroyed")."""
    assessment: str
    """Where the assessment is (shown in the report)."""


def _attribute(feature: QgsFeature, name: str) -> object:
    return attributes.plain(feature[name])


def change_flag(before: str | None, after: str | None) -> str:
    """How a structure changed from ``before`` to ``after`` (status codes, None = unobserved).

    Checked in this order: ``not comparable`` (before ``unknown``, or after unobserved or
    ``unknown``); after ``absent``: ``unchanged`` when it was unobserved or absent before,
    else ``removed``; ``rebuilt``, ``new``, ``increased``; otherwise ``unchanged``.
    """
    if before == "unknown" or after in (None, "unknown"):
        return "not comparable"
    if after == "absent":
        return "unchanged" if before in values.MISSING_STATUSES else "removed"
    if before in values.REBUILT_FROM and after in values.REBUILT_TO:
        return "rebuilt"
    if before in values.MISSING_STATUSES:
        return "new"
    before_rank, after_rank = values.damage_rank(before), values.damage_rank(after)
    if before_rank is not None and after_rank is not None and after_rank > before_rank:
        return "increased"
    return "unchanged"


def _features(
    store: AssessmentStore, layer_def: ef.OutLayer, read: Callable[[QgsFeature, QgsDistanceArea], Row]
) -> Table:
    layer = store.layer(layer_def.name)
    table = Table(layer_def)
    calc = distance_area(layer.crs())
    for feature in sorted(layer.getFeatures(), key=lambda f: str(f["feature_id"])):
        geometry = feature.geometry()
        table.rows.append(read(feature, calc))
        table.geometries.append(bytes(geometry.asWkb()) if not geometry.isNull() else None)
    return table


def _observations(store: AssessmentStore, scheme: str) -> Table:
    """The full history (current and archived observations), copied by the store."""
    names = {code: values.status_name(code, scheme) for code in values.codes(values.STATUSES)}
    columns = ef.OBSERVATIONS.field_names()
    return Table(
        ef.OBSERVATIONS, copy=lambda package: store.copy_observation_rows(package, ef.OBSERVATIONS.name, columns, names)
    )


def statistics_row(row: StatisticsRow) -> Row:
    """A compound statistics dict in STATS_FIELDS order (its ``name`` is ``comp_name``)."""
    return tuple(row["name" if name == "comp_name" else name] for name in ef.COMPOUNDS.field_names())


def _compounds(store: AssessmentStore, statistics: list[StatisticsRow]) -> Table:
    table = Table(ef.COMPOUNDS)
    geometries = {str(f["compound_id"]): f.geometry() for f in store.layer("compounds").getFeatures()}
    for row in statistics:
        geometry = geometries.get(row["compound"])
        if geometry is None:
            continue
        table.rows.append(statistics_row(row))
        table.geometries.append(bytes(geometry.asWkb()) if not geometry.isNull() else None)
    return table


def read_export_data(
    store: AssessmentStore, site: str, after_date: str, before_date: str | None, scheme: str
) -> ExportData:
    """Everything an export of ``store`` for these dates and scheme writes."""
    from .structures import structures_table  # it builds on this module's types

    images = list_images(store)
    statistics = compound_statistics(store, after_date, before_date)
    data = ExportData(
        site,
        after_date,
        before_date,
        scheme,
        store.crs(),
        images,
        {},
        [],
        [],
        statistics.rows,
        statistics.sentence,
        store.location,
    )
    # looked up by a structure's plain compound_id (None when it has none)
    compound_names: dict[object, object] = {
        str(f["compound_id"]): _attribute(f, "name") for f in store.layer("compounds").getFeatures()
    }
    tables = [
        structures_table(store, data, compound_names, {i.image_id: i for i in images}),
        _compounds(store, data.statistics),
        _features(
            store,
            ef.LINEAR_FEATURES,
            lambda f, calc: (
                _attribute(f, "feature_id"),
                _attribute(f, "type"),
                _attribute(f, "first_seen"),
                round(calc.measureLength(f.geometry()), 2),
                _attribute(f, "notes"),
            ),
        ),
        _features(
            store,
            ef.POINT_FEATURES,
            lambda f, calc: (
                _attribute(f, "feature_id"),
                _attribute(f, "type"),
                _attribute(f, "observed_on"),
                _attribute(f, "image_id"),
                _attribute(f, "notes"),
            ),
        ),
        _observations(store, scheme),
        Table(ef.SUMMARY, [statistics_row(row) for row in data.statistics]),
        Table(
            ef.IMAGERY,
            [
                (i.image_id, i.acquired, i.source, i.sensor, i.gsd_m, Path(i.uri).name if i.uri else None)
                for i in images
            ],
        ),
    ]
    data.tables = {t.layer.name: t for t in tables}
    return data
