"""Forced alignment with pocketsphinx's speaker-independent US English acoustic model.

The transcript's words are looked up in the CMU dictionary the ``pocketsphinx`` wheel ships
(words it lacks, numbers included, get espeak-ng's pronunciation mapped to CMU phones); the
decoder aligns them to the audio (resampled to 16 kHz) with optional silences between words,
then a second pass gives phone segments at 10 ms. Phones become ``TimedPhoneme``s (IPA and
ARPAbet) and the decoded words are mapped onto the words of the text by ``core.words``.
Each word's confidence comes from its acoustic score per frame; a transcript whose words stop
fitting the audio is refused (``Invalid``, field ``text``) naming the first word that does not.
"""

from __future__ import annotations

import math
import threading
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from avatar_service.adapters.aligner.sphinx_lexicon import EspeakG2P
from avatar_service.core.errors import Invalid, Unavailable
from avatar_service.core.phonemes import from_arpabet
from avatar_service.core.ports import Aligner
from avatar_service.core.speech import Alignment, FloatArray, TimedPhoneme
from avatar_service.core.words import SpokenUnit, assign_words, text_words

RATE = 16000
FRAME_SECONDS = 0.01
MIN_WORD_SECONDS = 0.05
"""No word is spoken faster: a transcript needing less per word cannot be this audio's."""


