"""How ``resources/report.qpt`` was made: the A3 map product laid out in code once.

The committed template is what reports use; analysts may restyle it in QGIS's layout
designer as long as the item ids below stay. Run
``PYTHONPATH=.build/pkgroot /usr/bin/python3 scripts/make_report_template.py`` to rebuild it.
Texts use the layout variables ``@sw_*`` that :mod:`sitewatch.core.export.report.map_product` sets.
The items (labels, boxes, maps, legend, north arrow, scale bar) are made by
:mod:`report_layout_items`; this module places them on the two pages.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsLayoutFrame,
    QgsLayoutItemMap,
    QgsLayoutItemMapGrid,
    QgsLayoutItemPicture,
    QgsLayoutItemTextTable,
    QgsLayoutTable,
    QgsLayoutTableColumn,
    QgsLayoutTableStyle,
    QgsPrintLayout,
    QgsProject,
    QgsReadWriteContext,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor

from sitewatch.core.export.report.template import COMPOUND_TEMPLATE, TABLE_HEADERS, TEMPLATE
from sitewatch.scripts.report_layout_items import (
    DARK,
    add_box,
    add_label,
    add_legend,
    add_map,
    add_north_arrow_and_scale_bar,
    place,
    text_style,
)

PANEL_HEADER = "{upper} · [% @sw_{key}_dates %] · [% @sw_{key}_source %]"
"""A panel's header: its dates ("2020-01-08", or "status on …, image of …") and image source."""


def _column_width(header: str) -> float:
    """Fixed widths (mm) keep the 13 compound-table columns inside its 200 mm frame: names and
    headings wrap between words, so a column is as wide as its longest heading word in 6 pt bold
    (about 1.12 mm a letter) and never narrower than "100.0 %" in the 6.5 pt body."""
    if header == "Compound":
        return 44
    return max(10.5, 1.12 * max(len(word) for word in header.split()))


