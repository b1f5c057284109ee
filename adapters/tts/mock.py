"""A deterministic speech synthesizer with no dependencies: letters become phonemes by a fixed
rule, phonemes become a buzzy but well-formed waveform (harmonics for voiced sounds, seeded
noise for fricatives) with exact timings. For tests and development, not for listening."""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from avatar_service.core.errors import Invalid
from avatar_service.core.phonemes import to_arpabet
from avatar_service.core.ports import SpeechSynthesizer, SynthesisRequest
from avatar_service.core.speech import (
    FloatArray,
    PhonemizedWord,
    Speech,
    TimedPhoneme,
    TimedWord,
    Voice,
    check_timings,
)
from avatar_service.core.voice_names import unknown_voice
from avatar_service.core.words import text_words

_PUNCTUATION = re.compile(r"[.,;:!?]")

_DIGRAPHS: dict[str, tuple[str, ...]] = {
    "th": ("θ",),
    "sh": ("ʃ",),
    "ch": ("tʃ",),
    "ng": ("ŋ",),
    "ee": ("i",),
    "oo": ("u",),
    "ph": ("f",),
    "ck": ("k",),
    "qu": ("k", "w"),
}
_LETTERS: dict[str, tuple[str, ...]] = {
    "a": ("æ",),
    "e": ("ɛ",),
    "i": ("ɪ",),
    "o": ("ɒ",),
    "u": ("ʌ",),
    "y": ("j",),
    "c": ("k",),
    "g": ("ɡ",),
    "j": ("dʒ",),
    "q": ("k",),
    "r": ("ɹ",),
    "x": ("k", "s"),
}
_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_VOWELS = frozenset({"æ", "ɛ", "ɪ", "ɒ", "ʌ", "i", "u", "ə"})


def letters_to_ipa(word: str) -> tuple[str, ...]:
    """IPA phonemes for one word: digraphs first, doubled consonants once, digits spelt out,
    accents dropped, any other letter (non-Latin) an ``ə``."""
    phonemes: list[str] = []
    chars = unicodedata.normalize("NFKD", word.lower())
    i = 0
    while i < len(chars):
        ch = chars[i]
        pair = chars[i : i + 2]
        if pair in _DIGRAPHS:
            phonemes.extend(_DIGRAPHS[pair])
            i += 2
            continue
        i += 1
        if "a" <= ch <= "z":
            if phonemes and i >= 2 and chars[i - 2] == ch and ch not in "aeiou":
                continue  # "ll", "ss": one consonant
            phonemes.extend(_LETTERS.get(ch, (ch,)))
        elif (digit := unicodedata.digit(ch, None)) is not None:
            phonemes.extend(letters_to_ipa(_DIGITS[digit]))
        elif ch.isalnum():
            phonemes.append("ə")
    return tuple(phonemes) or ("ə",)


@dataclass(frozen=True, slots=True)
class _Sound:
    """How one phoneme is made: harmonic and noise gains, the silent closure before a stop's
    burst (fraction of the segment), and whether the noise is high-passed (a hiss)."""

    voice: float
    noise: float = 0.0
    closure: float = 0.0
    hiss: bool = False


_SOUNDS: dict[str, _Sound] = {
    **{p: _Sound(0.6) for p in ("m", "n", "ŋ", "l", "ɹ", "w", "j")},
    **{p: _Sound(0.35, 0.2) for p in ("v", "z", "ð", "ʒ", "dʒ")},
    **{p: _Sound(0.0, 0.25) for p in ("f", "θ", "h")},
    **{p: _Sound(0.0, 0.35, hiss=True) for p in ("s", "ʃ", "tʃ")},
    **{p: _Sound(0.0, 0.5, closure=0.6) for p in ("p", "t", "k")},
    **{p: _Sound(0.3, 0.3, closure=0.5) for p in ("b", "d", "ɡ")},
}
_VOWEL_SOUND = _Sound(1.0)
# (F1, F2) in Hz: which harmonics a vowel lets through.
_FORMANTS: dict[str, tuple[float, float]] = {
    "æ": (660, 1720),
    "ɛ": (530, 1840),
    "ɪ": (390, 1990),
    "ɒ": (570, 840),
    "ʌ": (640, 1190),
    "i": (270, 2290),
    "u": (300, 870),
    "ə": (500, 1500),
}
_CONSONANT_FORMANTS = (250.0, 1800.0)

