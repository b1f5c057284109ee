"""Opaque listing cursors: URL-safe base64 of ``<created_at ISO>|<id>``."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

from avatar_service.core.errors import Invalid

Key = tuple[datetime, str]


def encode_cursor(key: Key) -> str:
    moment = key[0] if key[0].tzinfo is not None else key[0].replace(tzinfo=UTC)
    raw = f"{moment.astimezone(UTC).isoformat()}|{key[1]}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> Key:
    """The position a cursor names; ``Invalid`` (field ``cursor``) for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, separator, item_id = raw.partition("|")
        if not separator or not item_id:
            raise ValueError("no separator")
        parsed = datetime.fromisoformat(moment)
    except (binascii.Error, UnicodeError, ValueError, TypeError):
        raise Invalid("the cursor is not one this listing returned", field="cursor") from None
    return (parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)), item_id


def check_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise Invalid(f"limit must be a positive integer, got {limit!r}", field="limit")
    return limit
