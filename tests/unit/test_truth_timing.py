"""True times from Piper durations: the onset convention, phone grouping and word splits."""

from __future__ import annotations

import pytest

from avatar_service.contracts.truth_timing import SpokenSentence, truth_timings

ID_MAP = {c: [i] for i, c in enumerate("_^$ ,.həlˈoʊwɜːdɔnðæt")}


def _sentence(phonemes: str, token: int, blank: int) -> SpokenSentence:
    """Every phoneme takes ``token`` samples, every blank ``blank``, BOS and EOS 10."""
    chars = tuple(phonemes)
    durations = [10, blank]
    for _ in chars:
        durations += [token, blank]
    durations.append(10)
    return SpokenSentence(chars, tuple(durations))


def _no_lookup(word: str) -> str:
    raise AssertionError(f"no word lookup expected, got {word!r}")


def test_a_phone_starts_at_the_middle_of_the_blank_before_it() -> None:
    sentence = _sentence("həlˈoʊ", token=100, blank=20)
    phones, words = truth_timings("hello", [sentence], ID_MAP, 1000, _no_lookup)
    # ^ 0-10, _ 10-30, h 30-130, _ 130-150, ə 150-250, _ 250-270, l 270-370, _ 370-390,
    # ˈ 390-490, _ 490-510, o 510-610, _ 610-630, ʊ 630-730, _ 730-750
    assert [p.symbol for p in phones] == ["h", "ə", "l", "oʊ"]
    assert [round(p.onset * 1000) for p in phones] == [20, 140, 260, 380]
    assert [round(p.end * 1000) for p in phones] == [140, 260, 380, 740]
    assert phones[-1].stress == 1
    assert (words[0].onset, words[0].end) == (phones[0].onset, phones[-1].end)
    assert (words[0].char_start, words[0].char_end) == (0, 5)


def test_word_gaps_and_punctuation_are_not_phones() -> None:
    sentence = _sentence("həlˈoʊ, wˈɜːld.", token=50, blank=10)
    phones, words = truth_timings("hello, world.", [sentence], ID_MAP, 1000, _no_lookup)
    assert [p.symbol for p in phones] == ["h", "ə", "l", "oʊ", "w", "ɜː", "l", "d"]
    assert [w.text for w in words] == ["hello", "world"]
    assert words[0].end < words[1].onset
    assert [p.word_index for p in phones] == [0, 0, 0, 0, 1, 1, 1, 1]


def test_sentences_follow_each_other_on_one_timeline() -> None:
    first = _sentence("həlˈoʊ.", token=50, blank=10)
    second = _sentence("wˈɜːld.", token=50, blank=10)
    _, words = truth_timings("Hello. World.", [first, second], ID_MAP, 1000, _no_lookup)
    first_length = sum(first.id_samples) / 1000
    assert words[1].onset == pytest.approx(first_length + 0.015)  # BOS 10 + half a blank


def test_a_group_of_joined_words_is_split_where_the_later_word_starts() -> None:
    sentence = _sentence("ɔnðə dˈæt", token=50, blank=10)
    phones, words = truth_timings(
        "on the dat", [sentence], ID_MAP, 1000, {"on": "ˈɑːn", "the": "ðə", "dat": "dˈæt"}.get
    )
    assert [w.text for w in words] == ["on", "the", "dat"]
    assert [p.word_index for p in phones] == [0, 0, 1, 1, 2, 2, 2]
    assert words[1].onset == phones[2].onset


def test_groups_that_do_not_match_the_words_are_refused() -> None:
    sentence = _sentence("ɔn", token=50, blank=10)
    with pytest.raises(ValueError, match="cannot match"):
        truth_timings("on the", [sentence], ID_MAP, 1000, {"on": "ɔn", "the": "ðə"}.get)


def test_durations_that_are_not_the_sentences_are_refused() -> None:
    sentence = SpokenSentence(("h",), (1, 2, 3))
    with pytest.raises(ValueError, match="not this sentence"):
        truth_timings("h", [sentence], ID_MAP, 1000, _no_lookup)