_VOWEL_SECONDS = 0.09
_CONSONANT_SECONDS = 0.06
_WORD_GAP = 0.04
_PUNCTUATION_GAP = 0.15
_EDGE_SILENCE = 0.05
_FADE_SECONDS = 0.008
_TABLE_SIZE = 2048
_PEAK = 0.45  # at volume 1.0; volume 2.0 still stays inside [-1, 1]


@dataclass(frozen=True, slots=True)
class _VoiceSpec:
    voice: Voice
    f0: float


class MockSynthesizer(SpeechSynthesizer):
    """Deterministic fake TTS: same text, voice and options give identical samples.

    Voices ``mock-en`` (default, f0 120 Hz) and ``mock-deep`` (f0 80 Hz), one speaker each.
    Stateless after construction, hence thread-safe.
    """

    PLUGIN_NAME = "mock"

    def __init__(self, sample_rate: int = 16000) -> None:
        if isinstance(sample_rate, bool) or not isinstance(sample_rate, int) or sample_rate < 8000:
            raise Invalid("sample_rate must be an integer >= 8000", field="sample_rate")
        self.sample_rate = sample_rate
        self._voices = {
            spec.voice.voice_id: spec
            for spec in (
                _VoiceSpec(Voice("mock-en", "Mock English", "en", "mock", sample_rate), 120.0),
                _VoiceSpec(Voice("mock-deep", "Mock Deep", "en", "mock", sample_rate), 80.0),
            )
        }
        self._default = "mock-en"

    def voices(self) -> list[Voice]:
        return [spec.voice for spec in self._voices.values()]

    def check(self) -> None:
        return None

    def phonemize(self, text: str, voice_id: str | None = None) -> list[PhonemizedWord]:
        """The words of ``text`` with their letter-rule phonemes; ``Invalid`` if there are none."""
        self._voice(voice_id)
        return _words(text)

    def synthesize(self, request: SynthesisRequest) -> Speech:
        text, options = request.text, request.options
        spec = self._voice(request.voice_id)
        words = _words(text)
        if options.speaker_id not in (None, 0):
            raise Invalid(
                f"voice {spec.voice.voice_id} has one speaker (id 0); got {options.speaker_id}",
                field="speaker_id",
            )
        seed = int.from_bytes(
            hashlib.sha256(f"{spec.voice.voice_id}\0{text}".encode()).digest()[:8], "big"
        )
        rng = np.random.default_rng(seed)
        periods: dict[str, npt.NDArray[np.float64]] = {}
        rate, f0 = options.rate, spec.f0 * options.pitch
        sr = self.sample_rate

        def samples_for(seconds: float) -> int:
            return max(1, round(seconds * sr / rate))

        pieces: list[FloatArray] = [np.zeros(samples_for(_EDGE_SILENCE), np.float32)]
        position = len(pieces[0])
        phonemes: list[TimedPhoneme] = []
        timed_words: list[TimedWord] = []
        for index, word in enumerate(words):
            if index:
                gap_text = text[words[index - 1].char_end : word.char_start]
                gap = _PUNCTUATION_GAP if _PUNCTUATION.search(gap_text) else _WORD_GAP
                pieces.append(np.zeros(samples_for(gap), np.float32))
                position += len(pieces[-1])
            word_start = position
            stressed = False
            for symbol in word.phonemes:
                vowel = symbol in _VOWELS
                n = samples_for(_VOWEL_SECONDS if vowel else _CONSONANT_SECONDS)
                pieces.append(_segment(symbol, position, n, sr, f0, rng, periods))
                stress = 1 if vowel and not stressed else 0
                stressed = stressed or vowel
                start, end = position / sr, (position + n) / sr
                phonemes.append(
                    TimedPhoneme(symbol, start, end, to_arpabet(symbol, stress), stress, index)
                )
                position += n
            timed_words.append(
                TimedWord(word.text, word_start / sr, position / sr, word.char_start, word.char_end)
            )
        pieces.append(np.zeros(samples_for(_EDGE_SILENCE), np.float32))
        audio = np.concatenate(pieces)
        peak = float(np.max(np.abs(audio)))
        if peak > 0:
            audio *= _PEAK * options.volume / peak
        samples: FloatArray = np.clip(audio, -1.0, 1.0).astype(np.float32)
        duration = len(samples) / sr
        check_timings(phonemes, duration)
        check_timings(timed_words, duration)
        return Speech(samples, sr, spec.voice.voice_id, tuple(phonemes), tuple(timed_words))

    def _voice(self, voice_id: str | None) -> _VoiceSpec:
        spec = self._voices.get(self._default if voice_id is None else voice_id)
        if spec is None:
            raise unknown_voice(voice_id, self._voices)
        return spec


