"""Word timings a client sends on a live stream (``core.word_timings``, ``ListenSession.words``):
each word keeps the client's span, the phones found for it are fitted into that span, a word
with none still moves the mouth, and bad timings are refused naming ``words``."""

from __future__ import annotations

import numpy as np
import pytest

from avatar_service.core.errors import Invalid
from avatar_service.core.recognition import HeardPhones
from avatar_service.core.speech import Alignment, FloatArray, TimedPhoneme, TimedWord
from avatar_service.core.usecases.listening import ListenSession
from avatar_service.core.word_timings import (
    WordSpan,
    check_word_spans,
    fit_to_spans,
    joined_text,
    timed_words,
)

RATE = 16000


def _aligned(*words: tuple[str, int, list[tuple[str, float, float]]]) -> Alignment:
    """An alignment of ``joined_text``: per word its text, char offset and phones."""
    phonemes: list[TimedPhoneme] = []
    timed: list[TimedWord] = []
    for index, (text, offset, phones) in enumerate(words):
        phonemes += [TimedPhoneme(s, a, b, word_index=index) for s, a, b in phones]
        timed.append(TimedWord(text, phones[0][1], phones[-1][2], offset, offset + len(text)))
    return Alignment(tuple(phonemes), tuple(timed))


def test_words_are_joined_with_their_character_offsets() -> None:
    text, ranges = joined_text([WordSpan("hello", 0, 1), WordSpan("world!", 1, 2)])
    assert text == "hello world!"
    assert ranges == [(0, 5), (6, 12)]


def test_each_words_phones_are_fitted_into_the_span_the_client_gives_it() -> None:
    found = _aligned(
        ("my", 0, [("m", 0.10, 0.15), ("aɪ", 0.15, 0.30)]),
        ("map", 3, [("m", 0.40, 0.45), ("æ", 0.45, 0.55), ("p", 0.55, 0.60)]),
    )
    spans = [WordSpan("my", 0.0, 0.4), WordSpan("map", 0.5, 0.7)]
    phonemes = fit_to_spans(found, spans)
    assert [(p.symbol, round(p.start, 3), round(p.end, 3), p.word_index) for p in phonemes] == [
        ("m", 0.0, 0.1, 0),
        ("aɪ", 0.1, 0.4, 0),
        ("m", 0.5, 0.55, 1),
        ("æ", 0.55, 0.65, 1),
        ("p", 0.65, 0.7, 1),
    ]
    assert timed_words(spans) == (
        TimedWord("my", 0.0, 0.4, 0, 2),
        TimedWord("map", 0.5, 0.7, 3, 6),
    )


def test_a_short_gap_between_words_is_no_rest_and_a_long_one_is() -> None:
    found = _aligned(
        ("a", 0, [("ə", 0.0, 0.1)]),
        ("b", 2, [("b", 0.2, 0.3)]),
        ("c", 4, [("s", 0.5, 0.6)]),
    )
    spans = [WordSpan("a", 0.0, 0.1), WordSpan("b", 0.16, 0.3), WordSpan("c", 0.5, 0.6)]
    phonemes = fit_to_spans(found, spans)
    assert [(round(p.start, 3), round(p.end, 3)) for p in phonemes] == [
        (0.0, 0.13),
        (0.13, 0.3),
        (0.5, 0.6),
    ]
    assert [(w.start, w.end) for w in timed_words(spans)] == [(0.0, 0.1), (0.16, 0.3), (0.5, 0.6)]


def test_a_word_the_recogniser_found_no_phone_for_is_a_schwa_over_its_span() -> None:
    found = _aligned(("oh", 0, [("oʊ", 0.0, 0.2)]))
    phonemes = fit_to_spans(found, [WordSpan("oh", 0.0, 0.2), WordSpan("well", 0.3, 0.6)])
    assert [(p.symbol, p.start, p.end, p.word_index) for p in phonemes[1:]] == [("ə", 0.3, 0.6, 1)]


def test_phones_with_no_time_between_them_share_their_word_evenly() -> None:
    found = _aligned(("up", 0, [("ʌ", 0.2, 0.2), ("p", 0.2, 0.2)]))
    phonemes = fit_to_spans(found, [WordSpan("up", 1.0, 1.2)])
    assert [(round(p.start, 3), round(p.end, 3)) for p in phonemes] == [(1.0, 1.1), (1.1, 1.2)]


@pytest.mark.parametrize(
    "spans",
    [
        [],
        [WordSpan("...", 0.0, 0.5)],
        [WordSpan("late", 0.5, 1.5)],
        [WordSpan("back", 0.5, 0.4)],
        [WordSpan("before", -0.1, 0.2)],
        [WordSpan("one", 0.2, 0.6), WordSpan("two", 0.5, 0.8)],
    ],
    ids=["none", "no-word", "past-the-audio", "ends-first", "negative", "overlapping"],
)
def test_bad_word_timings_are_invalid_naming_words(spans: list[WordSpan]) -> None:
    with pytest.raises(Invalid) as caught:
        check_word_spans(spans, heard=1.0)
    assert caught.value.field == "words"


