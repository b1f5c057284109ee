"""Pronunciations for the pocketsphinx aligner: the CMU dictionary the ``pocketsphinx`` wheel
ships, and espeak-ng (through piper-tts' phonemizer) for words it lacks, mapped from IPA to
the CMU phone set."""

from __future__ import annotations

import threading
import unicodedata
from typing import Any

from avatar_service.core.phonemes import IPA_TO_ARPABET, base_symbol

_LONGEST = max(len(k) for k in IPA_TO_ARPABET)
_SKIPPED = frozenset("ˈˌ")
CMU_PHONES = frozenset(IPA_TO_ARPABET.values())


def ipa_to_cmu(ipa: str) -> list[str]:
    """CMU phones (no stress digits) for an espeak IPA string: longest known symbol first
    (``aɪ`` before ``a``), length and stress marks dropped, unknown characters skipped."""
    chars = [c for c in unicodedata.normalize("NFC", ipa) if c not in _SKIPPED]
    text = "".join(chars)
    phones: list[str] = []
    i = 0
    while i < len(text):
        for size in range(min(_LONGEST, len(text) - i), 0, -1):
            piece = base_symbol(text[i : i + size])
            arpa = IPA_TO_ARPABET.get(piece) if piece else None
            if arpa is not None:
                phones.append(arpa)
                i += size
                break
        else:
            i += 1
    return phones


class EspeakG2P:
    """IPA of a word said alone, from piper-tts' espeak-ng phonemizer (``espeak_voice``).
    Thread-safe: piper-tts serialises its espeak calls."""

    def __init__(self, espeak_voice: str = "en-us") -> None:
        self._voice_name = espeak_voice
        self._voice: Any = None
        self._lock = threading.Lock()

    def ipa(self, word: str) -> str:
        with self._lock:
            if self._voice is None:
                from piper import PiperConfig, PiperVoice

                config = PiperConfig.from_dict(
                    {
                        "num_symbols": 0,
                        "num_speakers": 1,
                        "audio": {"sample_rate": 16000},
                        "espeak": {"voice": self._voice_name},
                        "phoneme_id_map": {},
                    }
                )
                # Phonemizing reads the config alone: no model session is needed for it.
                self._voice = PiperVoice(session=None, config=config)
        return " ".join("".join(sentence) for sentence in self._voice.phonemize(word))

    def cmu(self, word: str) -> list[str]:
        return ipa_to_cmu(self.ipa(word))
