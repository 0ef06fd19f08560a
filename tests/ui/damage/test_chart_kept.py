"""The Damage chart keeps its drawing and draws again only the bars a key moved: the widget
shows the same pixels as a chart drawn whole from the new table, with bars wider than a pixel
(labels under them) and narrower (1,000 compounds in a narrow dock)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from qgis.PyQt.QtGui import QImage

from sitewatch.core.damage.table import ALL, UNASSIGNED, DamageRow, DamageTable
from sitewatch.ui.damage.chart import DamageChart


def row(compound: str, number: int) -> DamageRow:
    counts = {
        "n_intact": 3 + number % 7,
        "n_possible": number % 3,
        "n_moderate": number % 4,
        "n_severe": number % 5,
        "n_destroy": 1 + number % 6,
        "n_constr": number % 2,
        "n_unknown": number % 3,
    }
    total = sum(counts.values())
    return DamageRow(compound, None, None, total, total - counts["n_unknown"], **counts, pct_destr=None,
                     pct_damag=None, pct_sev_de=None, pct_area_d=None, dmg_index=None, area_asses=0.0,
                     area_destr=0.0)  # fmt: skip


def table(rows: list[DamageRow]) -> DamageTable:
    return DamageTable("2020-01-08", None, {}, (*rows, row(UNASSIGNED, 5), row(ALL, 0)))


def shown(chart: DamageChart) -> QImage:
    return chart.grab().toImage()


def fresh(rows: list[DamageRow], width: int, height: int) -> QImage:
    chart = DamageChart()
    chart.resize(width, height)
    chart.set_table(table(rows))
    return shown(chart)


@pytest.mark.parametrize(("compounds", "width"), [(6, 500), (11, 100), (1000, 360)])
def test_moved_bars_drawn_as_a_whole_drawing(qgis_app, compounds, width):
    rows = [row(f"C-{number:04d}", number) for number in range(compounds)]
    chart = DamageChart()
    chart.resize(width, 260)
    chart.set_table(table(rows))
    images = [shown(chart)]
    kept = chart._kept
    for moved in (0, compounds // 2, compounds - 1):
        before = rows[moved]
        rows[moved] = replace(before, n_intact=before.n_intact - 2, n_destroy=before.n_destroy + 2)
        chart.set_table(table(rows))  # the other row objects are kept, as the incremental update does
        images.append(shown(chart))
        assert chart._kept is kept, "drawn whole"
        assert images[-1] == fresh(rows, width, 260), f"bar {moved} of {compounds}"
    assert images[-1] != images[0] or compounds > width  # narrower bars: a later one may cover it


def test_other_compounds_or_a_new_height_draw_whole(qgis_app):
    rows = [row(f"C-{number:04d}", number) for number in range(40)]
    chart = DamageChart()
    chart.resize(400, 260)
    chart.set_table(table(rows))
    shown(chart)
    rows[3] = replace(rows[3], compound="C-9999")
    chart.set_table(table(rows))
    assert shown(chart) == fresh(rows, 400, 260)
    rows[7] = replace(rows[7], n_struct=500, n_intact=480)  # the axis' top value changes every bar
    chart.set_table(table(rows))
    assert shown(chart) == fresh(rows, 400, 260)
    chart.resize(300, 200)
    assert shown(chart) == fresh(rows, 300, 200)