class QuietStream:
    def feed(self, samples: FloatArray) -> HeardPhones:
        return HeardPhones(())

    def close(self) -> None:
        return None


def test_a_live_streams_word_timings_re_send_its_stretch_corrected() -> None:
    """The stretch is recognised with the words' text; the words come back with the client's
    times, and the cues of the stretch follow them: lips closed where each m was fitted."""
    heard: list[tuple[int, str]] = []

    def recognise(samples: FloatArray, rate: int, text: str) -> Alignment:
        heard.append((len(samples), text))
        return _aligned(
            ("my", 0, [("m", 0.00, 0.05), ("aɪ", 0.05, 0.20)]),
            ("map", 3, [("m", 0.30, 0.35), ("æ", 0.35, 0.45), ("p", 0.45, 0.50)]),
        )

    session = ListenSession(QuietStream(), RATE, "rhubarb", recognise, max_seconds=10)
    session.feed(np.zeros(RATE, np.float32))
    update = session.words([WordSpan("my", 0.2, 0.5), WordSpan("map", 0.6, 0.9)])
    assert heard == [(round(0.7 * RATE), "my map")]
    assert [(w.text, w.start, w.end, w.char_start) for w in update.words] == [
        ("my", 0.2, 0.5, 0),
        ("map", 0.6, 0.9, 3),
    ]
    assert all(cue.corrected for cue in update.cues)
    shapes = [(c.viseme, round(c.start, 3)) for c in update.cues]
    assert shapes[0] == ("A", 0.2)
    assert ("A", 0.6) in shapes
    assert shapes[-1] == ("X", 0.9)  # the rest in force after the stretch carries on


def test_words_the_stretch_was_not_heard_as_are_each_recognised_alone_in_their_span() -> None:
    """A recogniser that does not follow the words' text over the whole stretch (it heard
    other sounds there) leaves each word to be recognised alone, in the client's span for it,
    with its own text: the client's words and times hold, so the lips close at each m."""
    asked: list[tuple[float, str]] = []
    alone = {
        "my": [("m", 0.0, 0.1), ("aɪ", 0.1, 0.3)],
        "map": [("m", 0.0, 0.05), ("æ", 0.05, 0.25), ("p", 0.25, 0.3)],
    }

    def recognise(samples: FloatArray, rate: int, text: str) -> Alignment:
        asked.append((round(len(samples) / rate, 3), text))
        if text in alone:
            return _aligned((text, 0, alone[text]))
        heard = (TimedPhoneme("n", 0.0, 0.3, word_index=0), TimedPhoneme("ɛ", 0.3, 0.7))
        words = (TimedWord("my", 0.0, 0.35, 0, 2), TimedWord("map", 0.35, 0.7, 3, 6))
        return Alignment(heard, words, heard=True)

    session = ListenSession(QuietStream(), RATE, "rhubarb", recognise, max_seconds=10)
    session.feed(np.zeros(RATE, np.float32))
    update = session.words([WordSpan("my", 0.2, 0.5), WordSpan("map", 0.6, 0.9)])
    assert asked == [(0.7, "my map"), (0.3, "my"), (0.3, "map")]
    shapes = [(c.viseme, round(c.start, 3)) for c in update.cues]
    assert shapes[0] == ("A", 0.2)
    assert ("A", 0.6) in shapes
    assert "B" not in {v for v, _ in shapes}  # nothing of the n heard over the stretch


def test_a_word_too_short_to_recognise_alone_is_a_schwa_over_its_span() -> None:
    def recognise(samples: FloatArray, rate: int, text: str) -> Alignment:
        if text == "a":
            raise Invalid("the audio holds no samples", field="audio")
        return Alignment((TimedPhoneme("n", 0.0, 0.3),), (), heard=True)

    session = ListenSession(QuietStream(), RATE, "rhubarb", recognise, max_seconds=10)
    session.feed(np.zeros(RATE, np.float32))
    update = session.words([WordSpan("a", 0.2, 0.25), WordSpan("b", 0.3, 0.6)])
    assert ("C", 0.2) in [(c.viseme, round(c.start, 3)) for c in update.cues]


def test_a_long_word_nothing_was_heard_in_still_moves_the_mouth() -> None:
    """A word's span is the client's word, not a held note: however long, it is shown."""
    session = ListenSession(
        QuietStream(), RATE, "rhubarb", lambda *a: Alignment((), ()), max_seconds=10
    )
    session.feed(np.zeros(2 * RATE, np.float32))
    update = session.words([WordSpan("sooo", 0.2, 1.4)])
    assert [(c.viseme, round(c.start, 3)) for c in update.cues] == [("C", 0.2), ("X", 1.4)]


def test_word_timings_outside_the_audio_heard_are_invalid() -> None:
    session = ListenSession(QuietStream(), RATE, "rhubarb", lambda *a: _aligned(), max_seconds=10)
    session.feed(np.zeros(RATE // 2, np.float32))
    with pytest.raises(Invalid) as caught:
        session.words([WordSpan("late", 0.2, 0.8)])
    assert caught.value.field == "words"
