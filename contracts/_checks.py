"""Assertions shared by the speech contracts (synthesizer and aligner)."""

from __future__ import annotations

from collections.abc import Sequence

from avatar_service.core.speech import PhonemizedWord, TimedPhoneme, TimedWord

EPS = 1e-6
"""Tolerance for float rounding in timings, in seconds (the same as ``check_timings``)."""


def assert_spans_valid(
    spans: Sequence[TimedPhoneme | TimedWord], duration: float, what: str
) -> None:
    """Spans are ordered, non-overlapping and inside ``[0, duration]``."""
    previous_end = 0.0
    for index, span in enumerate(spans):
        where = f"{what}[{index}] = {span!r}"
        assert span.start >= -EPS, f"{where} starts before 0"
        assert span.end >= span.start - EPS, f"{where} ends before it starts"
        assert span.start >= previous_end - EPS, f"{where} overlaps or precedes the previous one"
        assert span.end <= duration + EPS, f"{where} ends after the audio ({duration:.6f} s)"
        previous_end = span.end


def assert_words_slice_text(
    words: Sequence[TimedWord | PhonemizedWord], text: str, what: str = "words"
) -> None:
    """Words come in text order and their ``[char_start, char_end)`` slices ``text`` to
    the word's own ``text``."""
    previous_end = 0
    for index, word in enumerate(words):
        start, end = word.char_start, word.char_end
        where = f"{what}[{index}] = {word!r}"
        assert 0 <= start < end <= len(text), f"{where}: offsets outside the text"
        assert start >= previous_end, f"{where}: out of text order or overlapping"
        assert text[start:end] == word.text, f"{where}: text[{start}:{end}] is {text[start:end]!r}"
        previous_end = end


def assert_words_cover_phonemes(
    words: Sequence[TimedWord], phonemes: Sequence[TimedPhoneme]
) -> None:
    """Every phoneme lies inside a word or between words; every word contains a phoneme."""

    def inside(p: TimedPhoneme, w: TimedWord) -> bool:
        return w.start - EPS <= p.start and p.end <= w.end + EPS

    def overlaps(p: TimedPhoneme, w: TimedWord) -> bool:
        return p.start < w.end - EPS and p.end > w.start + EPS

    for p in phonemes:
        if not any(inside(p, w) for w in words):
            straddled = [w for w in words if overlaps(p, w)]
            assert not straddled, f"phoneme {p!r} straddles the edge of word {straddled[0]!r}"
    for w in words:
        assert any(inside(p, w) for p in phonemes), f"word {w!r} contains no phoneme"
