"""Tiny stdlib readers of image and video headers, so the renderer contract checks output
through a side channel instead of trusting what the renderer reports about itself."""

from __future__ import annotations

import struct

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_ALIASES = {"jpg": "jpeg", "mov": "mp4", "m4v": "mp4", "mkv": "webm", "apng": "png"}
# JPEG start-of-frame markers: C0..CF except DHT (C4), JPG (C8) and DAC (CC).
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def canonical_format(fmt: str) -> str:
    """The container family a format name belongs to (``jpg`` -> ``jpeg``, ``mov`` -> ``mp4``)."""
    lowered = fmt.lower()
    return _ALIASES.get(lowered, lowered)


def sniff_format(data: bytes) -> str | None:
    """The container family ``data`` starts with, by magic bytes; ``None`` if unrecognised."""
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[4:8] == b"ftyp":
        return "mp4"
    if data.startswith(EBML_MAGIC):
        return "webm"
    return None


def image_size(data: bytes) -> tuple[str, int, int]:
    """``(format, width, height)`` read from an encoded image's header.

    Raises ``ValueError`` when the bytes are not a PNG, JPEG, WebP or GIF this can parse.
    """
    kind = sniff_format(data)
    try:
        if kind == "png":
            return kind, *_png_size(data)
        if kind == "jpeg":
            return kind, *_jpeg_size(data)
        if kind == "webp":
            return kind, *_webp_size(data)
        if kind == "gif":
            width, height = struct.unpack_from("<HH", data, 6)
            return kind, width, height
    except struct.error as exc:
        raise ValueError(f"truncated {kind} header: {exc}") from None
    raise ValueError(f"not a PNG, JPEG, WebP or GIF image (starts with {data[:12]!r})")


def _png_size(data: bytes) -> tuple[int, int]:
    length, chunk = struct.unpack_from(">I4s", data, 8)
    if chunk != b"IHDR" or length < 8:
        raise ValueError("PNG does not start with an IHDR chunk")
    width, height = struct.unpack_from(">II", data, 16)
    return width, height


def _jpeg_size(data: bytes) -> tuple[int, int]:
    offset = 2
    while offset + 4 <= len(data):
        if data[offset] != 0xFF:
            raise ValueError(f"JPEG marker expected at byte {offset}")
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # standalone markers
            offset += 2
            continue
        (length,) = struct.unpack_from(">H", data, offset + 2)
        if marker in _SOF_MARKERS:
            height, width = struct.unpack_from(">HH", data, offset + 5)
            return width, height
        offset += 2 + length
    raise ValueError("JPEG has no start-of-frame segment")


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8 ":
        if data[23:26] != b"\x9d\x01\x2a":
            raise ValueError("WebP VP8 frame tag missing")
        width, height = struct.unpack_from("<HH", data, 26)
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        if data[20] != 0x2F:
            raise ValueError("WebP VP8L signature missing")
        (bits,) = struct.unpack_from("<I", data, 21)
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    raise ValueError(f"unknown WebP chunk {chunk!r}")
