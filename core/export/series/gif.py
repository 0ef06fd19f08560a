"""An animated GIF writer (GIF89a, LZW-compressed, one global colour table, looping), since
neither Qt nor GDAL writes animated GIFs: Qt ships no GIF writer and GDAL's GIF driver writes
one image. The format is the W3C's GIF89a specification (1990): header, logical screen with the
global colour table, the NETSCAPE2.0 looping extension, then per frame a graphic control
extension (delay in hundredths of a second) and the image's LZW code stream in sub-blocks.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ...errors import SiteWatchError

MAX_CODE = 4095
"""GIF codes are at most 12 bits wide."""


class _Bits:
    """Packs variable-width codes least significant bit first, as GIF wants."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.buffer = 0
        self.count = 0

    def put(self, code: int, width: int) -> None:
        self.buffer |= code << self.count
        self.count += width
        while self.count >= 8:
            self.out.append(self.buffer & 0xFF)
            self.buffer >>= 8
            self.count -= 8

    def bytes(self) -> bytes:
        if self.count:
            self.out.append(self.buffer & 0xFF)
            self.buffer, self.count = 0, 0
        return bytes(self.out)


def lzw_encode(indices: bytes, min_code_size: int) -> bytes:
    """The GIF variant of LZW: a clear code first, code width growing from ``min_code_size + 1``
    to 12 bits, a clear code whenever the table is full, an end code last."""
    if not 2 <= min_code_size <= 8:
        raise ValueError(f"The LZW minimum code size {min_code_size} must be 2 to 8.")
    clear, end = 1 << min_code_size, (1 << min_code_size) + 1
    bits = _Bits()
    width, next_code = min_code_size + 1, end + 1
    table: dict[int, int] = {}
    """(prefix code << 8 | next index) → code; the single indices are their own codes."""
    bits.put(clear, width)
    if not indices:
        bits.put(end, width)
        return bits.bytes()
    prefix = indices[0]
    for index in indices[1:]:
        key = (prefix << 8) | index
        code = table.get(key)
        if code is not None:
            prefix = code
            continue
        bits.put(prefix, width)
        if next_code <= MAX_CODE:
            table[key] = next_code
            next_code += 1
            # the decoder adds each entry one code later: widen once it has room for the next
            if next_code > (1 << width) and width < 12:
                width += 1
        else:
            bits.put(clear, width)
            table.clear()
            width, next_code = min_code_size + 1, end + 1
        prefix = index
    bits.put(prefix, width)
    # the decoder adds the last entry on reading this prefix: the end code may need one bit more
    if next_code <= MAX_CODE and next_code + 1 > (1 << width) and width < 12:
        width += 1
    bits.put(end, width)
    return bits.bytes()


def _sub_blocks(data: bytes) -> bytes:
    chunks = [bytes([len(data[i : i + 255])]) + data[i : i + 255] for i in range(0, len(data), 255)]
    return b"".join(chunks) + b"\x00"


def write_gif(
    path: Path, frames: Sequence[NDArray[np.uint8]], palette: NDArray[np.uint8], delay_cs: int, loops: int = 0
) -> Path:
    """Write ``frames`` (each a height × width array of palette indices, all the same size) as
    one animated GIF showing each for ``delay_cs`` hundredths of a second, looping ``loops``
    times (0: for ever)."""
    if not frames:
        raise SiteWatchError(f"No frame to write into {path}.")
    height, width = frames[0].shape
    if any(frame.shape != (height, width) for frame in frames) or not (0 < width < 65536 and 0 < height < 65536):
        raise SiteWatchError(f"The frames of {path} must all be the same size, at most 65535 pixels a side.")
    colours = np.asarray(palette, dtype=np.uint8).reshape(-1, 3)
    if not 1 <= len(colours) <= 256 or max(int(frame.max()) for frame in frames) >= len(colours):
        raise SiteWatchError(f"The palette of {path} must have 1 to 256 colours covering every frame's indices.")
    depth = max(1, int(np.ceil(np.log2(len(colours)))))
    table = np.zeros((1 << depth, 3), dtype=np.uint8)
    table[: len(colours)] = colours
    code_size = max(2, depth)
    parts = [
        b"GIF89a",
        struct.pack("<HHBBB", width, height, 0x80 | ((depth - 1) << 4) | (depth - 1), 0, 0),
        table.tobytes(),
        b"\x21\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", loops) + b"\x00",
    ]
    for frame in frames:
        parts.append(b"\x21\xf9\x04" + struct.pack("<BHB", 0x04, delay_cs, 0) + b"\x00")  # keep the frame shown
        parts.append(b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0))
        data = lzw_encode(np.ascontiguousarray(frame, dtype=np.uint8).tobytes(), code_size)
        parts.append(bytes([code_size]) + _sub_blocks(data))
    parts.append(b"\x3b")
    path.write_bytes(b"".join(parts))
    return path
