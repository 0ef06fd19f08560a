"""A tiny OSM PBF writer (GDAL reads PBF but cannot write it), written from the public format
description (wiki.openstreetmap.org/wiki/PBF_Format, fileformat.proto and osmformat.proto):
an OSMHeader blob, then one OSMData blob holding a PrimitiveBlock with dense nodes and ways,
each blob zlib-compressed. Protocol Buffers are encoded by hand (varints, zigzag, packed
fields), so the fixture needs nothing beyond the standard library."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

VARINT, LENGTH = 0, 2


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _zigzag(value: int) -> int:
    return (value << 1) ^ (value >> 63)


def _key(number: int, wire: int) -> bytes:
    return _varint(number << 3 | wire)


def _bytes(number: int, payload: bytes) -> bytes:
    return _key(number, LENGTH) + _varint(len(payload)) + payload


def _int(number: int, value: int) -> bytes:
    return _key(number, VARINT) + _varint(value)


def _packed(number: int, values: Sequence[int], signed: bool = False) -> bytes:
    return _bytes(number, b"".join(_varint(_zigzag(v) if signed else v) for v in values))


def _deltas(values: Sequence[int]) -> list[int]:
    return [value - (values[n - 1] if n else 0) for n, value in enumerate(values)]


def _blob(kind: str, message: bytes) -> bytes:
    blob = _int(2, len(message)) + _bytes(3, zlib.compress(message))
    header = _bytes(1, kind.encode()) + _int(3, len(blob))
    return struct.pack(">I", len(header)) + header + blob


def write_pbf(
    path: Path,
    nodes: Sequence[tuple[int, float, float]],
    ways: Sequence[tuple[int, Sequence[int], dict[str, str]]],
) -> Path:
    """Write ``nodes`` (id, lon, lat) and ``ways`` (id, node ids, tags) as an OSM PBF file."""
    strings = [""]

    def string(text: str) -> int:
        if text not in strings:
            strings.append(text)
        return strings.index(text)

    ids = [n[0] for n in nodes]
    lats = [round(n[2] * 1e7) for n in nodes]  # granularity 100 nanodegrees (the default)
    lons = [round(n[1] * 1e7) for n in nodes]
    dense = (
        _packed(1, _deltas(ids), signed=True)
        + _packed(8, _deltas(lats), signed=True)
        + _packed(9, _deltas(lons), signed=True)
        + _packed(10, [0] * len(nodes))  # no tags on any node
    )
    group = _bytes(2, dense)
    for way_id, refs, tags in ways:
        keys = [string(k) for k in tags]
        values = [string(v) for v in tags.values()]
        way = _int(1, way_id) + _packed(2, keys) + _packed(3, values) + _packed(8, _deltas(list(refs)), signed=True)
        group += _bytes(3, way)
    table = b"".join(_bytes(1, s.encode()) for s in strings)
    block = _bytes(1, table) + _bytes(2, group)
    west, east = min(lons), max(lons)
    south, north = min(lats), max(lats)
    bbox = b"".join(_key(n, VARINT) + _varint(_zigzag(v * 100)) for n, v in enumerate((west, east, north, south), 1))
    header = _bytes(1, bbox) + _bytes(4, b"OsmSchema-V0.6") + _bytes(4, b"DenseNodes") + _bytes(16, b"SiteWatch tests")
    path.write_bytes(_blob("OSMHeader", header) + _blob("OSMData", block))
    return path


def osm_pbf(path: Path, buildings: Sequence[tuple[str, float, float]]) -> Path:
    """An OSM PBF extract with one closed way per (building value, lon, lat), like
    :func:`.import_sources.osm_xml`: ``key=value`` tags the way with that instead, an empty value
    makes a track."""
    nodes: list[tuple[int, float, float]] = []
    ways = []
    for number, (value, lon, lat) in enumerate(buildings, start=1):
        corners = [(lon, lat), (lon + 0.0002, lat), (lon + 0.0002, lat + 0.0002), (lon, lat + 0.0002)]
        refs = []
        for x, y in corners:
            nodes.append((len(nodes) + 1, x, y))
            refs.append(len(nodes))
        key, _, tagged = value.rpartition("=")
        tags = {key or "building": tagged} if value else {"highway": "track"}
        ways.append((number, [*refs, refs[0]], tags))
    return write_pbf(path, nodes, ways)
