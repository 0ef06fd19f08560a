"""The KML of an export, written directly: one Document, a Folder per layer, shared styles.

Structures are coloured and labelled by their status at the after date (colours of
:mod:`.values`); the placemark name is the label, the export's fields are typed
``ExtendedData`` with the same names as in the other formats. Geometry is in WGS 84.
(GDAL's LIBKML writer takes minutes for 20,000 styled placemarks; its KML writer drops
polygon fills.)
"""

from __future__ import annotations

import re
from pathlib import Path

from osgeo import ogr, osr

from .. import values
from . import fields as ef
from .data import ExportData, Table
from .srs import spatial_reference, wgs84

_KML_TYPES = {"TEXT": "string", "DATE": "string", "DATETIME": "string", "REAL": "double", "INTEGER": "int"}
UNOBSERVED_STYLE = "status_unobserved"


def kml_colour(colour: str, alpha: int) -> str:
    """``#rrggbb`` as KML's ``aabbggrr``."""
    red, green, blue = colour[1:3], colour[3:5], colour[5:7]
    return f"{alpha:02x}{blue}{green}{red}".lower()


def _style(style_id: str, line: str, width: float, fill: str | None, icon: bool = False) -> str:
    poly = f"<PolyStyle><color>{fill}</color></PolyStyle>" if fill else "<PolyStyle><fill>0</fill></PolyStyle>"
    marker = (
        f"<IconStyle><color>{line}</color><Icon><href>"
        "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png</href></Icon></IconStyle>"
        if icon
        else ""
    )
    return (
        f'<Style id="{style_id}">{marker}<LineStyle><color>{line}</color><width>{width:g}</width></LineStyle>'
        f"{poly}</Style>"
    )


def _styles() -> list[str]:
    styles = []
    for status in values.STATUSES:
        if status.code == "absent":
            styles.append(_style("status_absent", "ffffffff", 1, None))
        else:
            styles.append(
                _style(f"status_{status.code}", kml_colour(status.colour, 255), 2, kml_colour(status.colour, 176))
            )
    styles.append(_style(UNOBSERVED_STYLE, "ff9a9a9a", 2, None))
    styles.append(_style("compound", "ff00d4ff", 3, None))
    styles.append(_style("linear_feature", "ffc8e0e8", 2, None))
    styles.append(_style("point_feature", "ff3030ff", 1, None, icon=True))
    return styles


def _status_part(data: ExportData, code: str | None) -> tuple[str, str]:
    """(end of the label after the id, style id) of a structure whose status code is ``code``."""
    if code is None:
        return ": not observed", UNOBSERVED_STYLE
    status = values.STATUS_BY_CODE[code]
    name = status.label if data.scheme == "sitewatch" else values.status_name(code, data.scheme)
    return f": {name}", f"status_{code}"


def _placemark_style(table: Table, number: int) -> tuple[str, str]:
    """(label, style id) of one placemark of a layer other than the structures (see :func:`_heads`)."""
    row = table.rows[number]
    if table.layer is ef.COMPOUNDS:
        return str(row[1] or row[0]), "compound"
    if table.layer is ef.LINEAR_FEATURES:
        return f"{row[0]}: {row[1]}", "linear_feature"
    return f"{row[0]}: {row[1]}", "point_feature"


def _heads(data: ExportData, table: Table) -> list[str]:
    """Each placemark's opening: its name (the label) and style. A structure's status part is
    made once per status (escaping is per character: escaping the parts escapes the whole)."""
    if table.layer is not ef.STRUCTURES:
        heads = []
        for number in range(len(table.rows)):
            label, style = _placemark_style(table, number)
            heads.append(f"<Placemark><name>{escape(label)}</name><styleUrl>#{style}</styleUrl>")
        return heads
    ends = {}
    for code in set(data.after_codes):
        end, style = _status_part(data, code)
        ends[code] = f"{escape(end)}</name><styleUrl>#{style}</styleUrl>"
    ids = _escaped([f"{row[0]}" for row in table.rows])
    return [f"<Placemark><name>{i}{ends[code]}" for i, code in zip(ids, data.after_codes)]


