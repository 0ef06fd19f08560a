"""Why a vector file given by path (``path`` or ``path|layername=…``) does not open: QGIS only
says a layer is invalid, and GDAL reads a GeoPackage cut short, or a text file named .gpkg,
as "not recognised". The cause goes into the one message the analyst sees."""

from __future__ import annotations

from pathlib import Path

from osgeo import gdal

gdal.UseExceptions()

_SQLITE_MAGIC = b"SQLite format 3\x00"


def cut_short(path: Path, header: bytes) -> str | None:
    """``size of expected bytes`` when an SQLite file is shorter than its header says."""
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big") if header[24:28] == header[92:96] else 0
    size = path.stat().st_size
    if len(header) < 100 or size < page_size * pages:
        return f"{size} of {page_size * pages} bytes"
    return None


def _file_problem(path: Path) -> str | None:
    with path.open("rb") as stream:
        header = stream.read(100)
    if header.startswith(_SQLITE_MAGIC):
        cut = cut_short(path, header)
        if cut is not None:
            return f"the file is cut short ({cut}); copy it again or restore it from a backup"
    elif path.suffix.lower() == ".gpkg":
        return "the file is not a GeoPackage (not an SQLite database); give a GeoPackage or another vector file"
    return None


def why_unreadable(source: str) -> str:
    """What is wrong with the vector file ``source`` (a path, or a path with ``|layername=``)
    that did not open as a layer, as a phrase to put after its name."""
    path_text, _, options = source.partition("|")
    path = Path(path_text).expanduser()
    wanted = dict(o.split("=", 1) for o in options.split("|") if "=" in o).get("layername")
    if not path.exists():
        return "the file does not exist"
    problem = _file_problem(path) if path.is_file() else None
    if problem is not None:
        return problem
    try:
        dataset = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_READONLY)
    except RuntimeError as error:
        if "locked" in str(error) or "busy" in str(error):
            return "the file is locked by another program that is writing to it; close that program's edit session"
        dataset = None
    if dataset is None:
        return "GDAL does not recognise it as a vector file"
    names = [dataset.GetLayer(i).GetName() for i in range(dataset.GetLayerCount())]
    if not names:
        return "the file holds no vector layer"
    if wanted is not None and wanted not in names:
        return f"the file has no layer '{wanted}'; its layers: {', '.join(names)}"
    return "GDAL cannot read it as a vector layer"
