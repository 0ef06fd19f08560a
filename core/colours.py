"""Colours as QGIS symbol properties, in one place."""

from __future__ import annotations

import re

_HEX = re.compile(r"#[0-9a-fA-F]{6}")


def rgba(hex_colour: str, alpha: int = 255) -> str:
    """``#rrggbb`` as the ``r,g,b,a`` text QGIS symbol properties read unambiguously (QColor
    would read an 8-digit hex as ``#aarrggbb``)."""
    if not _HEX.fullmatch(hex_colour) or not 0 <= alpha <= 255:
        raise ValueError(f"'{hex_colour}' with alpha {alpha} is not a #rrggbb colour and an alpha in 0-255")
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"{red},{green},{blue},{alpha}"
