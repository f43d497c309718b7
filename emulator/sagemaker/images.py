"""Just enough image handling for the simulated labelers: read an image's size, write a PNG mask.

Ground Truth reports each image's real size in bounding-box output and writes segmentation masks
the size of the image, so the labelers read it from the file header (PNG, JPEG, GIF) instead of
pulling in an imaging library.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_CHANNELS = {0: 1, 2: 3, 3: 3, 4: 2, 6: 4}
# JPEG start-of-frame markers (baseline, progressive, lossless...) that carry the frame size.
_JPEG_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
# Masks bigger than this are written at this size: enough for every test, bounded in memory.
MAX_MASK_SIDE = 4096


@dataclass(frozen=True)
class ImageSize:
    """An image's size as Ground Truth's bounding-box output reports it."""

    width: int
    height: int
    depth: int


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in pixels, Ground Truth's `left`/`top`/`width`/`height` convention."""

    left: int
    top: int
    width: int
    height: int


def image_size(data: bytes) -> ImageSize | None:
    """The size of a PNG, JPEG or GIF image, or None when the header is not one of those."""
    if data.startswith(_PNG_SIGNATURE) and len(data) >= 26 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return ImageSize(width, height, _PNG_CHANNELS.get(data[25], 3))
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return ImageSize(width, height, 3)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> ImageSize | None:
    offset = 2
    while offset + 9 < len(data):
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            offset += 2
            continue
        (segment_length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        if marker in _JPEG_SOF_MARKERS:
            height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
            return ImageSize(width, height, data[offset + 9] if offset + 9 < len(data) else 3)
        offset += 2 + segment_length
    return None


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def _rgb(hex_color: str) -> bytes:
    return bytes.fromhex(hex_color.removeprefix("#"))


def mask_png(size: ImageSize, regions: list[tuple[Box, str]], background: str) -> bytes:
    """An RGB PNG of ``size`` filled with ``background``, each region's box painted in its colour.

    Later regions paint over earlier ones, as a labeler's later strokes would.
    """
    width = max(1, min(size.width, MAX_MASK_SIDE))
    height = max(1, min(size.height, MAX_MASK_SIDE))
    plain_row = _rgb(background) * width
    compressor = zlib.compressobj(9)
    pixels = bytearray()
    for row in range(height):
        pixel_row = bytearray(plain_row)
        for box, colour in regions:
            if box.top <= row < box.top + box.height:
                left, right = min(box.left, width), min(box.left + box.width, width)
                pixel_row[3 * left : 3 * right] = _rgb(colour) * (right - left)
        pixels += compressor.compress(b"\x00" + bytes(pixel_row))
    pixels += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        _PNG_SIGNATURE
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", bytes(pixels))
        + _png_chunk(b"IEND", b"")
    )
