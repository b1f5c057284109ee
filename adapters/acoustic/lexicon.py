"""The phones of an English text, as the phone model knows them, each with its word.

Text is phonemized by espeak-ng (``en-us``) through piper-tts, the way Piper voices hear it,
and split into phones by ``core.ipa_segments``. espeak-ng speaks some words as one unit (``on
the``, ``in 1984``): such a unit is split where each word's own phonemes begin; a unit that
cannot be split that way is replaced by each word phonemized alone.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from avatar_service.core.errors import Unavailable
from avatar_service.core.ipa_segments import (
    assign_groups,
    is_boundary,
    key,
    phone_spans,
    symbol_and_stress,
)
from avatar_service.core.words import TextWord, text_words

ESPEAK_VOICE = "en-us"


@dataclass(frozen=True, slots=True)
class LexiconPhone:
    """One phone to align: IPA ``symbol``, ``stress``, and the index of its word."""

    symbol: str
    stress: int
    word_index: int


class Lexicon:
    """Text to phones with espeak-ng's US English. Thread-safe (one espeak-ng at a time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._voice: Any = None
        self._words = lru_cache(maxsize=4096)(self._word_alone)

    def _phonemizer(self) -> Any:
        if self._voice is None:
            try:
                from piper import PiperConfig, PiperVoice
                from piper.config import PhonemeType
            except ImportError as exc:  # pragma: no cover - piper-tts is a dependency
                raise Unavailable(f"espeak-ng through piper-tts is missing ({exc})") from exc
            config = PiperConfig(
                num_symbols=0,
                num_speakers=1,
                sample_rate=16000,
                espeak_voice=ESPEAK_VOICE,
                phoneme_id_map={},
                phoneme_type=PhonemeType.ESPEAK,
            )
            self._voice = PiperVoice(session=None, config=config)
        return self._voice

    def groups(self, text: str) -> list[str]:
        """The units espeak-ng speaks ``text`` in: each a string of phoneme characters."""
        with self._lock:
            sentences = self._phonemizer().phonemize(text)
        groups: list[list[str]] = [[]]
        for sentence in sentences:
            for char in sentence:
                if is_boundary(char):
                    groups.append([])
                else:
                    groups[-1].append(char)
        return ["".join(g) for g in groups if g]

    def word(self, word: str) -> str:
        """One word's phoneme characters, said alone (remembered for the 4096 latest)."""
        return self._words(word)

    def _word_alone(self, word: str) -> str:
        return "".join(self.groups(word))

    def phones(self, text: str) -> tuple[tuple[LexiconPhone, ...], tuple[TextWord, ...]]:
        """The phones of ``text`` in order, each with the index of its word in ``text_words``;
        every word has at least one phone."""
        words = text_words(text)
        groups = self.groups(text)
        plan: list[tuple[int, int, list[int]]] | None
        if len(groups) == len(words):
            plan = [(i, i + 1, []) for i in range(len(words))]
        else:
            word_keys = [key(self.word(w.text)) for w in words]
            plan = assign_groups([key(g) for g in groups], word_keys)
        if plan is None:
            groups = [self.word(w.text) or w.text for w in words]
            plan = [(i, i + 1, []) for i in range(len(words))]
        out: list[LexiconPhone] = []
        for group, (first, _last, cuts) in zip(groups, plan, strict=True):
            chars = list(group)
            position = 0
            for span in phone_spans(chars):
                text_of = "".join(chars[i] for i in span)
                symbol, stress = symbol_and_stress(text_of)
                word = first + sum(1 for cut in cuts if position >= cut)
                if symbol:
                    out.append(LexiconPhone(symbol, stress, word))
                position += len(key(text_of))
        return tuple(out), words
