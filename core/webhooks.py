"""Webhook signatures: HMAC-SHA256 over ``f"{timestamp}.{body}"``.

Every webhook carries ``Avatar-Signature: t=<unix seconds>,v1=<hex digest>``. A receiver
recomputes the digest over the timestamp, a dot and the raw body bytes with the shared secret,
compares in constant time, and refuses timestamps older than a few minutes (replays).
``verify_signature`` does exactly that.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Avatar-Signature"
EVENT_HEADER = "Avatar-Event"
DELIVERY_HEADER = "Avatar-Delivery"
"""``<job_id>.<status>``: the same for every attempt of one event, so receivers can dedupe."""
DEFAULT_TOLERANCE = 300.0


class BadSignature(ValueError):
    """The signature header is missing, malformed, stale, or does not match the body."""


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``Avatar-Signature`` header value for ``body`` sent at ``timestamp``."""
    return f"t={timestamp},v1={_digest(secret, body, timestamp)}"


def verify_signature(
    secret: str,
    header: str | None,
    body: bytes,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> int:
    """Return the signed timestamp when ``header`` signs ``body`` with ``secret`` no more than
    ``tolerance`` seconds from ``now``; else raise ``BadSignature`` saying why."""
    if not header:
        raise BadSignature(f"no {SIGNATURE_HEADER} header")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if sep:
            parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        raise BadSignature("the signature has no valid t=<unix seconds>") from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise BadSignature(f"the signature is {current - timestamp:.0f} s old (stale or replayed)")
    expected = _digest(secret, body, timestamp)
    if not any(hmac.compare_digest(expected, given) for given in parts.get("v1", [])):
        raise BadSignature("the signature does not match the body (wrong secret or altered body)")
    return timestamp


def _digest(secret: str, body: bytes, timestamp: int) -> str:
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
