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
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from avatar_service.adapters.acoustic import features
from avatar_service.adapters.aligner.inputs import checked_audio
from avatar_service.adapters.aligner.sphinx_lexicon import EspeakG2P
from avatar_service.core.errors import Invalid, Unavailable
from avatar_service.core.phonemes import from_arpabet
from avatar_service.core.ports import Aligner
from avatar_service.core.speech import Alignment, FloatArray, TimedPhoneme
from avatar_service.core.words import SpokenUnit, assign_words, text_words

RATE = 16000
FRAME_SECONDS = 0.01
PHONE_OFFSETS_MS = {
    "AA": -2,
    "AE": -5,
    "AH": -5,
    "AO": 3,
    "AW": -23,
    "AY": -8,
    "B": 3,
    "CH": 8,
    "D": 3,
    "DH": 8,
    "EH": -4,
    "ER": 8,
    "EY": -31,
    "F": -6,
    "G": 25,
    "HH": 14,
    "IH": 2,
    "IY": -3,
    "JH": 6,
    "K": 15,
    "L": 0,
    "M": 10,
    "N": 7,
    "NG": -15,
    "OW": -4,
    "P": 17,
    "R": 14,
    "S": 6,
    "SH": 17,
    "T": 5,
    "TH": 17,
    "UH": -8,
    "UW": -9,
    "V": 24,
    "W": 7,
    "Y": -2,
    "Z": 19,
}
"""Median lag (ms) of the acoustic model's onset of each phone inside a word behind the true
onset, measured on the truth corpus' tuning split (never on held-out sentences); added on top
of ``offset_seconds``."""
MISMATCH_RUN = 3
"""Consecutive words under the minimum confidence that mark a stretch the transcript gets
wrong (a right transcript's words seldom score that low twice in a row)."""
MIN_WORD_SECONDS = 0.05
"""No word is spoken faster: a transcript needing less per word cannot be this audio's."""


class SphinxAligner(Aligner):
    """pocketsphinx forced alignment (US English). Onsets are moved by offsets measured on the
    truth corpus' tuning split: ``word_offset_seconds`` for a word's first phone (the model
    starts words early), ``phone_offsets_ms`` (``PHONE_OFFSETS_MS``) plus ``offset_seconds``
    for the others; all three at zero give pocketsphinx's own timing. ``min_confidence``: a
    word below it, with every later word below ``0.5`` too, marks where the transcript stops
    matching. One decoder, used by one call at a time."""

    PLUGIN_NAME = "pocketsphinx"

    def __init__(
        self,
        offset_seconds: float = 0.003,
        word_offset_seconds: float = 0.04,
        min_confidence: float = 0.2,
        g2p: EspeakG2P | None = None,
        phone_offsets_ms: Mapping[str, float] = PHONE_OFFSETS_MS,
    ) -> None:
        self._offset = offset_seconds
        self._word_offset = word_offset_seconds
        self._phone_offsets = dict(phone_offsets_ms)
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

                self._decoder = Decoder(
                    samprate=RATE, bestpath=False, loglevel="FATAL", cmn="batch"
                )
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
        audio = checked_audio(samples, sample_rate, text)
        duration = audio.size / sample_rate
        words = text_words(text)
        if len(words) * MIN_WORD_SECONDS > duration:
            raise Invalid(
                f"the transcript has {len(words)} words but the audio lasts {duration:.2f} s; "
                "it cannot be this audio's text",
                field="text",
            )
        pcm = (np.clip(features.resample(audio, sample_rate, RATE), -1.0, 1.0) * 32767).astype(
            np.int16
        )
        with self._lock:
            decoder = self._ready()
            tokens = [self._token(decoder, w.text) for w in words]
            segments = _decode(decoder, " ".join(tokens), pcm.tobytes())
            fitting = len(tokens) if segments else _fitting_prefix(decoder, tokens, pcm.tobytes())
            prefix = (
                _decode(decoder, " ".join(tokens[:fitting]), pcm.tobytes()) if fitting else None
            )
        if segments is None:
            # The leading words that still align are stretched over the whole audio: the first
            # of them that scores low is where the mismatch starts, if it starts before.
            scores = [_confidence(_per_frame(phones)) for _, _, phones in prefix or []]
            first_low = [i for i, c in enumerate(scores) if c < self._min_confidence]
            fitting = min([fitting, *first_low[:1]])
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
        flat = [
            (name, start, frames, k == 0)
            for _, _, phones in segments
            for k, (name, start, frames, _score) in enumerate(phones)
        ]
        onsets = [self._onset(name, start, initial) for name, start, _, initial in flat]
        phonemes: list[TimedPhoneme] = []
        for i, (name, start, frames, _initial) in enumerate(flat):
            follows = i + 1 < len(flat) and flat[i + 1][1] == start + frames
            end = onsets[i + 1] if follows else (start + frames) * FRAME_SECONDS + self._offset
            begin = min(max(onsets[i], 0.0), duration)
            symbol, stress = from_arpabet(name)
            phonemes.append(
                TimedPhoneme(symbol, begin, min(max(end, begin), duration), name, stress)
            )
        units: list[SpokenUnit] = []
        scores: list[float] = []
        first = 0
        for index, (_start, _frames, phones) in enumerate(segments):
            word = words[min(index, len(words) - 1)]
            members = tuple(range(first, first + len(phones)))
            first += len(phones)
            units.append(SpokenUnit(word.char_start, word.char_end, members))
            scores.append(_per_frame(phones))
        alignment = assign_words(text, phonemes, units, duration=duration)
        confidences = [_confidence(s) for s in scores]
        self._refuse_mismatch(words, confidences)
        timed = tuple(
            replace(w, confidence=confidences[min(i, len(confidences) - 1)])
            for i, w in enumerate(alignment.words)
        )
        return Alignment(alignment.phonemes, timed)

    def _onset(self, name: str, frame: int, word_initial: bool) -> float:
        """A phone's onset: its first frame moved by the offset measured for it."""
        if word_initial:
            shift = self._word_offset
        else:
            shift = self._phone_offsets.get(name.rstrip("012"), 0) / 1000 + self._offset
        return frame * FRAME_SECONDS + shift

    def _refuse_mismatch(self, words: tuple[Any, ...], confidences: list[float]) -> None:
        """``Invalid`` at the first word below ``min_confidence`` that starts a run of
        ``MISMATCH_RUN`` such words, or after which no word reaches 0.5."""
        low = [c < self._min_confidence for c in confidences]
        for index, value in enumerate(confidences):
            rest = confidences[index:]
            run = low[index : index + MISMATCH_RUN]
            tail = len(rest) >= 2 and max(rest) < 0.5
            if low[index] and (tail or (len(run) == MISMATCH_RUN and all(run))):
                word = words[min(index, len(words) - 1)]
                raise Invalid(
                    f"the transcript stops matching the audio at word {index + 1} "
                    f"{word.text!r} (character {word.char_start}); its words from there do "
                    f"not fit the sounds (confidence {value:.2f})",
                    field="text",
                )


def _per_frame(phones: list[tuple[str, int, int, int]]) -> float:
    """A word's acoustic score per frame, from its phones' ``(name, start, frames, score)``."""
    return sum(p[3] for p in phones) / (sum(p[2] for p in phones) or 1)


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
        # Noise and cepstral-mean estimates carry over from one utterance to the next: start
        # each pass from the initial ones, so an alignment never depends on earlier audio.
        decoder.reinit_feat()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        if decoder.hyp() is None:
            return None
        decoder.set_alignment()
        decoder.reinit_feat()
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
