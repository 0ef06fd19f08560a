"""Reading the PDF report as a reader sees it: the template's areas, text and rendered pixels."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import numpy as np
from osgeo import gdal

PAGE_MM = (420.0, 297.0)


PANELS_MM = {"before": (8, 35, 158, 185), "after": (162, 35, 312, 185)}


OVERVIEW_MM = (318, 35, 412, 91)


LEGEND_MM = (318, 93, 412, 159)


TABLE_MM = (8, 198, 208, 260)


PT_PER_MM = 72 / 25.4


def plain(text: str) -> str:
    """PDF text compared as a reader sees it: Arabic presentation forms folded, bidi marks gone."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text)


def pdf_text(path: Path, *options: str) -> str:
    return plain(
        subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True).stdout
    )


def words(path: Path, page: int = 1) -> list[tuple[str, float, float, float, float]]:
    """Every word of ``page`` with its box in mm (x min, y min, x max, y max)."""
    html = pdf_text(path, "-bbox", "-f", str(page), "-l", str(page))
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)
    return [(text, *(float(v) / PT_PER_MM for v in box)) for *box, text in found]


def area_lines(path: Path, box: tuple[float, float, float, float]) -> list[str]:
    x0, y0, x1, y1 = (round(v * PT_PER_MM) for v in box)
    text = pdf_text(path, "-layout", "-x", str(x0), "-y", str(y0), "-W", str(x1 - x0), "-H", str(y1 - y0))
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def render(path: Path, folder: Path, dpi: int = 50, page: int = 1) -> np.ndarray:
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(dpi),
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(path),
            str(folder / "page"),
        ],
        check=True,
    )
    return gdal.Open(str(folder / "page.png")).ReadAsArray().astype(float)[:3]
