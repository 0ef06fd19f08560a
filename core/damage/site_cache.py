"""The Damage panel's cache of the work that depends on structures and compounds only."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from qgis.core import QgsGeometry

from ..scoring.footprints import Footprints, Wkbs, wkb_buffer


@dataclass
class SiteCache:
    """Footprints, areas and compound assignment of the last computation, reused as long as the
    structures and compounds are byte for byte the same (the Damage panel recomputes after every
    observation; only the observations change then)."""

    fingerprint: bytes = b""
    footprints: Footprints | None = None
    areas: NDArray[np.float64] | None = None
    compound_of: NDArray[np.int64] | None = None
    order: NDArray[np.intp] | None = None
    """The order that sorts the structure ids."""


def fingerprint(
    crs: str,
    ids: NDArray[np.bytes_],
    wkbs: Wkbs,
    compound_ids: list[str],
    compound_geometries: list[QgsGeometry],
) -> bytes:
    """What the cache is valid for: the CRS, the structure ids and footprints, the compounds."""
    digest = hashlib.blake2b(crs.encode("utf-8"), digest_size=20)
    digest.update(np.ascontiguousarray(ids).tobytes())
    buffer, offsets, lengths = wkb_buffer(wkbs)
    digest.update(buffer.tobytes())
    digest.update(lengths.tobytes())
    for compound_id, geometry in zip(compound_ids, compound_geometries):
        digest.update(compound_id.encode("utf-8") + b"\0")
        digest.update(bytes(geometry.asWkb()))
    return digest.digest()