def resample_16k(samples: npt.NDArray[np.floating], rate: int) -> npt.NDArray[np.float64]:
    """Band-limited (FFT) resampling to 16 kHz; the same samples when already at 16 kHz."""
    x = np.asarray(samples, np.float64).reshape(-1)
    if rate == RATE:
        return x
    n_out = max(1, round(x.size * RATE / rate))
    pad = 1 << (x.size + rate // 10).bit_length()  # room against the circular wrap
    spectrum = np.fft.rfft(x, pad)
    out_size = max(2, round(pad * RATE / rate))
    bins = out_size // 2 + 1
    kept = np.zeros(bins, np.complex128)
    keep = min(bins, spectrum.size)
    kept[:keep] = spectrum[:keep]
    y = np.fft.irfft(kept, out_size) * (out_size / pad)
    return np.asarray(y[:n_out])


class SphinxAligner(Aligner):
    """pocketsphinx forced alignment (US English). ``offset_seconds`` is added to every time
    (the acoustic model's frames lag the sounds; tuned on the truth corpus' tuning split);
    ``min_confidence``: a word below it, with every later word below ``0.5`` too, marks where
    the transcript stops matching. One decoder, used by one call at a time."""

    PLUGIN_NAME = "pocketsphinx"

    def __init__(
        self,
        offset_seconds: float = 0.02,
        min_confidence: float = 0.2,
        g2p: EspeakG2P | None = None,
    ) -> None:
        self._offset = offset_seconds
        self._min_confidence = min_confidence
        self._g2p = g2p or EspeakG2P()
        self._decoder: Any = None
        self._lock = threading.Lock()

    def check(self) -> None:
        with self._lock:
            self._ready()

    def _ready(self) -> Any:
        if self._decoder is None:
            try:
                from pocketsphinx import Decoder

                self._decoder = Decoder(samprate=RATE, bestpath=False, loglevel="FATAL")
            except (ImportError, RuntimeError, ValueError) as exc:
                raise Unavailable(
                    f"the pocketsphinx aligner cannot start ({exc}); pip install pocketsphinx"
                ) from exc
        return self._decoder

    def align(
        self, samples: FloatArray, sample_rate: int, text: str, voice_id: str | None = None
    ) -> Alignment:
        """Phonemes and words of ``text`` in ``samples``; ``voice_id`` is ignored (one
        acoustic model, US English)."""
        audio = _check(samples, sample_rate, text)
        duration = audio.size / sample_rate
        words = text_words(text)
        if len(words) * MIN_WORD_SECONDS > duration:
            raise Invalid(
                f"the transcript has {len(words)} words but the audio lasts {duration:.2f} s; "
                "it cannot be this audio's text",
                field="text",
            )
        pcm = (np.clip(resample_16k(audio, sample_rate), -1.0, 1.0) * 32767).astype(np.int16)
        with self._lock:
            decoder = self._ready()
            tokens = [self._token(decoder, w.text) for w in words]
            segments = _decode(decoder, " ".join(tokens), pcm.tobytes())
            fitting = len(tokens) if segments else _fitting_prefix(decoder, tokens, pcm.tobytes())
        if segments is None:
            word = words[fitting]
            raise Invalid(
                f"the transcript stops matching the audio at word {fitting + 1} {word.text!r} "
                f"(character {word.char_start}): the audio has no place for it",
                field="text",
            )
        return self._timed(text, words, segments, duration)

    def _token(self, decoder: Any, word: str) -> str:
        """The dictionary entry for ``word``: itself (lower case) when the dictionary has it,
        else a new entry with espeak-ng's pronunciation."""
        spelled = word.lower().replace("’", "'")
        if decoder.lookup_word(spelled) is not None:
            return spelled
        name = "_" + "".join(c if c.isalnum() else "_" for c in spelled)
        if decoder.lookup_word(name) is None:
            phones = self._g2p.cmu(word) or ["AH"]
            decoder.add_word(name, " ".join(phones), True)
        return name

    def _timed(
        self,
        text: str,
        words: tuple[Any, ...],
        segments: list[tuple[int, int, list[tuple[str, int, int, int]]]],
        duration: float,
    ) -> Alignment:
        phonemes: list[TimedPhoneme] = []
        units: list[SpokenUnit] = []
        scores: list[float] = []
        for index, (_start, _frames, phones) in enumerate(segments):
            first = len(phonemes)
            for name, start, frames, _score in phones:
                symbol, stress = from_arpabet(name)
                begin = min(max(start * FRAME_SECONDS + self._offset, 0.0), duration)
                end = min(max((start + frames) * FRAME_SECONDS + self._offset, 0.0), duration)
                phonemes.append(TimedPhoneme(symbol, begin, end, name, stress))
            word = words[min(index, len(words) - 1)]
            units.append(
                SpokenUnit(word.char_start, word.char_end, tuple(range(first, len(phonemes))))
            )
            frames_total = sum(p[2] for p in phones) or 1
            scores.append(sum(p[3] for p in phones) / frames_total)
        alignment = assign_words(text, phonemes, units, duration=duration)
        confidences = [_confidence(s) for s in scores]
        self._refuse_mismatch(words, confidences)
        timed = tuple(
            replace(w, confidence=confidences[min(i, len(confidences) - 1)])
            for i, w in enumerate(alignment.words)
        )
        return Alignment(alignment.phonemes, timed)

    def _refuse_mismatch(self, words: tuple[Any, ...], confidences: list[float]) -> None:
        for index, value in enumerate(confidences):
            rest = confidences[index:]
            if value < self._min_confidence and max(rest) < 0.5 and len(rest) >= 2:
                word = words[min(index, len(words) - 1)]
                raise Invalid(
                    f"the transcript stops matching the audio at word {index + 1} "
                    f"{word.text!r} (character {word.char_start})",
                    field="text",
                )


def _confidence(score_per_frame: float) -> float:
    """An acoustic log score per 10 ms frame mapped to 0..1. On the truth corpus' tuning split,
    words of the right transcript score -10 per frame at the median and -29 at the 5th
    percentile; words of another sentence's transcript -60 at the median: 0.5 sits at -28."""
    return 1.0 / (1.0 + math.exp(-(score_per_frame + 28.0) / 4.0))


def _fitting_prefix(decoder: Any, tokens: list[str], pcm: bytes) -> int:
    """How many leading words of the transcript still align to the audio (binary search;
    fewer words always fit where more do): the word after them is where it stops matching."""
    low, high = 0, len(tokens) - 1  # the whole transcript did not fit
    while low < high:
        middle = (low + high + 1) // 2
        if _decode(decoder, " ".join(tokens[:middle]), pcm) is None:
            high = middle - 1
        else:
            low = middle
    return low


def _decode(
    decoder: Any, words: str, pcm: bytes
) -> list[tuple[int, int, list[tuple[str, int, int, int]]]] | None:
    """``(start, frames, phones)`` per aligned word, silences left out; each phone
    ``(name, start, frames, score)``. ``None`` when no alignment exists."""
    try:
        decoder.set_align_text(words)
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        if decoder.hyp() is None:
            return None
        decoder.set_alignment()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        alignment = decoder.get_alignment()
    except RuntimeError:
        return None
    if alignment is None:
        return None
    out = []
    for word in alignment:  # read at once: the iterators die with the alignment
        if word.name.startswith("<") or word.name in ("sil", "SIL"):
            continue
        phones = [(p.name, p.start, p.duration, p.score) for p in word]
        out.append((word.start, word.duration, phones))
    return out or None


def _check(samples: FloatArray, sample_rate: int, text: str) -> npt.NDArray[np.float64]:
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int | np.integer):
        raise Invalid(f"sample_rate must be an integer, got {sample_rate!r}", field="sample_rate")
    if sample_rate <= 0:
        raise Invalid(f"sample_rate must be positive, got {sample_rate}", field="sample_rate")
    audio = np.nan_to_num(np.asarray(samples, dtype=np.float64).reshape(-1))
    if audio.size == 0:
        raise Invalid("the audio holds no samples", field="audio")
    if audio.size < 0.1 * sample_rate:
        raise Invalid("the audio is too short to align (under 100 ms)", field="audio")
    if not isinstance(text, str) or not text.strip() or not text_words(text):
        raise Invalid("text must contain at least one word", field="text")
    return audio
