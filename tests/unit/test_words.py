"""What a word of the input is, and how an engine's spoken units map onto the input words."""

from __future__ import annotations

from itertools import pairwise

import pytest

from avatar_service.core.errors import Invalid
from avatar_service.core.speech import Alignment, TimedPhoneme
from avatar_service.core.words import (
    MIN_SPAN_SECONDS,
    SpokenUnit,
    assign_words,
    bridged,
    check_words,
    estimate_phonemes,
    retime,
    spread_spans,
    text_words,
)


def spelled(text: str) -> list[str]:
    return [w.text for w in text_words(text)]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "The jar is on the kitchen shelf, in the morning.",
            ["The", "jar", "is", "on", "the", "kitchen", "shelf", "in", "the", "morning"],
        ),
        (
            "Dr. Smith arrived at 10:30 in 1984.",
            ["Dr", "Smith", "arrived", "at", "10:30", "in", "1984"],
        ),
        (
            "I don't know O’Brien's well-known café.",
            ["I", "don't", "know", "O’Brien's", "well-known", "café"],
        ),
        (
            "It costs 3.14 or 1,000, e.g. the U.S.A. price.",
            ["It", "costs", "3.14", "or", "1,000", "e.g", "the", "U.S.A", "price"],
        ),
        ("Grüße -- naïve 😀 -well- 'quoted'", ["Grüße", "naïve", "well", "quoted"]),
        ("Привет, мир! Ça va? ¿Qué tal?", ["Привет", "мир", "Ça", "va", "Qué", "tal"]),
        ("नमस्ते दुनिया", ["नमस्ते", "दुनिया"]),
        ("snake_case, a+b, 50%", ["snake", "case", "a", "b", "50"]),
        ("?!...", []),
    ],
)
def test_text_words_follow_the_written_words(text: str, words: list[str]) -> None:
    found = text_words(text)
    assert [w.text for w in found] == words
    assert all(text[w.char_start : w.char_end] == w.text for w in found)


def test_estimated_phoneme_counts_favour_longer_words() -> None:
    assert estimate_phonemes("the") == 2
    assert estimate_phonemes("on") == 2
    assert estimate_phonemes("kitchen") > estimate_phonemes("on")
    assert estimate_phonemes("1984") == 12
    assert estimate_phonemes("-") == 1


def ph(symbol: str, start: float, end: float) -> TimedPhoneme:
    return TimedPhoneme(symbol, start, end)


def units_of(*spans: tuple[int, int, range]) -> list[SpokenUnit]:
    return [SpokenUnit(a, b, tuple(r)) for a, b, r in spans]


def test_a_joined_unit_is_shared_by_its_words_at_phoneme_boundaries() -> None:
    text = "on the shelf"
    phonemes = [ph(s, i * 0.1, (i + 1) * 0.1) for i, s in enumerate("ɒnðəʃɛlf")]
    # espeak reports "on" (covering the phonemes of "on the"), then "shelf"
    alignment = assign_words(text, phonemes, units_of((0, 2, range(4)), (7, 12, range(4, 8))))
    assert [w.text for w in alignment.words] == ["on", "the", "shelf"]
    assert [p.word_index for p in alignment.phonemes] == [0, 0, 1, 1, 2, 2, 2, 2]
    on, the, _ = alignment.words
    assert (on.start, on.end) == (0.0, pytest.approx(0.2))
    assert (the.start, the.end) == (pytest.approx(0.2), pytest.approx(0.4))
    assert (the.char_start, the.char_end) == (3, 6)
    check_words(text, alignment)


def test_a_number_spoken_as_several_units_is_one_word() -> None:
    text = "in 1984"
    phonemes = [ph(s, i * 0.1, (i + 1) * 0.1) for i, s in enumerate("ɪnnaɪntiːneɪtifɔː")]
    units = units_of(
        (0, 2, range(2)), (3, 7, range(2, 9)), (3, 7, range(9, 13)), (3, 7, range(13, 17))
    )
    alignment = assign_words(text, phonemes, units)
    assert [w.text for w in alignment.words] == ["in", "1984"]
    assert alignment.words[1].start == pytest.approx(0.2)
    assert alignment.words[1].end == pytest.approx(1.7)
    check_words(text, alignment)


def test_a_word_no_unit_reached_shares_the_unit_before_it() -> None:
    text = "Hello, big world"
    phonemes = [ph(s, i * 0.1, (i + 1) * 0.1) for i, s in enumerate("həloʊwɜld")]
    alignment = assign_words(text, phonemes, units_of((0, 5, range(4)), (11, 16, range(4, 9))))
    assert [w.text for w in alignment.words] == ["Hello", "big", "world"]
    assert [p.word_index for p in alignment.phonemes] == [0, 0, 1, 1, 2, 2, 2, 2, 2]
    check_words(text, alignment)


def test_words_before_the_first_unit_join_it() -> None:
    text = "a b c"
    phonemes = [ph("x", 0.0, 0.3)]
    alignment = assign_words(text, phonemes, units_of((4, 5, range(1))))
    assert [w.text for w in alignment.words] == ["a", "b", "c"]
    # one phoneme for three words: split in time, every word non-empty and in order
    assert [p.word_index for p in alignment.phonemes] == [0, 1, 2]
    assert all(w.end > w.start for w in alignment.words)
    check_words(text, alignment)


