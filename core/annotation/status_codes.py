"""Every feature's status at a date as one character of a string indexed by feature id.

The status style draws a structure by the character at its feature id (``substr(codes, $id +
offset, 1)``, evaluated by QGIS in C++ with the string computed once per render): an O(1)
look-up per feature that does not grow with the site, and one character to replace when a key
records a state. The string is built from the status book's columns without a Python loop over
observations.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import repeat

import numpy as np

from .. import values
from .status_book import UNOBSERVED, StatusBook

LETTERS: dict[str, str] = {status.code: chr(ord("a") + number) for number, status in enumerate(values.STATUSES)}
"""Status code → its character in the string."""
NOT_OBSERVED = "-"
"""The character of a feature without a state (or with a status outside the value list)."""
FID_OFFSET = 1000
"""Position of feature id 0 in the string: features added in an edit buffer (ids -1, -2, ...)
find a character too (not observed)."""
MAX_FID = 20_000_000
"""Above this feature id the string would be too long to hand to every render (ids of a file
made elsewhere can be sparse): the style then looks statuses up by structure id instead."""


def status_of_letter(letter: str) -> str | None:
    """The status code a character stands for (None: not observed)."""
    for code, known in LETTERS.items():
        if known == letter:
            return code
    return None


def feature_codes(book: StatusBook, on: str | None, fids: Mapping[str, int]) -> str | None:
    """The status of each feature (``fids``: structure_id → feature id) at ``on`` as the
    character at ``fid + FID_OFFSET``; None when a feature id is beyond :data:`MAX_FID`."""
    top = max(fids.values(), default=-1)
    if top > MAX_FID or min(fids.values(), default=0) < -FID_OFFSET:
        return None
    codes = np.full(top + FID_OFFSET + 1, ord(NOT_OBSERVED), dtype=np.uint8)
    if on is not None and book.ids:
        letters = np.array([ord(LETTERS.get(code, NOT_OBSERVED)) for code in book.codes], dtype=np.uint8)
        absent = -FID_OFFSET - 1
        fid_of = np.fromiter(map(fids.get, book.ids, repeat(absent)), dtype=np.int64, count=len(book.ids))
        status = book.status_codes(on)
        drawn = (status != UNOBSERVED) & (fid_of >= -FID_OFFSET)
        codes[fid_of[drawn] + FID_OFFSET] = letters[status[drawn]]
        for structure_id, code in book.apart(on).items():
            fid = fids.get(structure_id)
            if fid is not None:
                codes[fid + FID_OFFSET] = ord(NOT_OBSERVED if code is None else LETTERS.get(code, NOT_OBSERVED))
    return codes.tobytes().decode("ascii")


def with_status(codes: str, fid: int, status: str | None) -> str:
    """``codes`` with feature ``fid`` drawn as ``status`` (None: not observed); a feature beyond
    the string (drawn since it was built) makes it longer."""
    position = fid + FID_OFFSET
    if position < 0:
        return codes
    if position >= len(codes):
        codes += NOT_OBSERVED * (position + 1 - len(codes))
    letter = NOT_OBSERVED if status is None else LETTERS.get(status, NOT_OBSERVED)
    return codes[:position] + letter + codes[position + 1 :]
