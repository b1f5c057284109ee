"""Word timings a client already knows (a voice agent's or a speech engine's) laid over what
a recogniser found in the same audio: each word keeps the span the client gives it, and the
phones found for it are fitted into that span."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from avatar_service.core.errors import Invalid
from avatar_service.core.speech import Alignment, FloatArray, TimedPhoneme, TimedWord
from avatar_service.core.words import bridged, text_words

RecogniseStretch = Callable[[FloatArray, int, str], Alignment]
"""``(samples, sample_rate, transcript) -> Alignment``: a stretch recognised with its text,
its phones speech only (``core.recognition.speech_only``)."""

TOUCHING = 1e-6
"""Seconds by which a word may start before the previous one ends (rounding), not more."""
WORD_GAP_BRIDGE = 0.08
"""A gap of at most this many seconds between two words is no rest: the phones on either side
meet in its middle (as between the words of a transcript the ``phonenet`` recogniser fits).
Engines' word times leave such gaps where speech runs on."""


@dataclass(frozen=True, slots=True)
class WordSpan:
    """The client's word ``text``, spoken from ``start`` to ``end`` seconds."""

    text: str
    start: float
    end: float


def check_word_spans(words: Sequence[WordSpan], heard: float) -> None:
    """``Invalid`` (field ``words``) unless ``words`` is non-empty, each has something to say
    (``core.words.text_words``) over a span inside ``[0, heard]``, and they are in order
    without overlapping."""
    if not words:
        raise Invalid("send at least one word", field="words")
    previous_end = 0.0
    for index, word in enumerate(words):
        if not text_words(word.text):
            raise Invalid(f"word {index} has nothing to say: {word.text!r}", field="words")
        if not 0 <= word.start < word.end <= heard + TOUCHING:
            raise Invalid(
                f"word {index} ({word.text!r}) must span a stretch within the "
                f"{heard:.3f} s heard, its start before its end",
                field="words",
            )
        if word.start < previous_end - TOUCHING:
            raise Invalid(
                f"word {index} ({word.text!r}) starts before the word before it ends: send "
                "words in order, without overlaps",
                field="words",
            )
        previous_end = word.end


def joined_text(words: Sequence[WordSpan]) -> tuple[str, list[tuple[int, int]]]:
    """The words' texts joined by spaces, and each word's ``[start, end)`` offsets in it."""
    ranges: list[tuple[int, int]] = []
    offset = 0
    for word in words:
        ranges.append((offset, offset + len(word.text)))
        offset += len(word.text) + 1
    return " ".join(word.text for word in words), ranges


def timed_words(words: Sequence[WordSpan]) -> tuple[TimedWord, ...]:
    """``words`` with their spans and their offsets in ``joined_text(words)``."""
    _, ranges = joined_text(words)
    return tuple(
        TimedWord(word.text, word.start, word.end, first, last)
        for word, (first, last) in zip(words, ranges, strict=True)
    )


def fit_to_spans(
    alignment: Alignment, words: Sequence[WordSpan], bridge: float = WORD_GAP_BRIDGE
) -> tuple[TimedPhoneme, ...]:
    """The phonemes of ``words`` (times from the stretch's start): ``alignment`` is the
    stretch recognised with ``joined_text(words)`` as its transcript. The phones of each of
    its words go to the client word holding that word's text, stretched or squeezed, in order,
    into the client word's span; a client word given no phone is a schwa over its span (the
    client says a word was spoken there). Phones of no word (pauses) are dropped; the phones
    either side of a gap of at most ``bridge`` seconds between words meet in its middle."""
    _, ranges = joined_text(words)
    owner_of: dict[int, int] = {}
    for index, aligned in enumerate(alignment.words):
        for k, (first, last) in enumerate(ranges):
            if first <= aligned.char_start < last:
                owner_of[index] = k
                break
    phones_of: list[list[TimedPhoneme]] = [[] for _ in words]
    for phone in alignment.phonemes:
        if phone.word_index is not None and phone.word_index in owner_of:
            phones_of[owner_of[phone.word_index]].append(phone)
    phonemes: list[TimedPhoneme] = []
    for k, word in enumerate(words):
        found = sorted(phones_of[k], key=lambda p: p.start)
        if not found:
            phonemes.append(TimedPhoneme("ə", word.start, word.end, arpabet="AH", word_index=k))
            continue
        begin, finish = found[0].start, max(p.end for p in found)
        if finish <= begin:  # no time between them: an even share each
            begin, finish = 0.0, float(len(found))
            found = [replace(p, start=float(i), end=i + 1.0) for i, p in enumerate(found)]
        scale = (word.end - word.start) / (finish - begin)
        for phone in found:
            start = word.start + (phone.start - begin) * scale
            end = min(word.end, word.start + (phone.end - begin) * scale)
            phonemes.append(replace(phone, start=start, end=max(start, end), word_index=k))
    return bridged(phonemes, bridge)


def phones_of_words(
    recognise: RecogniseStretch, audio: FloatArray, rate: int, words: Sequence[WordSpan]
) -> tuple[tuple[TimedPhoneme, ...], bool]:
    """The phonemes of ``words`` (spans in seconds into ``audio``, checked), each word's fitted
    into its span (``fit_to_spans``), and whether they are the words' own phones: ``audio``
    is recognised with the words' text; where the recogniser does not hear it as those words,
    each word is recognised alone in its own span with its own text."""
    alignment = recognise(audio, rate, joined_text(words)[0])
    if alignment.heard:
        alignment = _word_by_word(recognise, audio, rate, words)
    return fit_to_spans(alignment, words), not alignment.heard


def phones_over_recording(
    recognise: RecogniseStretch, samples: FloatArray, rate: int, words: Sequence[WordSpan]
) -> tuple[tuple[TimedPhoneme, ...], bool]:
    """``phones_of_words`` for ``words`` timed in seconds of the whole recording ``samples``
    (checked): only the stretch from the first word's start to the last one's end is read."""
    start, end = words[0].start, words[-1].end
    local = [WordSpan(w.text, w.start - start, w.end - start) for w in words]
    stretch = samples[int(start * rate) : int(end * rate)]
    phonemes, transcribed = phones_of_words(recognise, stretch, rate, local)
    moved = tuple(replace(p, start=p.start + start, end=p.end + start) for p in phonemes)
    return moved, transcribed


def _word_by_word(
    recognise: RecogniseStretch, audio: FloatArray, rate: int, words: Sequence[WordSpan]
) -> Alignment:
    """An alignment of ``joined_text(words)``: each word's phones recognised in its own span
    with its own text; none for a span too short to read."""
    _, ranges = joined_text(words)
    phonemes: list[TimedPhoneme] = []
    for index, word in enumerate(words):
        try:
            alone = recognise(audio[int(word.start * rate) : int(word.end * rate)], rate, word.text)
        except Invalid:
            continue
        phonemes += [
            replace(p, start=p.start + word.start, end=p.end + word.start, word_index=index)
            for p in alone.phonemes
        ]
    timed = tuple(
        TimedWord(w.text, w.start, w.end, first, last)
        for w, (first, last) in zip(words, ranges, strict=True)
    )
    return Alignment(tuple(phonemes), timed)