def test_a_unit_over_a_symbol_goes_to_the_nearest_word() -> None:
    text = "50 % off"
    phonemes = [ph(s, i * 0.1, (i + 1) * 0.1) for i, s in enumerate("fɪftipəsɛntɒf")]
    units = units_of((0, 2, range(5)), (3, 4, range(5, 11)), (5, 8, range(11, 13)))
    alignment = assign_words(text, phonemes, units)
    assert [w.text for w in alignment.words] == ["50", "off"]
    assert alignment.words[0].end == pytest.approx(1.1)
    check_words(text, alignment)


def test_pauses_between_units_belong_to_no_word_and_inside_a_unit_to_its_word() -> None:
    text = "yes no"
    phonemes = [
        ph("j", 0, 0.1),
        ph("_", 0.1, 0.2),
        ph("ɛs", 0.2, 0.3),
        ph("_", 0.3, 0.5),
        ph("n", 0.5, 0.6),
        ph("oʊ", 0.6, 0.7),
    ]
    units = [SpokenUnit(0, 3, (0, 2)), SpokenUnit(4, 6, (4, 5))]
    alignment = assign_words(text, phonemes, units)
    assert [p.word_index for p in alignment.phonemes] == [0, 0, 0, None, 1, 1]
    check_words(text, alignment)


def test_units_whose_offsets_run_backwards_still_give_words_in_order() -> None:
    text = "one two three"
    phonemes = [ph(s, i * 0.1, (i + 1) * 0.1) for i, s in enumerate("wʌntuθɹi")]
    units = units_of((8, 13, range(3)), (0, 3, range(3, 5)), (4, 7, range(5, 8)))
    alignment = assign_words(text, phonemes, units)
    assert [w.text for w in alignment.words] == ["one", "two", "three"]
    indices = [p.word_index for p in alignment.phonemes]
    assert indices == sorted(indices)
    check_words(text, alignment)


def test_text_without_words_or_units_without_phonemes_is_invalid() -> None:
    with pytest.raises(Invalid):
        assign_words("?!", [ph("a", 0, 1)], units_of((0, 1, range(1))))
    with pytest.raises(Invalid):
        assign_words("hello", [ph("a", 0, 1)], [SpokenUnit(0, 5, ())])


def test_zero_length_phonemes_get_a_length_and_stay_in_order() -> None:
    phonemes = [ph("ɪ", 0.0, 0.1), ph("ŋ", 0.1, 0.1), ph("_", 0.1, 0.3)]
    spread = spread_spans(phonemes, 0.3)
    assert all(p.end - p.start >= MIN_SPAN_SECONDS - 1e-12 for p in spread)
    assert [p.symbol for p in spread] == ["ɪ", "ŋ", "_"]
    for before, after in pairwise(spread):
        assert before.end <= after.start + 1e-12
    assert spread[-1].end <= 0.3


def test_a_zero_length_phoneme_shares_the_phoneme_before_it() -> None:
    spread = spread_spans([ph("ɛ", 0.1, 0.36), ph("l", 0.36, 0.36), ph("f", 0.36, 0.46)], 0.5)
    assert [(p.start, p.end) for p in spread] == [
        (0.1, pytest.approx(0.23)),
        (pytest.approx(0.23), 0.36),
        (0.36, 0.46),
    ]


def test_a_zero_length_first_phoneme_at_the_very_end_takes_time_from_before() -> None:
    spread = spread_spans([ph("ŋ", 0.5, 0.5)], 0.5)
    assert spread[0].end == 0.5
    assert spread[0].start == pytest.approx(0.5 - MIN_SPAN_SECONDS)


def test_retime_moves_phonemes_and_rebuilds_words_without_zero_lengths() -> None:
    text = "on the"
    phonemes = [ph(s, i * 0.1, (i + 1) * 0.1) for i, s in enumerate("ɒnðə")]
    alignment = assign_words(text, phonemes, units_of((0, 2, range(4))))
    # a warp that squeezes the second half onto one instant
    squeezed = retime(alignment, lambda t: min(t, 0.2), 0.25)
    check_words(text, squeezed)
    assert squeezed.words[1].start >= squeezed.words[0].end


def test_check_words_names_a_missing_word() -> None:
    text = "on the shelf"
    phonemes = [ph(s, i * 0.1, (i + 1) * 0.1) for i, s in enumerate("ɒnʃɛlf")]
    whole = assign_words(text, phonemes, units_of((0, 2, range(2)), (7, 12, range(2, 6))))
    leaky = Alignment(whole.phonemes, (whole.words[0], whole.words[2]))
    with pytest.raises(ValueError, match="not the words of the text"):
        check_words(text, leaky)


def test_retimed_words_keep_their_confidence() -> None:
    from avatar_service.core.speech import Alignment, TimedPhoneme, TimedWord
    from avatar_service.core.words import retime

    aligned = Alignment(
        (TimedPhoneme("h", 0.0, 0.1, word_index=0), TimedPhoneme("aɪ", 0.1, 0.3, word_index=0)),
        (TimedWord("hi", 0.0, 0.3, 0, 2, confidence=0.75),),
    )
    moved = retime(aligned, lambda t: t * 2, 1.0)
    assert moved.words[0].confidence == 0.75
    assert moved.words[0].end == 0.6


def test_a_short_gap_between_phonemes_is_shared_out_and_a_long_one_stays() -> None:
    phones = (
        TimedPhoneme("a", 0.0, 0.1),
        TimedPhoneme("b", 0.16, 0.3),
        TimedPhoneme("c", 0.5, 0.6),
    )
    assert [(p.start, p.end) for p in bridged(phones, 0.08)] == [
        (0.0, pytest.approx(0.13)),
        (pytest.approx(0.13), 0.3),
        (0.5, 0.6),
    ]
