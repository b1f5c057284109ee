"""The word phoneme cache the Piper adapter keeps: bounded, least recently used out first,
thread-safe, and invisible in the adapter's results."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from avatar_service.adapters.tts.espeak_library import EspeakLibrary
from avatar_service.adapters.tts.phoneme_cache import MAX_WORD_CHARS, WordPhonemeCache
from avatar_service.adapters.tts.piper import PiperSynthesizer
from avatar_service.core.ports import SynthesisRequest

sys.path.insert(0, str(Path(__file__).parent))
from piper_voice import build_voice


def test_cached_words_come_back_by_language_and_misses_are_none() -> None:
    cache = WordPhonemeCache(8)
    cache.put_many("en-us", [("hello", "h_ə_l_ˈoʊ"), ("there", "ð_ˈɛɹ")])
    assert cache.get_many("en-us", ["hello", "nope", "there"]) == ["h_ə_l_ˈoʊ", None, "ð_ˈɛɹ"]
    assert cache.get_many("de", ["hello"]) == [None]


def test_the_size_stays_bounded_and_the_least_recently_used_goes_first() -> None:
    cache = WordPhonemeCache(3)
    cache.put_many("en-us", [("a", "1"), ("b", "2"), ("c", "3")])
    cache.get_many("en-us", ["a"])  # "a" is now the most recently used
    cache.put_many("en-us", [("d", "4"), ("e", "5")])
    assert len(cache) == 3
    assert cache.get_many("en-us", ["a", "b", "c", "d", "e"]) == ["1", None, None, "4", "5"]


def test_long_words_are_not_kept_and_size_zero_keeps_nothing() -> None:
    cache = WordPhonemeCache(8)
    cache.put_many("en-us", [("x" * (MAX_WORD_CHARS + 1), "long")])
    assert len(cache) == 0
    off = WordPhonemeCache(0)
    off.put_many("en-us", [("a", "1")])
    assert len(off) == 0 and off.get_many("en-us", ["a"]) == [None]
    with pytest.raises(ValueError, match="max_entries"):
        WordPhonemeCache(-1)


def test_concurrent_use_keeps_the_bound_and_the_answers() -> None:
    cache = WordPhonemeCache(50)

    def work(n: int) -> bool:
        words = [f"w{n}-{i}" for i in range(40)]
        cache.put_many("en-us", [(w, w.upper()) for w in words])
        found = cache.get_many("en-us", words)
        return all(v in (None, w.upper()) for v, w in zip(found, words, strict=True))

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(work, range(64)))
    assert len(cache) == 50


def test_piper_results_are_the_same_with_and_without_the_cache(tmp_path: Path) -> None:
    model = build_voice(tmp_path, "en_US-tiny-cache")
    cached = PiperSynthesizer(model_path=model, word_cache_size=4)
    uncached = PiperSynthesizer(model_path=model, word_cache_size=0)
    texts = [
        "The cat saw the other cat, and the dog saw them both.",
        "A cat for the dog? Isn't it naïve: 42 cafés!",
        "The cat saw the other cat, and the dog saw them both.",
    ]
    for text in texts:  # the second pass over a text reads the (tiny, churning) cache
        for _ in range(2):
            got, want = (
                cached.synthesize(SynthesisRequest(text)),
                uncached.synthesize(SynthesisRequest(text)),
            )
            assert (got.phonemes, got.words) == (want.phonemes, want.words)
            assert cached.phonemize(text) == uncached.phonemize(text)
    assert len(cached._word_cache) == 4


class _Recording(EspeakLibrary):
    def __init__(self) -> None:
        super().__init__()
        self.asked: list[list[str]] = []

    def text_to_phonemes(
        self, texts: list[str], identifier: str, separator: str = "_"
    ) -> list[str]:
        self.asked.append(list(texts))
        return super().text_to_phonemes(texts, identifier, separator)


def test_piper_phonemizes_each_new_word_once_and_known_text_not_at_all(tmp_path: Path) -> None:
    """The sentence itself is phonemized by piper-tts alone; the adapter asks espeak only for
    words it has not seen."""
    model = build_voice(tmp_path, "en_US-tiny-spy")
    espeak = _Recording()
    piper = PiperSynthesizer(model_path=model, phonemizer=espeak)
    piper.synthesize(SynthesisRequest("the cat and the dog"))
    piper.synthesize(SynthesisRequest("the dog and a bird"))
    timed = piper.synthesize(SynthesisRequest("a cat and a dog"))
    assert espeak.asked == [["the", "cat", "and", "dog"], ["a", "bird"]]
    assert timed.words is not None
    assert [w.text for w in timed.words] == ["a", "cat", "and", "a", "dog"]
