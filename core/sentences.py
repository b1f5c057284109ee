"""Sentence splitting with character offsets, so each sentence can be spoken on its own and its
words still point into the whole text."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "no",
        "fig",
        "inc",
        "ltd",
        "co",
        "mt",
        "approx",
        "dept",
        "est",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    }
)
# Terminal punctuation, any closing quotes or brackets, then whitespace (or a blank line alone).
_BOUNDARY = re.compile(r"([.!?…。！？]+[\"'”’)\]]*)(\s+)|(\n\s*\n)")
_CLAUSE = re.compile(r"[,;:—–]\s+")
_WORD_BEFORE = re.compile(r"([\w.]+)$")


@dataclass(frozen=True, slots=True)
class TextSpan:
    """``text[start:end]`` of a longer text; ``start`` and ``end`` are character offsets."""

    start: int
    end: int


def split_sentences(text: str, max_chars: int = 300) -> list[TextSpan]:
    """Sentences of ``text`` in order, trimmed of surrounding whitespace, none empty.

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` (with any closing quotes) followed by
    whitespace, or at a blank line; not after a common abbreviation (``Dr.``) or a single
    initial (``J.``). A sentence longer than ``max_chars`` is cut at its last clause mark
    (``,`` ``;`` ``:`` dash) before the limit, else at the last space, else hard. Spans without
    a letter or digit join the previous sentence, so every span has something to say when
    the text has.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be >= 1")
    cuts: list[int] = []
    for match in _BOUNDARY.finditer(text):
        if match.group(3) is not None:
            cuts.append(match.start(3))
            continue
        end = match.end(1)
        if _is_abbreviation(text, match.start(1)):
            continue
        cuts.append(end)
    spans: list[TextSpan] = []
    start = 0
    for cut in [*cuts, len(text)]:
        spans.extend(_limit(text, start, cut, max_chars))
        start = cut
    return _merge_unspeakable(text, spans)


def _is_abbreviation(text: str, punct_start: int) -> bool:
    if text[punct_start] != ".":
        return False
    found = _WORD_BEFORE.search(text, 0, punct_start)
    if found is None:
        return False
    word = found.group(1).lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _trimmed(text: str, start: int, end: int) -> TextSpan | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return TextSpan(start, end) if start < end else None


def _limit(text: str, start: int, end: int, max_chars: int) -> list[TextSpan]:
    """``text[start:end]`` trimmed, cut into pieces of at most ``max_chars``."""
    out: list[TextSpan] = []
    span = _trimmed(text, start, end)
    while span is not None and span.end - span.start > max_chars:
        limit = span.start + max_chars
        clauses = [m.end() for m in _CLAUSE.finditer(text, span.start, limit)]
        space = text.rfind(" ", span.start + 1, limit)
        cut = clauses[-1] if clauses else (space if space > span.start else limit)
        head = _trimmed(text, span.start, cut)
        if head is not None:
            out.append(head)
        span = _trimmed(text, cut, span.end)
    if span is not None:
        out.append(span)
    return out


def _merge_unspeakable(text: str, spans: list[TextSpan]) -> list[TextSpan]:
    merged: list[TextSpan] = []
    for span in spans:
        if merged and not (_speakable(text, span) and _speakable(text, merged[-1])):
            merged[-1] = TextSpan(merged[-1].start, span.end)
        else:
            merged.append(span)
    return merged


def _speakable(text: str, span: TextSpan) -> bool:
    return any(ch.isalnum() for ch in text[span.start : span.end])


def split_clauses(text: str, spans: list[TextSpan], min_chars: int = 16) -> list[TextSpan]:
    """Each span of ``spans`` cut after its clause marks (``,`` ``;`` ``:`` dash, then
    whitespace), so the first words can be spoken before the sentence is done. A piece
    shorter than ``min_chars`` joins the one after it (the last joins the one before), so
    no piece is a lone word; offsets still point into ``text``."""
    out: list[TextSpan] = []
    for span in spans:
        cuts = [m.end() for m in _CLAUSE.finditer(text, span.start, span.end)]
        pieces: list[TextSpan] = []
        start = span.start
        for cut in [*cuts, span.end]:
            piece = _trimmed(text, start, cut)
            if piece is None:
                continue
            if pieces and pieces[-1].end - pieces[-1].start < min_chars:
                pieces[-1] = TextSpan(pieces[-1].start, piece.end)
            else:
                pieces.append(piece)
            start = cut
        if len(pieces) > 1 and pieces[-1].end - pieces[-1].start < min_chars:
            last = pieces.pop()
            pieces[-1] = TextSpan(pieces[-1].start, last.end)
        out.extend(_merge_unspeakable(text, pieces))
    return out
