"""How ``resources/report.qpt`` was made: the A3 map product laid out in code once.

The committed template is what reports use; analysts may restyle it in QGIS's layout
designer as long as the item ids below stay. Run
``PYTHONPATH=.build/pkgroot /usr/bin/python3 scripts/make_report_template.py`` to rebuild it.
Texts use the layout variables ``@sw_*`` that :mod:`sitewatch.core.export.report.map_product` sets.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsFillSymbol,
    QgsLayoutFrame,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemMapGrid,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutItemShape,
    QgsLayoutItemTextTable,
    QgsLayoutMeasurement,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLayoutTable,
    QgsLayoutTableColumn,
    QgsLayoutTableStyle,
    QgsLegendStyle,
    QgsPrintLayout,
    QgsProject,
    QgsReadWriteContext,
    QgsTextFormat,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor, QFont

from sitewatch.core import values

TEMPLATE = Path(__file__).resolve().parent.parent / "resources" / "report.qpt"
COMPOUND_TEMPLATE = TEMPLATE.with_name("report_compound.qpt")
FONT = "Open Sans"
DARK = "#1f2a36"
TABLE_STATUSES = ("destroyed", "severe", "moderate", "possible", "intact", "construction", "unknown")
"""Status columns of the compound table: each structure counts in exactly one, so they add up to Structures."""
TABLE_HEADERS = (
    "Compound",
    "Structures",
    "Assessed",
    *(values.STATUS_BY_CODE[code].label.split(" (")[0] for code in TABLE_STATUSES),
    "% destroyed",
    "% damaged",
    "New damage",
)
"""Columns of the compound table, in order (the report fills rows in this order); status
columns carry the SiteWatch labels, as the chart's legend does and the map legend shows."""

PANEL_HEADER = "{upper} · [% @sw_{key}_dates %] · [% @sw_{key}_source %]"
"""A panel's header: its dates ("2020-01-08", or "status on …, image of …") and image source."""

MM = Qgis.LayoutUnit.Millimeters


def _text_format(size: float, colour: str = "#202020", bold: bool = False) -> QgsTextFormat:
    text_format = QgsTextFormat()
    font = QFont(FONT)
    font.setBold(bold)
    text_format.setFont(font)
    text_format.setSize(size)
    text_format.setColor(QColor(colour))
    return text_format


def _column_width(header: str) -> float:
    """Fixed widths (mm) keep the 13 compound-table columns inside its 200 mm frame: names and
    headings wrap between words, so a column is as wide as its longest heading word in 6 pt bold
    (about 1.12 mm a letter) and never narrower than "100.0 %" in the 6.5 pt body."""
    if header == "Compound":
        return 44
    return max(10.5, 1.12 * max(len(word) for word in header.split()))


def _place(item, x: float, y: float, width: float, height: float, item_id: str) -> None:
    item.attemptMove(QgsLayoutPoint(x, y, MM))
    item.attemptResize(QgsLayoutSize(width, height, MM))
    item.setId(item_id)


def _label(
    layout: QgsPrintLayout,
    item_id: str,
    text: str,
    box: tuple[float, float, float, float],
    size: float,
    colour: str = "#202020",
    bold: bool = False,
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
) -> QgsLayoutItemLabel:
    label = QgsLayoutItemLabel(layout)
    label.setText(text)
    label.setTextFormat(_text_format(size, colour, bold))
    label.setHAlign(align)
    label.setVAlign(Qt.AlignmentFlag.AlignVCenter)
    label.setMarginX(1.5)
    layout.addLayoutItem(label)
    _place(label, *box, item_id)
    return label


def _box(
    layout: QgsPrintLayout, item_id: str, box: tuple[float, float, float, float], fill: str, outline: str = "no"
) -> None:
    shape = QgsLayoutItemShape(layout)
    shape.setShapeType(QgsLayoutItemShape.Shape.Rectangle)
    style = (
        {"color": fill, "outline_style": "no"}
        if outline == "no"
        else {"color": fill, "outline_color": outline, "outline_width": "0.3"}
    )
    shape.setSymbol(QgsFillSymbol.createSimple(style))
    layout.addLayoutItem(shape)
    _place(shape, *box, item_id)


PANEL_BACKGROUND = "#a6a6a6"
"""Neutral grey where a panel's extent reaches beyond its image."""