def _escaped(texts: list[str]) -> list[str]:
    """``texts`` escaped (one search when none needs it, as is usual)."""
    if _TO_ESCAPE.search("".join(texts)) is None:
        return texts
    return [escape(text) for text in texts]


def _cell(opening: str, value: object) -> str:
    if value is None:
        return ""
    return f"{opening}{escape(value) if isinstance(value, str) else _text(value)}</SimpleData>"


def _column_cells(opening: str, column: tuple[object, ...]) -> list[str]:
    """The SimpleData element of each value of a column ("" for None). Texts and integers
    (types whose equal values print the same) are rendered once per distinct value."""
    kinds = set(map(type, column)) - {type(None)}
    if kinds <= {str} or kinds == {int}:
        rendered = {value: _cell(opening, value) for value in set(column)}
        return list(map(rendered.__getitem__, column))
    return [_cell(opening, value) for value in column]


def _cells(layer: ef.OutLayer, table: Table) -> list[str]:
    """Each row's SimpleData elements, in field order (a field without a value has none)."""
    openings = [f"<SimpleData name={quoteattr(f.name)}>" for f in layer.fields]
    columns = [_column_cells(opening, column) for opening, column in zip(openings, zip(*table.rows))]
    return list(map("".join, zip(*columns))) if columns else [""] * len(table.rows)


def _schema(layer: ef.OutLayer) -> str:
    fields = "".join(f'<SimpleField name="{f.name}" type="{_KML_TYPES[f.kind]}"/>' for f in layer.fields)
    return f'<Schema name="{layer.name}" id="{layer.name}">{fields}</Schema>'


_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 does not allow in a document at all, even escaped (control characters
pasted into a name): they are left out, so the file stays valid KML."""


_TO_ESCAPE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""What :func:`escape` changes: most texts have none of it and go through with one search."""


def escape(text: str) -> str:
    """``text`` as XML character data: without the characters XML forbids, ``&``, ``<``, ``>`` escaped."""
    if _TO_ESCAPE.search(text) is None:
        return text
    return _NOT_IN_XML.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """``text`` as a double-quoted XML attribute value."""
    return '"' + escape(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;") + '"'


_LINES_PER_WRITE = 4096
"""Placemarks written to the file at once."""


def _text(value: object) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def write_kml(data: ExportData, folder: Path, prefix: str, package: Path | None = None) -> list[Path]:
    """``<prefix>.kml`` with the four spatial layers (``package`` is not needed)."""
    path = folder / f"{prefix}.kml"
    source = spatial_reference(data.crs)
    transform = osr.CoordinateTransformation(source, wgs84())
    with path.open("w", encoding="utf-8") as stream:
        stream.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">\n'
            f"<Document><name>{escape(prefix)}</name>\n"
        )
        for layer in ef.SPATIAL_LAYERS:
            stream.write(_schema(layer) + "\n")
        stream.write("\n".join(_styles()) + "\n")
        for layer in ef.SPATIAL_LAYERS:
            table = data.tables[layer.name]
            stream.write(f"<Folder><name>{layer.name}</name>\n")
            heads = _heads(data, table)
            cells = _cells(layer, table)
            schema = f'<ExtendedData><SchemaData schemaUrl="#{layer.name}">'
            lines = []
            for head, cell, wkb in zip(heads, cells, table.geometries):
                geometry = ""
                if wkb is not None:
                    shape = ogr.CreateGeometryFromWkb(wkb)
                    shape.Transform(transform)
                    geometry = shape.ExportToKML()
                lines.append(f"{head}{schema}{cell}</SchemaData></ExtendedData>{geometry}</Placemark>\n")
                if len(lines) == _LINES_PER_WRITE:
                    stream.write("".join(lines))
                    lines.clear()
            stream.write("".join(lines))
            stream.write("</Folder>\n")
        stream.write("</Document>\n</kml>\n")
    return [path]
