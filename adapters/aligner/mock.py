"""A deterministic aligner with no dependencies: the words of the transcript are spread over the
audio's non-silent span in proportion to their phoneme counts, phonemes evenly within each
word, on a 10 ms frame grid. Good enough for tests and development, not for real lip sync."""

from __future__ import annotations

import math
import unicodedata

import numpy as np
import numpy.typing as npt

from avatar_service.core.errors import Invalid
from avatar_service.core.phonemes import to_arpabet
from avatar_service.core.ports import Aligner
from avatar_service.core.speech import Alignment, FloatArray, TimedPhoneme, TimedWord
from avatar_service.core.words import text_words

# The same letter rules as the mock synthesizer (adapters never import each other).
_DIGRAPHS = {"th": "θ", "sh": "ʃ", "ch": "tʃ", "ng": "ŋ", "ee": "i", "oo": "u", "ph": "f"}
_LETTERS = {
    "a": "æ",
    "e": "ɛ",
    "i": "ɪ",
    "o": "ɒ",
    "u": "ʌ",
    "y": "j",
    "c": "k",
    "g": "ɡ",
    "j": "dʒ",
    "q": "k",
    "r": "ɹ",
}
_FRAME_SECONDS = 0.01
_SILENCE_RATIO = 0.05  # frames below this fraction of the loudest frame's RMS are silence


def _phonemes(word: str) -> list[str]:
    chars = unicodedata.normalize("NFKD", word.lower())
    out: list[str] = []
    i = 0
    while i < len(chars):
        if chars[i : i + 2] in _DIGRAPHS:
            out.append(_DIGRAPHS[chars[i : i + 2]])
            i += 2
            continue
        ch = chars[i]
        i += 1
        if "a" <= ch <= "z":
            if not (i >= 2 and chars[i - 2] == ch and ch not in "aeiou"):
                out.append(_LETTERS.get(ch, ch))
        elif ch.isalnum():
            out.append("ə")
    return out or ["ə"]


class MockAligner(Aligner):
    """Energy-based fake alignment. ``voice_id`` is accepted and ignored. Stateless."""

    PLUGIN_NAME = "mock"

    def check(self) -> None:
        return None

    def align(
        self, samples: FloatArray, sample_rate: int, text: str, voice_id: str | None = None
    ) -> Alignment:
        """Timings for ``text`` over ``samples``; ``Invalid`` for empty audio or text, a
        non-positive rate, or a transcript with more phonemes than the audio has 10 ms frames."""
        audio = np.asarray(samples, dtype=np.float64).reshape(-1)
        if audio.size == 0:
            raise Invalid("the audio holds no samples", field="audio")
        if isinstance(sample_rate, bool) or not isinstance(sample_rate, int | np.integer):
            raise Invalid(
                f"sample_rate must be an integer, got {sample_rate!r}", field="sample_rate"
            )
        if sample_rate <= 0:
            raise Invalid(
                f"sample_rate must be a positive integer, got {sample_rate!r}", field="sample_rate"
            )
        sample_rate = int(sample_rate)
        if not isinstance(text, str) or not text.strip():
            raise Invalid("text must contain at least one non-space character", field="text")
        words = [(w.text, w.char_start, w.char_end, _phonemes(w.text)) for w in text_words(text)]
        if not words:
            raise Invalid("text contains no speakable word", field="text")

        frame = max(1, round(sample_rate * _FRAME_SECONDS))
        total = sum(len(w[3]) for w in words)
        first, last = _voiced_span(audio, frame)
        if last - first < total:
            first, last = 0, math.ceil(audio.size / frame)
        if last - first < total:
            raise Invalid(
                f"the transcript has {total} phonemes but the audio only "
                f"{audio.size / sample_rate:.3f} s; it cannot be this audio's text",
                field="text",
            )
        duration = audio.size / sample_rate

        def at(boundary: int) -> float:
            # Phoneme i spans frames [first + i*F//P, first + (i+1)*F//P): at least one each.
            frame_index = first + (boundary * (last - first)) // total
            return min(frame_index * frame / sample_rate, duration)

        phonemes: list[TimedPhoneme] = []
        timed_words: list[TimedWord] = []
        index = 0
        for number, (word, char_start, char_end, symbols) in enumerate(words):
            word_start = at(index)
            for symbol in symbols:
                phonemes.append(
                    TimedPhoneme(
                        symbol, at(index), at(index + 1), to_arpabet(symbol), word_index=number
                    )
                )
                index += 1
            timed_words.append(TimedWord(word, word_start, at(index), char_start, char_end))
        return Alignment(tuple(phonemes), tuple(timed_words))


def _voiced_span(audio: npt.NDArray[np.float64], frame: int) -> tuple[int, int]:
    """``[first, last)`` frame indices from the first to the last frame above the threshold
    (the whole audio when it is uniformly silent)."""
    count = math.ceil(audio.size / frame)
    padded = np.zeros(count * frame, np.float64)
    padded[: audio.size] = np.nan_to_num(audio, nan=0.0, posinf=1.0, neginf=-1.0)
    rms = np.sqrt(np.mean(padded.reshape(count, frame) ** 2, axis=1))
    loud = np.flatnonzero(rms > _SILENCE_RATIO * float(rms.max()))
    if loud.size == 0:
        return 0, count
    return int(loud[0]), int(loud[-1]) + 1