def _map(
    layout: QgsPrintLayout,
    item_id: str,
    box: tuple[float, float, float, float],
    labelled_sides: tuple[QgsLayoutItemMapGrid.BorderSide, ...] = (),
) -> QgsLayoutItemMap:
    """A framed map item; with ``labelled_sides`` a zebra coordinate frame annotated on those
    sides only (outside the frame)."""
    item = QgsLayoutItemMap(layout)
    item.setFrameEnabled(True)
    item.setFrameStrokeWidth(QgsLayoutMeasurement(0.4, MM))
    item.setBackgroundColor(QColor(PANEL_BACKGROUND))
    layout.addLayoutItem(item)
    _place(item, *box, item_id)
    if labelled_sides:
        map_grid = QgsLayoutItemMapGrid("coordinates", item)
        # Frame ticks only: a grid drawn inside would cross the compound names (PDF export
        # draws grids above map labels whatever their stacking position).
        map_grid.setStyle(QgsLayoutItemMapGrid.GridStyle.FrameAnnotationsOnly)
        map_grid.setFrameStyle(QgsLayoutItemMapGrid.FrameStyle.Zebra)
        map_grid.setFrameWidth(1.2)
        map_grid.setAnnotationEnabled(True)
        map_grid.setAnnotationPrecision(0)
        map_grid.setAnnotationTextFormat(_text_format(5.5, "#303030"))
        sides = (
            QgsLayoutItemMapGrid.BorderSide.Left,
            QgsLayoutItemMapGrid.BorderSide.Right,
            QgsLayoutItemMapGrid.BorderSide.Top,
            QgsLayoutItemMapGrid.BorderSide.Bottom,
        )
        for side in sides:
            if side in labelled_sides:
                map_grid.setAnnotationPosition(QgsLayoutItemMapGrid.AnnotationPosition.OutsideMapFrame, side)
                map_grid.setAnnotationDisplay(QgsLayoutItemMapGrid.DisplayMode.ShowAll, side)
            else:
                map_grid.setAnnotationDisplay(QgsLayoutItemMapGrid.DisplayMode.HideAll, side)
        map_grid.setAnnotationDirection(
            QgsLayoutItemMapGrid.AnnotationDirection.Vertical, QgsLayoutItemMapGrid.BorderSide.Left
        )
        map_grid.setAnnotationDirection(
            QgsLayoutItemMapGrid.AnnotationDirection.VerticalDescending, QgsLayoutItemMapGrid.BorderSide.Right
        )
        item.grids().addGrid(map_grid)
    return item


def _legend(layout: QgsPrintLayout, box: tuple[float, float, float, float]) -> None:
    legend = QgsLayoutItemLegend(layout)
    legend.setTitle("Status on the panel's date")
    legend.setAutoUpdateModel(False)
    legend.setBackgroundEnabled(False)
    legend.setSymbolWidth(6)
    legend.setSymbolHeight(3.5)
    for style, size, bold in (
        (QgsLegendStyle.Style.Title, 9, True),
        (QgsLegendStyle.Style.Group, 8, True),
        (QgsLegendStyle.Style.Subgroup, 8, True),
        (QgsLegendStyle.Style.SymbolLabel, 7.5, False),
    ):
        legend.rstyle(style).setTextFormat(_text_format(size, DARK if bold else "#202020", bold))
    layout.addLayoutItem(legend)
    _place(legend, *box, "legend")


def _north_arrow_and_scale_bar(layout: QgsPrintLayout, x: float, y: float) -> None:
    arrow = QgsLayoutItemPicture(layout)
    arrow.setPicturePath(str(Path(QgsApplication.pkgDataPath()) / "svg" / "arrows" / "NorthArrow_02.svg"))
    layout.addLayoutItem(arrow)
    _place(arrow, x, y, 10, 16, "north_arrow")
    scale_bar = QgsLayoutItemScaleBar(layout)
    scale_bar.setStyle("Single Box")
    scale_bar.setTextFormat(_text_format(7))
    scale_bar.setUnitLabel("m")
    scale_bar.setHeight(2)
    layout.addLayoutItem(scale_bar)
    _place(scale_bar, x + 14, y + 2, 76, 12, "scale_bar")