def build_layout(project: QgsProject) -> QgsPrintLayout:
    """The report layout: A3 landscape, before/after panels, inset, legend, table, chart."""
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName("SiteWatch damage assessment")
    layout.pageCollection().page(0).setPageSize("A3", layout.pageCollection().page(0).Orientation.Landscape)

    add_box(layout, "banner", (0, 0, 420, 24), DARK)
    add_label(layout, "title", "DAMAGE ASSESSMENT — [% upper(@sw_site) %]", (8, 2.5, 300, 12), 20, "#ffffff", True)
    add_label(
        layout,
        "subtitle",
        "Structures by damage class · before [% @sw_before %] · after [% @sw_after %]"
        " · [% @sw_structures %] structures in [% @sw_compounds %] compounds",
        (8, 14, 300, 8),
        10,
        "#d6dde5",
    )
    add_box(layout, "caveat_badge", (318, 5, 94, 14), "#c0392b")
    add_label(
        layout,
        "caveat",
        "PRELIMINARY — NOT FIELD VALIDATED",
        (318, 5, 94, 14),
        10.5,
        "#ffffff",
        True,
        Qt.AlignmentFlag.AlignHCenter,
    )

    side = QgsLayoutItemMapGrid.BorderSide
    # Each panel's northings go on its outer side, so neither writes over the other's frame.
    for key, x, labelled in (("before", 8, (side.Left, side.Bottom)), ("after", 162, (side.Right, side.Bottom))):
        add_box(layout, f"{key}_header_box", (x, 28, 150, 7), "#34495e")
        add_label(
            layout,
            f"{key}_header",
            PANEL_HEADER.format(key=key, upper=key.upper()),
            (x, 28, 150, 7),
            8.5,
            "#ffffff",
            True,
        )
        add_map(layout, f"{key}_map", (x, 35, 150, 150), labelled)

    add_box(layout, "overview_header_box", (318, 28, 94, 7), "#34495e")
    add_label(layout, "overview_header", "OVERVIEW", (318, 28, 94, 7), 9, "#ffffff", True)
    add_map(layout, "overview_map", (318, 35, 94, 56))

    add_legend(layout, (318, 93, 94, 66))

    add_north_arrow_and_scale_bar(layout, 320, 160)

    add_label(layout, "table_header", "DAMAGE BY COMPOUND ON [% @sw_after %]", (8, 190, 200, 7), 9, DARK, True)
    table = QgsLayoutItemTextTable(layout)
    table.setHeaderTextFormat(text_style(6, "#ffffff", True))
    header_style = QgsLayoutTableStyle()
    header_style.enabled = True
    header_style.cellBackgroundColor = QColor("#34495e")
    table.setCellStyle(QgsLayoutTable.CellStyleGroup.HeaderRow, header_style)
    total_style = QgsLayoutTableStyle()
    total_style.enabled = True
    total_style.cellBackgroundColor = QColor("#e3e8ee")
    table.setCellStyle(QgsLayoutTable.CellStyleGroup.LastRow, total_style)
    even_style = QgsLayoutTableStyle()
    even_style.enabled = True
    even_style.cellBackgroundColor = QColor("#f6f8fa")
    table.setCellStyle(QgsLayoutTable.CellStyleGroup.EvenRows, even_style)
    table.setContentTextFormat(text_style(6.5))
    table.setCellMargin(0.7)
    table.setGridStrokeWidth(0.15)
    table.setGridColor(QColor("#9aa5b1"))
    table.setBackgroundColor(QColor("#ffffff"))
    table.setHeaderMode(table.HeaderMode.AllFrames)
    table.setWrapBehavior(QgsLayoutTable.WrapBehavior.WrapText)
    table.setResizeMode(table.ResizeMode.ExtendToNextPage)
    columns = []
    for header in TABLE_HEADERS:
        column = QgsLayoutTableColumn(header)
        column.setWidth(_column_width(header))
        column.setHAlignment(Qt.AlignmentFlag.AlignLeft if header == "Compound" else Qt.AlignmentFlag.AlignRight)
        columns.append(column)
    table.setColumns(columns)
    layout.addMultiFrame(table)
    frame = QgsLayoutFrame(layout, table)
    place(frame, 8, 198, 200, 62, "compound_table")
    table.addFrame(frame)

    summary = add_label(layout, "summary", "In short: [% @sw_summary %].", (8, 262, 200, 14), 9, DARK, True)
    summary.setVAlign(Qt.AlignmentFlag.AlignTop)
    add_label(layout, "chart_header", "STRUCTURES BY DAMAGE CLASS", (212, 190, 100, 7), 9, DARK, True)
    chart = QgsLayoutItemPicture(layout)
    layout.addLayoutItem(chart)
    place(chart, 212, 198, 100, 80, "damage_chart")

    add_box(layout, "notes_box", (318, 178, 94, 104), "#f3f5f7", "#c8d0d8")
    add_label(layout, "notes_header", "SOURCES AND NOTES", (320, 180, 90, 6), 8, DARK, True)
    notes = add_label(
        layout,
        "notes",
        (
            "Site: [% @sw_site %]\n"
            "Before: [% @sw_before_dates %] · [% @sw_before_source %]\n"
            "After: [% @sw_after_dates %] · [% @sw_after_source %]\n"
            "Analyst(s): [% @sw_analysts %]\n"
            "Coordinate system: [% @sw_crs %]\n"
            "Status labels: [% @sw_scheme %]\n\n"
            "Method: each structure's status on a date is its latest observation on or before that "
            "date, interpreted by an analyst from the satellite images shown. Percentages are of assessed "
            "structures (unknown and unobserved excluded).\n\n"
            "Caveats: preliminary assessment, not field validated. Damage visible from above only; "
            "positional accuracy limited by the imagery ([% @sw_gsd %] m GSD).\n\n"
            "Produced with SiteWatch on [% @sw_created %]."
        ),
        (320, 186, 90, 94),
        7.2,
    )
    notes.setVAlign(Qt.AlignmentFlag.AlignTop)
    add_label(
        layout,
        "footer",
        "[% @sw_site %] · exported from [% @sw_assessment %] · status labels: "
        "[% @sw_scheme %] · preliminary, not field validated",
        (8, 282, 304, 8),
        6.5,
        "#606060",
    )
    return layout


