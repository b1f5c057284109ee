"""The one rule for blob names, shared by every BlobStore adapter so traversal is impossible."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

from avatar_service.core.errors import Invalid

MAX_NAME_LENGTH = 255
MAX_SEGMENT_LENGTH = 128
_DRIVE = re.compile(r"^[A-Za-z]:")
_UNSAFE_FILENAME_CHARS = re.compile(r"[^A-Za-z0-9._ -]+")


def _refuse(name: str, why: str) -> Invalid:
    return Invalid(f"unsafe blob name {name!r}: {why}", field="name")


def safe_blob_name(name: str) -> str:
    """Return the normalised form of ``name`` or raise ``Invalid``.

    A safe name is a relative POSIX path of at most ``MAX_NAME_LENGTH`` characters whose
    segments are non-empty, not ``.`` or ``..``, at most ``MAX_SEGMENT_LENGTH`` characters, and
    free of backslashes, control characters and drive letters -- checked on the name as given,
    after NFKC normalisation and after percent-decoding, so no encoding smuggles one through.
    """
    if not isinstance(name, str) or not name:
        raise Invalid("blob name must be a non-empty string", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise _refuse(name[:40] + "...", f"longer than {MAX_NAME_LENGTH} characters")
    normalised = unicodedata.normalize("NFKC", name)
    for form in {name, normalised, unquote(name), unquote(normalised), unquote(unquote(name))}:
        _check_form(name, form)
    return normalised


def _check_form(original: str, form: str) -> None:
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in form):
        raise _refuse(original, "contains a control or invisible format character")
    if "\\" in form:
        raise _refuse(original, "contains a backslash")
    if form.startswith("/") or _DRIVE.match(form):
        raise _refuse(original, "must be relative")
    for segment in form.split("/"):
        if segment in ("", ".", ".."):
            raise _refuse(original, "contains '.', '..' or empty segments")
        if segment.strip() != segment or segment.endswith("."):
            raise _refuse(original, "a segment starts or ends with a space or ends with a dot")
        if len(segment) > MAX_SEGMENT_LENGTH:
            raise _refuse(original, f"a segment is longer than {MAX_SEGMENT_LENGTH} characters")


def sanitize_filename(filename: str, fallback: str = "upload") -> str:
    """Turn a client-supplied file name into one safe segment (no folders), keeping the extension.

    Characters outside ``[A-Za-z0-9._ -]`` become ``_``; leading dots and spaces are removed.
    """
    base = unicodedata.normalize("NFKC", filename or "").replace("\\", "/").split("/")[-1]
    base = _UNSAFE_FILENAME_CHARS.sub("_", base).strip(" .")
    if not base or base in (".", ".."):
        base = fallback
    if len(base) > MAX_SEGMENT_LENGTH:
        stem, dot, ext = base.rpartition(".")
        base = (
            (stem[: MAX_SEGMENT_LENGTH - len(ext) - 1] + dot + ext)
            if dot
            else base[:MAX_SEGMENT_LENGTH]
        )
    return base
