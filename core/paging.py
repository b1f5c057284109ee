"""Listing pages: the opaque cursor codec every ``Store`` shares, and the two limit rules.

A cursor is URL-safe base64 of ``<created_at ISO, UTC>|<id>``; stores order listings by that
key, oldest first. The store rule (``check_store_limit``: any positive integer) is the
``Store`` contract; the use-case rule (``check_page_size``: 1 to ``MAX_PAGE``) is what callers
of the service may ask for.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

from avatar_service.core.errors import Invalid

CursorKey = tuple[datetime, str]
"""A listing position: (created_at, id)."""

MAX_PAGE = 500
"""Most items one listing call of the service returns."""


def aware(moment: datetime) -> datetime:
    """``moment``, taken as UTC when it has no zone, so every key compares with every other."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def encode_cursor(key: CursorKey) -> str:
    """The opaque cursor for the position ``key``."""
    raw = f"{aware(key[0]).astimezone(UTC).isoformat()}|{key[1]}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> CursorKey:
    """The position a cursor names (zone-aware); ``Invalid`` (field ``cursor``) for anything
    else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, separator, item_id = raw.partition("|")
        if not separator or not item_id:
            raise ValueError("no separator")
        parsed = datetime.fromisoformat(moment)
    except (binascii.Error, UnicodeError, ValueError, TypeError):
        raise Invalid("the cursor is not one this listing returned", field="cursor") from None
    return aware(parsed), item_id


def check_store_limit(limit: int) -> int:
    """``limit`` if it is a positive integer (not a bool): what a ``Store`` listing accepts."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise Invalid(f"limit must be a positive integer, got {limit!r}", field="limit")
    return limit


def check_page_size(limit: int) -> int:
    """``limit`` if it is between 1 and ``MAX_PAGE``: what a caller of the service may ask."""
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    return limit
