"""The ``auto`` aligner: each language's best aligner, picked by the voice's language.

English goes to the phone-model aligner (``phonenet``: trained for English, the most accurate
here, docs/alignment.md); every other language to ``dtw`` (any espeak-ng language). The
language is the voice id's leading subtag (``en_US-joe-medium``, ``en-gb-scotland`` and ``en``
are English; ``de+f3`` is German); with no voice, ``default_voice``'s.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from avatar_service.core.ports import Aligner
from avatar_service.core.speech import Alignment, FloatArray

_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?![A-Za-z])")


def voice_language(voice_id: str) -> str:
    """The primary language subtag a voice id starts with (lower case), or ``""``."""
    found = _LANGUAGE.match(voice_id.strip())
    return found.group().lower() if found else ""


class LanguageRouter(Aligner):
    """``by_language[language]`` for a voice of that language, else ``fallback``."""

    PLUGIN_NAME = "auto"

    def __init__(
        self, by_language: Mapping[str, Aligner], fallback: Aligner, default_voice: str
    ) -> None:
        self._by_language = dict(by_language)
        self._fallback = fallback
        self._default_voice = default_voice

    def chosen(self, voice_id: str | None) -> Aligner:
        """The aligner that times speech of ``voice_id``."""
        language = voice_language(voice_id or self._default_voice)
        return self._by_language.get(language, self._fallback)

    def check(self) -> None:
        for aligner in (*self._by_language.values(), self._fallback):
            aligner.check()

    def align(
        self, samples: FloatArray, sample_rate: int, text: str, voice_id: str | None = None
    ) -> Alignment:
        return self.chosen(voice_id).align(samples, sample_rate, text, voice_id)
