"""Words with their times as clients send them, a JSON array of ``{word, start, end}``
(seconds), read the same way by the HTTP routes, the live socket and the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import msgspec
from msgspec import Meta

from avatar_service.core.errors import Invalid
from avatar_service.core.word_timings import WordSpan

MAX_TIMED_WORDS = 1000
"""Words with their times in one request or ``words`` message (their text is bounded by
``AVATAR_LIMITS__MAX_TEXT_CHARS`` too)."""


class TimedWordMessage(msgspec.Struct, forbid_unknown_fields=True):
    """One word said, with its times: ``{word, start, end}`` (seconds from the audio's start)."""

    word: str
    start: float
    end: float


_TIMED_WORDS = msgspec.json.Decoder(
    Annotated[list[TimedWordMessage], Meta(max_length=MAX_TIMED_WORDS)]
)


def word_spans(raw: str | bytes) -> tuple[WordSpan, ...]:
    """The ``words`` field (a JSON array of ``{word, start, end}``) as spans; ``Invalid``
    (field ``words``) when it is not one."""
    try:
        words = _TIMED_WORDS.decode(raw)
    except msgspec.DecodeError as exc:  # ValidationError is one
        raise Invalid(f"words: {exc}", field="words") from None
    return spans_of(words)


def spans_of(words: Sequence[TimedWordMessage]) -> tuple[WordSpan, ...]:
    """Decoded words as the spans ``core.word_timings`` reads."""
    return tuple(WordSpan(w.word, w.start, w.end) for w in words)
