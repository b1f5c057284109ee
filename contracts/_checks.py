"""Assertions shared by the speech contracts (synthesizer and aligner)."""

from __future__ import annotations

from collections.abc import Sequence

from avatar_service.core.speech import PhonemizedWord, TimedPhoneme, TimedWord
from avatar_service.core.words import text_words

EPS = 1e-6
"""Tolerance for float rounding in timings, in seconds (the same as ``check_timings``)."""


def assert_spans_valid(
    spans: Sequence[TimedPhoneme | TimedWord], duration: float, what: str
) -> None:
    """Spans are ordered, non-overlapping, longer than zero and inside ``[0, duration]``."""
    previous_end = 0.0
    for index, span in enumerate(spans):
        where = f"{what}[{index}] = {span!r}"
        assert span.start >= -EPS, f"{where} starts before 0"
        assert span.end >= span.start - EPS, f"{where} ends before it starts"
        assert span.end > span.start, f"{where} has no length"
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


def assert_every_input_word(
    words: Sequence[TimedWord | PhonemizedWord], text: str, what: str = "words"
) -> None:
    """Exactly one entry per word of ``text`` (``core.words.text_words``), in order, with
    that word's ``[char_start, char_end)``."""
    expected = [(w.text, w.char_start, w.char_end) for w in text_words(text)]
    got = [(w.text, w.char_start, w.char_end) for w in words]
    missing = [w for w in expected if w not in got]
    extra = [w for w in got if w not in expected]
    assert got == expected, (
        f"{what} of {text!r}: {len(got)} for {len(expected)} input words; "
        f"missing {missing}, unexpected {extra}"
    )


def assert_phonemes_name_their_words(
    phonemes: Sequence[TimedPhoneme], words: Sequence[TimedWord]
) -> None:
    """Every phoneme's ``word_index`` is ``None`` (a pause) or a valid index, non-decreasing;
    every word owns a phoneme, and its span runs from its first phoneme's start to its last's
    end."""
    owned: dict[int, list[TimedPhoneme]] = {}
    previous = -1
    for index, p in enumerate(phonemes):
        if p.word_index is None:
            continue
        assert 0 <= p.word_index < len(words), (
            f"phonemes[{index}] = {p!r}: word_index outside 0..{len(words) - 1}"
        )
        assert p.word_index >= previous, f"phonemes[{index}] = {p!r}: word_index goes backwards"
        previous = p.word_index
        owned.setdefault(p.word_index, []).append(p)
    for index, word in enumerate(words):
        mine = owned.get(index)
        assert mine, f"words[{index}] = {word!r} owns no phoneme (no word_index points at it)"
        assert abs(word.start - mine[0].start) <= EPS and abs(word.end - mine[-1].end) <= EPS, (
            f"words[{index}] = {word!r} does not span its phonemes "
            f"{mine[0].start:.6f}-{mine[-1].end:.6f}"
        )