def _words(text: str) -> list[PhonemizedWord]:
    if not isinstance(text, str) or not text.strip():
        raise Invalid("text must contain at least one non-space character", field="text")
    words = [
        PhonemizedWord(w.text, w.char_start, w.char_end, letters_to_ipa(w.text))
        for w in text_words(text)
    ]
    if not words:
        raise Invalid("text contains no speakable word", field="text")
    return words


def _segment(
    symbol: str,
    offset: int,
    n: int,
    sr: int,
    f0: float,
    rng: np.random.Generator,
    periods: dict[str, npt.NDArray[np.float64]],
) -> FloatArray:
    """``n`` samples of ``symbol`` starting at sample ``offset`` of the utterance, faded in and
    out so consecutive segments join without clicks; ``periods`` caches one voicing period per
    symbol for this utterance."""
    sound = _SOUNDS.get(symbol, _VOWEL_SOUND)
    out = np.zeros(n, np.float64)
    if sound.voice:
        period = periods.get(symbol)
        if period is None:
            period = periods[symbol] = _period(symbol, f0, sr)
        # Phase runs on the utterance's clock, so voicing is continuous across segments.
        phase = ((offset + np.arange(n, dtype=np.float64)) * (f0 / sr)) % 1.0 * _TABLE_SIZE
        out += sound.voice * np.interp(phase, np.arange(_TABLE_SIZE + 1), period)
    if sound.noise:
        noise = rng.standard_normal(n)
        if sound.hiss:
            noise = np.diff(noise, prepend=0.0) / 2.0
        if sound.closure:
            noise[: int(n * sound.closure)] = 0.0
            noise[int(n * sound.closure) :] *= _fade(n - int(n * sound.closure), sr)
        out += sound.noise * noise
    result: FloatArray = (out * _fade(n, sr)).astype(np.float32)
    return result


def _period(symbol: str, f0: float, sr: int) -> npt.NDArray[np.float64]:
    """One period of the voiced waveform (``_TABLE_SIZE + 1`` points, closing the cycle): the
    harmonics of ``f0`` below 4 kHz weighted by the symbol's formants."""
    f1, f2 = _FORMANTS.get(symbol, _CONSONANT_FORMANTS)
    k = np.arange(1, max(2, int(min(4000.0, 0.45 * sr) / f0)) + 1, dtype=np.float64)
    freqs = k * f0
    weights = (
        np.exp(-(((freqs - f1) / 250.0) ** 2))
        + 0.7 * np.exp(-(((freqs - f2) / 350.0) ** 2))
        + 0.15 / k
    )
    weights /= weights.sum()
    cycle = np.arange(_TABLE_SIZE + 1, dtype=np.float64) / _TABLE_SIZE
    result: npt.NDArray[np.float64] = np.sin(2 * math.pi * np.outer(cycle, k)) @ weights
    return result


def _fade(n: int, sr: int) -> npt.NDArray[np.float64]:
    """A window that is 1 in the middle with raised-cosine ramps at both ends."""
    window = np.ones(n, np.float64)
    ramp = min(int(_FADE_SECONDS * sr), n // 2)
    if ramp > 0:
        rise = 0.5 - 0.5 * np.cos(np.pi * (np.arange(ramp) + 0.5) / ramp)
        window[:ramp] = rise
        window[n - ramp :] = rise[::-1]
    return window
