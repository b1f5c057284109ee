"""Content types of blobs: a declared type, else the name's extension, else the first bytes."""

from __future__ import annotations

import mimetypes
import re

OCTET_STREAM = "application/octet-stream"
SNIFF_BYTES = 512
"""How many leading bytes ``sniff`` looks at."""

_GENERIC = frozenset({"", OCTET_STREAM, "binary/octet-stream", "application/unknown"})
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")
_FTYP_BRANDS = {b"M4A ": "audio/mp4", b"M4B ": "audio/mp4", b"qt  ": "video/quicktime"}
_PREFIXES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"glTF", "model/gltf-binary"),
    (b"OggS", "audio/ogg"),
    (b"fLaC", "audio/flac"),
    (b"ID3", "audio/mpeg"),
    (b"\xff\xfb", "audio/mpeg"),
    (b"\xff\xf3", "audio/mpeg"),
    (b"\xff\xf2", "audio/mpeg"),
    (b"\x1a\x45\xdf\xa3", "video/webm"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
)


def sniff(head: bytes) -> str | None:
    """The media type that the leading bytes ``head`` announce, for common media; else ``None``."""
    for magic, media_type in _PREFIXES:
        if head.startswith(magic):
            return media_type
    if head[:4] == b"RIFF" and len(head) >= 12:
        return {b"WAVE": "audio/wav", b"WEBP": "image/webp", b"AVI ": "video/x-msvideo"}.get(
            head[8:12]
        )
    if head[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(head[8:12], "video/mp4")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in text):
        return "image/svg+xml"
    return None


def normalise_declared(declared: str | None) -> str | None:
    """A client-declared type without parameters, lowercased; ``None`` if generic or malformed."""
    if not declared:
        return None
    media_type = declared.split(";", 1)[0].strip().lower()
    if media_type in _GENERIC or not _MEDIA_TYPE.match(media_type):
        return None
    return media_type


def content_type_for(name: str, head: bytes, declared: str | None = None) -> str:
    """The type to record for blob ``name`` whose data starts with ``head``: the declared type
    unless generic or malformed, else the extension's (``mimetypes``), else ``sniff(head)``,
    else ``application/octet-stream``."""
    return (
        normalise_declared(declared)
        or mimetypes.guess_type(name, strict=False)[0]
        or sniff(head[:SNIFF_BYTES])
        or OCTET_STREAM
    )


def media_kind(content_type: str) -> str:
    """The broad kind of a type: ``image``, ``audio``, ``video``, ``model``, ``text`` or
    ``other``."""
    major = content_type.partition("/")[0]
    return major if major in ("image", "audio", "video", "model", "text") else "other"
