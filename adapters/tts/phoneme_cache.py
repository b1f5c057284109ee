"""A bounded, thread-safe cache of espeak's phonemes for single words, by language.

Words repeat in real text, and phonemizing a word is a call into the process-wide (locked)
espeak library; the answer for a word alone depends only on the language and the word.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

MAX_WORD_CHARS = 64  # longer "words" are rare and would make the bound a poor memory bound


class WordPhonemeCache:
    """Least-recently-used map ``(language, word) -> phonemes`` holding at most ``max_entries``
    words of at most ``MAX_WORD_CHARS`` characters; ``max_entries=0`` disables it."""

    def __init__(self, max_entries: int = 4096) -> None:
        if max_entries < 0:
            raise ValueError("max_entries must be >= 0")
        self.max_entries = max_entries
        self._items: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get_many(self, language: str, words: list[str]) -> list[str | None]:
        """The cached phonemes of each word, ``None`` where not cached."""
        if not self.max_entries:
            return [None] * len(words)
        found: list[str | None] = []
        with self._lock:
            items = self._items
            for word in words:
                key = (language, word)
                value = items.get(key)
                if value is not None:
                    items.move_to_end(key)
                found.append(value)
        return found

    def put_many(self, language: str, pairs: list[tuple[str, str]]) -> None:
        """Remember ``(word, phonemes)`` pairs, evicting the least recently used past the bound."""
        if not self.max_entries:
            return
        with self._lock:
            items = self._items
            for word, phonemes in pairs:
                if len(word) <= MAX_WORD_CHARS:
                    items[(language, word)] = phonemes
                    items.move_to_end((language, word))
            while len(items) > self.max_entries:
                items.popitem(last=False)
