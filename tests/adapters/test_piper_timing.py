"""Piper timings from the spoken phoneme characters: groups cut at the word's own phoneme
boundaries, groups that differ from the words cut by shape and given to words by vote."""

from __future__ import annotations

import pytest

from avatar_service.adapters.tts.piper_timing import (
    spoken_groups,
    text_words,
    timings,
    word_phonemes,
)

RATE = 100  # one sample = 10 ms, so seconds read as sample counts / 100


def _stream(spoken: str, each: int = 10) -> list[tuple[str, int]]:
    """A sentence as piper-tts aligns it: BOS, one entry per character, EOS."""
    return [("^", 5), *((c, 0 if c == " " else each) for c in spoken), ("$", 5)]


def _timed(text: str, ipa: list[str], spoken: str) -> tuple[list[tuple[str, str]], list[str]]:
    words = [word_phonemes(a, b, i) for (a, b), i in zip(text_words(text), ipa, strict=True)]
    groups, _ = spoken_groups([_stream(spoken)])
    phonemes, timed_words = timings(text, words, groups, RATE)
    by_word = []
    for w in timed_words:
        inside = [p for p in phonemes if w.start <= p.start and p.end <= w.end]
        by_word.append((w.text, " ".join(p.symbol for p in inside)))
    return by_word, [p.symbol for p in phonemes]


def test_groups_split_at_gaps_punctuation_and_sentences_on_one_timeline() -> None:
    groups, total = spoken_groups([_stream("ab, c."), _stream("d")])
    assert [[c for c, _, _ in g] for g in groups] == [["a", "b"], ["c"], ["d"]]
    assert groups[0][0][1:] == (5, 15)  # after BOS
    first = 5 + 5 * 10 + 5  # BOS, "ab, c." (the gap takes no samples), EOS
    assert groups[2][0][1:] == (first + 5, first + 5 + 10)  # after the next sentence's BOS
    assert total == first + 5 + 10 + 5


def test_a_group_equal_to_its_word_is_cut_at_the_words_phonemes_with_spoken_stress() -> None:
    # Alone "me" is primary-stressed; in the sentence Piper spoke it secondary.
    words, symbols = _timed("call me", ["k_ˈɔː_l", "m_ˈiː"], "kˈɔːl mˌiː")
    assert words == [("call", "k ɔː l"), ("me", "m iː")]
    assert symbols == ["k", "ɔː", "l", "m", "iː"]
    phonemes = timings(
        "me", [word_phonemes(0, 2, "m_ˈiː")], spoken_groups([_stream("mˌiː")])[0], RATE
    )[0]
    assert [(p.symbol, p.stress, p.arpabet) for p in phonemes] == [("m", 0, "M"), ("iː", 2, "IY2")]
    # the stress mark's samples belong to the phoneme it stresses
    assert (phonemes[1].start, phonemes[1].end) == pytest.approx((0.15, 0.45))


def test_a_word_spoken_differently_in_context_keeps_its_group() -> None:
    words, _ = _timed("have a moment", ["h_æ_v", "ˈeɪ", "m_ˈoʊ_m_ə_n_t"], "hæv ɐ mˈoʊmənt")
    assert words == [("have", "h æ v"), ("a", "ɐ"), ("moment", "m oʊ m ə n t")]


def test_words_merged_into_one_group_are_shared_out_by_their_characters() -> None:
    words, _ = _timed("for the office", ["f_ɔː_ɹ", "ð_ə", "ˈɑː_f_ɪ_s"], "fɚðɪʲ ˈɑːfɪs")
    assert words == [("for", "f ɚ"), ("the", "ð ɪʲ"), ("office", "ɑː f ɪ s")]


def test_a_word_spoken_as_several_groups_owns_them_all() -> None:
    words, _ = _timed("42 cats", ["f_ˈɔːɹ_ɾ_i t_ˈuː", "k_ˈæ_t_s"], "fˈɔːɹɾi tˈuː kˈæts")
    assert words == [("42", "f ɔːɹ ɾ i t uː"), ("cats", "k æ t s")]


def test_phonemes_tile_the_spoken_characters_and_keep_every_word_in_order() -> None:
    text = "Isn't it naïve, Mr Smith?"
    ipa = ["ˈɪ_z_ə_n_t", "ɪ_t", "n_aɪ_ˈiː_v", "m_ˈɪ_s_t_ɚ", "s_m_ˈɪ_θ"]
    spoken = "ˌɪzənt ɪt naɪˈiːv, mˈɪstɚ smˈɪθ?"
    words, symbols = _timed(text, ipa, spoken)
    assert [w for w, _ in words] == ["Isn't", "it", "naïve", "Mr", "Smith"]
    assert "".join(symbols) == "".join(c for c in spoken if c not in " ,?ˈˌ")


def test_a_word_piper_speaks_no_sound_of_still_comes_back() -> None:
    """Piper may speak no sound of its own for a word (here "the" is swallowed by "for"):
    the word still comes back, sharing the phonemes of the word before it."""
    text = "for the world"
    words = [
        word_phonemes(a, b, i)
        for (a, b), i in zip(text_words(text), ["f_ɔːɹ", "ð_ə", "w_ˈɜː_l_d"], strict=True)
    ]
    groups, total = spoken_groups([_stream("fɚ wˈɜːld")])
    phonemes, timed_words = timings(text, words, groups, RATE, total / RATE)
    assert [w.text for w in timed_words] == ["for", "the", "world"]
    assert all(w.end > w.start for w in timed_words)
    owners = [p.word_index for p in phonemes]
    assert owners == sorted(owners) and set(owners) == {0, 1, 2}