def build_compound_layout(project: QgsProject) -> QgsPrintLayout:
    """One A4 landscape atlas page per compound (the coverage layer is set by the report):
    before/after panels zoomed on the compound, its figures, legend and caveat."""
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName("SiteWatch damage by compound")
    layout.pageCollection().page(0).setPageSize("A4", layout.pageCollection().page(0).Orientation.Landscape)
    add_box(layout, "banner", (0, 0, 297, 19), DARK)
    add_label(layout, "title", '[% upper("comp_name") %] ([% "compound" %])', (8, 1.5, 200, 10), 15, "#ffffff", True)
    add_label(
        layout,
        "subtitle",
        "[% @sw_site %] · before [% @sw_before %] · after [% @sw_after %] · "
        "page [% @atlas_featurenumber %] of [% @atlas_totalfeatures %]",
        (8, 11, 200, 6),
        8.5,
        "#d6dde5",
    )
    add_box(layout, "caveat_badge", (215, 4, 74, 11), "#c0392b")
    add_label(
        layout,
        "caveat",
        "PRELIMINARY — NOT FIELD VALIDATED",
        (215, 4, 74, 11),
        8.5,
        "#ffffff",
        True,
        Qt.AlignmentFlag.AlignHCenter,
    )
    for key, x in (("before", 8), ("after", 153)):
        add_box(layout, f"{key}_header_box", (x, 23, 136, 6), "#34495e")
        add_label(
            layout,
            f"{key}_header",
            PANEL_HEADER.format(key=key, upper=key.upper()),
            (x, 23, 136, 6),
            7.5,
            "#ffffff",
            True,
        )
        item = add_map(layout, f"{key}_map", (x, 29, 136, 122))
        item.setAtlasDriven(True)
        item.setAtlasScalingMode(QgsLayoutItemMap.AtlasScalingMode.Auto)
        item.setAtlasMargin(0.3)
    add_label(
        layout,
        "figures",
        (
            'Structures: [% "n_struct" %]   ·   assessed: [% "n_assessed" %]   ·   unknown or not observed: '
            '[% "n_unknown" %]\n'
            'Destroyed: [% "n_destroy" %]   ·   severe: [% "n_severe" %]   ·   moderate: [% "n_moderate" %]'
            '   ·   possible: [% "n_possible" %]   ·   no visible damage: [% "n_intact" %]   ·   under '
            'construction: [% "n_constr" %]\n'
            "% destroyed: [% coalesce(format_number(\"pct_destr\", 1) || ' %', '–') %]   ·   % damaged: "
            "[% coalesce(format_number(\"pct_damag\", 1) || ' %', '–') %]   ·   % of footprint area destroyed: "
            "[% coalesce(format_number(\"pct_area_d\", 1) || ' %', '–') %]\n"
            "Since [% @sw_before %]: newly damaged [% coalesce(\"n_newdmg\", '–') %]   ·   rebuilt "
            "[% coalesce(\"n_rebuilt\", '–') %]   ·   new structures [% coalesce(\"n_new\", '–') %]"
        ),
        (8, 155, 190, 26),
        8,
    )
    layout.itemById("figures").setVAlign(Qt.AlignmentFlag.AlignTop)
    add_legend(layout, (205, 153, 84, 46))
    layout.itemById("legend").setColumnCount(2)
    layout.itemById("legend").setSplitLayer(True)
    add_north_arrow_and_scale_bar(layout, 8, 183)
    add_label(
        layout,
        "footer",
        "[% @sw_site %] · status labels: [% @sw_scheme %] · preliminary assessment, "
        "not field validated · produced with SiteWatch on [% @sw_created %]",
        (8, 201, 281, 6),
        6.5,
        "#606060",
    )
    return layout


def write_template(path: Path = TEMPLATE) -> Path:
    layout = build_layout(QgsProject())
    if not layout.saveAsTemplate(str(path), QgsReadWriteContext()):
        raise OSError(f"Cannot write the layout template {path}")
    compounds = build_compound_layout(QgsProject())
    if not compounds.saveAsTemplate(str(COMPOUND_TEMPLATE), QgsReadWriteContext()):
        raise OSError(f"Cannot write the layout template {COMPOUND_TEMPLATE}")
    return path


if __name__ == "__main__":
    application = QgsApplication([], False)
    application.initQgis()
    write_template()