def build_layout(project: QgsProject) -> QgsPrintLayout:
    """The report layout: A3 landscape, before/after panels, inset, legend, table, chart."""
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName("SiteWatch damage assessment")
    layout.pageCollection().page(0).setPageSize("A3", layout.pageCollection().page(0).Orientation.Landscape)

    _box(layout, "banner", (0, 0, 420, 24), DARK)
    _label(layout, "title", "DAMAGE ASSESSMENT — [% upper(@sw_site) %]", (8, 2.5, 300, 12), 20, "#ffffff", True)
    _label(
        layout,
        "subtitle",
        "Structures by damage class · before [% @sw_before %] · after [% @sw_after %]"
        " · [% @sw_structures %] structures in [% @sw_compounds %] compounds",
        (8, 14, 300, 8),
        10,
        "#d6dde5",
    )
    _box(layout, "caveat_badge", (318, 5, 94, 14), "#c0392b")
    _label(
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
        _box(layout, f"{key}_header_box", (x, 28, 150, 7), "#34495e")
        _label(
            layout,
            f"{key}_header",
            PANEL_HEADER.format(key=key, upper=key.upper()),
            (x, 28, 150, 7),
            8.5,
            "#ffffff",
            True,
        )
        _map(layout, f"{key}_map", (x, 35, 150, 150), labelled)

    _box(layout, "overview_header_box", (318, 28, 94, 7), "#34495e")
    _label(layout, "overview_header", "OVERVIEW", (318, 28, 94, 7), 9, "#ffffff", True)
    _map(layout, "overview_map", (318, 35, 94, 56))

    _legend(layout, (318, 93, 94, 66))

    _north_arrow_and_scale_bar(layout, 320, 160)

    _label(layout, "table_header", "DAMAGE BY COMPOUND ON [% @sw_after %]", (8, 190, 200, 7), 9, DARK, True)
    table = QgsLayoutItemTextTable(layout)
    table.setHeaderTextFormat(_text_format(6, "#ffffff", True))
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
    table.setContentTextFormat(_text_format(6.5))
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
    _place(frame, 8, 198, 200, 62, "compound_table")
    table.addFrame(frame)

    summary = _label(layout, "summary", "In short: [% @sw_summary %].", (8, 262, 200, 14), 9, DARK, True)
    summary.setVAlign(Qt.AlignmentFlag.AlignTop)
    _label(layout, "chart_header", "STRUCTURES BY DAMAGE CLASS", (212, 190, 100, 7), 9, DARK, True)
    chart = QgsLayoutItemPicture(layout)
    layout.addLayoutItem(chart)
    _place(chart, 212, 198, 100, 80, "damage_chart")

    _box(layout, "notes_box", (318, 178, 94, 104), "#f3f5f7", "#c8d0d8")
    _label(layout, "notes_header", "SOURCES AND NOTES", (320, 180, 90, 6), 8, DARK, True)
    notes = _label(
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
    _label(
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
    _box(layout, "banner", (0, 0, 297, 19), DARK)
    _label(layout, "title", '[% upper("comp_name") %] ([% "compound" %])', (8, 1.5, 200, 10), 15, "#ffffff", True)
    _label(
        layout,
        "subtitle",
        "[% @sw_site %] · before [% @sw_before %] · after [% @sw_after %] · "
        "page [% @atlas_featurenumber %] of [% @atlas_totalfeatures %]",
        (8, 11, 200, 6),
        8.5,
        "#d6dde5",
    )
    _box(layout, "caveat_badge", (215, 4, 74, 11), "#c0392b")
    _label(
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
        _box(layout, f"{key}_header_box", (x, 23, 136, 6), "#34495e")
        _label(
            layout,
            f"{key}_header",
            PANEL_HEADER.format(key=key, upper=key.upper()),
            (x, 23, 136, 6),
            7.5,
            "#ffffff",
            True,
        )
        item = _map(layout, f"{key}_map", (x, 29, 136, 122))
        item.setAtlasDriven(True)
        item.setAtlasScalingMode(QgsLayoutItemMap.AtlasScalingMode.Auto)
        item.setAtlasMargin(0.3)
    _label(
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
            "Since [% @sw_before %]: newly or more damaged [% coalesce(\"n_newdmg\", '–') %]   ·   rebuilt "
            "[% coalesce(\"n_rebuilt\", '–') %]   ·   new structures [% coalesce(\"n_new\", '–') %]"
        ),
        (8, 155, 190, 26),
        8,
    )
    layout.itemById("figures").setVAlign(Qt.AlignmentFlag.AlignTop)
    _legend(layout, (205, 153, 84, 46))
    layout.itemById("legend").setColumnCount(2)
    layout.itemById("legend").setSplitLayer(True)
    _north_arrow_and_scale_bar(layout, 8, 183)
    _label(
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
