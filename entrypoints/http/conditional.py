"""HTTP conditional requests: entity tags for versions and blobs, ``If-Match``/``If-None-Match``
parsing (RFC 9110 section 13). Protocol only; the version check itself is the store's."""

from __future__ import annotations

import re

from avatar_service.core.errors import PreconditionFailed

_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*(?:,|$)')


def version_etag(version: int) -> str:
    """The strong entity tag of a record version: ``"3"``."""
    return f'"{version}"'


def checksum_etag(checksum: str) -> str:
    """The strong entity tag of a blob: its sha256, quoted."""
    return f'"{checksum}"'


def _entity_tags(header: str) -> list[tuple[bool, str]]:
    """``(weak, opaque)`` pairs of a comma-separated list; malformed parts are skipped."""
    return [(bool(m.group(1)), m.group(2)) for m in _TAG.finditer(header)]


def if_match_versions(header: str | None) -> frozenset[int] | None:
    """The versions an ``If-Match`` header accepts: ``None`` when absent or ``*`` (no condition).

    Strong comparison: weak tags and tags that are not versions match nothing, so the result
    may be empty (the request must then fail with 412).
    """
    if header is None or header.strip() == "*":
        return None
    return frozenset(int(tag) for weak, tag in _entity_tags(header) if not weak and tag.isdigit())


def expected_version(accepted: frozenset[int] | None, current: int | None = None) -> int | None:
    """The one version to hand the store for ``accepted`` (``None``: unconditional).

    With several accepted versions ``current`` (the stored one) decides; raises
    ``PreconditionFailed`` when nothing can match.
    """
    if accepted is None:
        return None
    if len(accepted) == 1:
        return next(iter(accepted))
    if current is not None and current in accepted:
        return current
    raise PreconditionFailed("If-Match names no current version of this resource", field="If-Match")


def none_match(header: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` matches ``etag`` (weak comparison; ``*`` matches anything)."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    opaque = etag.removeprefix("W/").strip('"')
    return any(tag == opaque for _weak, tag in _entity_tags(header))
