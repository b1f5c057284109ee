"""Minimal image encoders for the mock renderer, standard library and numpy only: RGB PNG, and
animated GIF89a with "uncompressed" LZW (every pixel a literal code, a clear code often enough
that codes stay 9 bits wide). Correct and fast to write; the files are not small."""

from __future__ import annotations

import struct
import zlib
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

U8Array = npt.NDArray[np.uint8]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_LZW_MIN_CODE_SIZE = 8
_CLEAR, _END = 256, 257
# After a clear the decoder's next code is 258 and grows by one per code after the first; it
# widens to 10 bits at 512. 254 literals would just fit; 250 leaves margin for lax decoders.
_LITERALS_PER_CLEAR = 250


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(tag + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)


def encode_png(rgb: U8Array, level: int = 6) -> bytes:
    """An 8-bit RGB PNG of ``rgb`` (shape ``(height, width, 3)``), no interlace, filter 0."""
    height, width, channels = rgb.shape
    if channels != 3:
        raise ValueError(f"expected an RGB array, got {channels} channels")
    raw = np.zeros((height, 1 + 3 * width), np.uint8)  # each row: filter byte 0, then pixels
    raw[:, 1:] = rgb.reshape(height, 3 * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"".join(
        (
            _PNG_SIGNATURE,
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(raw.tobytes(), level)),
            _png_chunk(b"IEND", b""),
        )
    )


def lzw_literal_stream(indices: U8Array) -> bytes:
    """GIF image data for palette ``indices`` (any shape, row-major): the min code size byte,
    then the LZW codes in 255-byte sub-blocks, then the block terminator."""
    pixels = indices.reshape(-1).astype(np.uint16)
    clears = np.arange(0, pixels.size, _LITERALS_PER_CLEAR)
    codes = np.append(np.insert(pixels, clears, _CLEAR), np.uint16(_END))
    bits = ((codes[:, None] >> np.arange(9, dtype=np.uint16)) & 1).astype(np.uint8)
    data = np.packbits(bits.reshape(-1), bitorder="little").tobytes()
    blocks = [
        bytes((len(data[i : i + 255]),)) + data[i : i + 255] for i in range(0, len(data), 255)
    ]
    return bytes((_LZW_MIN_CODE_SIZE,)) + b"".join(blocks) + b"\x00"


class GifWriter:
    """Writes a looping GIF89a frame by frame to an open binary file.

    ``palette`` is up to 256 RGB triples (padded to 256). Frames after the first may cover a
    sub-rectangle: with disposal "do not dispose" the rest of the previous frame stays visible.
    """

    def __init__(
        self, out: BinaryIO, width: int, height: int, palette: list[tuple[int, int, int]]
    ) -> None:
        if not 1 <= len(palette) <= 256:
            raise ValueError("a GIF palette holds 1 to 256 colours")
        self._out = out
        table = bytearray(768)
        for i, colour in enumerate(palette):
            table[3 * i : 3 * i + 3] = bytes(colour)
        # Global colour table present (0x80), 8-bit colour resolution (0x70), 256 entries (0x07).
        out.write(b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF7, 0, 0) + table)
        out.write(b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00")  # loop forever

    def frame(self, indices: U8Array, delay_cs: int, left: int = 0, top: int = 0) -> None:
        """One image of ``indices`` (shape ``(h, w)``) at ``(left, top)``, shown ``delay_cs``
        hundredths of a second."""
        height, width = indices.shape
        # Graphic control: disposal 1 (leave in place), no transparency.
        self._out.write(struct.pack("<4BHBB", 0x21, 0xF9, 4, 0x04, delay_cs, 0, 0))
        self._out.write(struct.pack("<BHHHHB", 0x2C, left, top, width, height, 0))
        self._out.write(lzw_literal_stream(indices))

    def close(self) -> None:
        """Write the trailer (the caller closes the file)."""
        self._out.write(b";")
