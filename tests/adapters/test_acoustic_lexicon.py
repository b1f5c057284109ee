"""The phone model's lexicon: every word of a text gets its own phones, in order, even where
espeak-ng speaks several words as one unit; words said alone are remembered per lexicon, and a
lexicon no longer used is freed."""

from __future__ import annotations

import gc
import weakref

import pytest

from avatar_service.adapters.acoustic.lexicon import Lexicon


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon()


@pytest.mark.parametrize(
    "text",
    [
        "The jar is on the kitchen shelf, in the morning.",
        "It was built in 1984 by the well-known Dr. Smith's team.",
        "I'd rather not, but we'll see what's in it for us.",
    ],
)
def test_every_word_has_phones_of_its_own_in_order(lexicon: Lexicon, text: str) -> None:
    phones, words = lexicon.phones(text)
    indices = [p.word_index for p in phones]
    assert indices == sorted(indices)
    assert set(indices) == set(range(len(words)))
    assert all(p.symbol for p in phones)


def test_joined_function_words_are_split_where_each_begins(lexicon: Lexicon) -> None:
    phones, words = lexicon.phones("It is on the shelf.")
    by_word = ["".join(p.symbol for p in phones if p.word_index == i) for i in range(len(words))]
    assert by_word[2].startswith("ɑ") or by_word[2].startswith("ɔ")  # "on"
    assert by_word[3].startswith("ð")  # "the"


def test_a_word_said_alone_is_phonemized_once(monkeypatch: pytest.MonkeyPatch) -> None:
    lexicon = Lexicon()
    calls: list[str] = []
    real = lexicon.groups
    monkeypatch.setattr(lexicon, "groups", lambda text: calls.append(text) or real(text))
    first = lexicon.word("umbrella")
    assert lexicon.word("umbrella") == first
    assert calls == ["umbrella"]


def test_a_lexicon_no_longer_used_is_freed() -> None:
    lexicon = Lexicon()
    lexicon.word("yellow")
    gone = weakref.ref(lexicon)
    del lexicon
    gc.collect()
    assert gone() is None
