"""The error for a voice id no engine voice has: the closest ids and where the full list is,
never the whole catalogue on one line."""

from __future__ import annotations

import difflib
from collections.abc import Collection

from avatar_service.core.errors import NotFound

MAX_SUGGESTIONS = 5


def closest_voices(
    voice_id: str, known: Collection[str], limit: int = MAX_SUGGESTIONS
) -> list[str]:
    """Up to ``limit`` known ids most like ``voice_id`` (case-insensitive), best first; ids
    sharing its language prefix (``en`` of ``en-uss``) when nothing is close."""
    by_lower = {name.lower(): name for name in known}
    wanted = voice_id.lower()
    close = difflib.get_close_matches(wanted, list(by_lower), n=limit, cutoff=0.6)
    if not close:
        prefix = wanted.replace("_", "-").split("-", 1)[0]
        close = sorted(k for k in by_lower if k.replace("_", "-").split("-", 1)[0] == prefix)
    return [by_lower[name] for name in close[:limit]]


def unknown_voice(voice_id: str | None, known: Collection[str], hint: str = "") -> NotFound:
    """``NotFound`` (field ``voice``) naming the closest known ids (a few of any when none is
    alike) and where all are listed."""
    shown = repr(voice_id)
    closest = closest_voices(voice_id or "", known)
    if closest:
        near = f"; closest: {', '.join(closest)}"
    else:  # nothing alike: a few to show what ids look like
        near = f"; voices include {', '.join(sorted(known)[:MAX_SUGGESTIONS])}" if known else ""
    extra = f" {hint}" if hint else ""
    return NotFound(
        f"unknown voice {shown}{near}{extra}; all {len(known)} voices: `avatar voices` or "
        "GET /v1/voices",
        field="voice",
    )
