"""Phone-loop recognition with pocketsphinx: the US English acoustic model and phone language
model (``en-us-phone.lm.bin``) shipped in the ``pocketsphinx`` wheel, offline.

Without a hint, an ``allphone`` search gives the best phone sequence with frame times (10 ms).
With a transcript hint, the transcript is force-aligned (``set_align_text``, then a state-level
second pass for phone times) with the wheel's dictionary; words it lacks take the hint's
pronunciations; if the transcript cannot be aligned, the phone loop's phones are shared out
over the transcript's words. Decoders are not thread-safe: each call borrows one from a pool.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from avatar_service.adapters.recognizer.resample import (
    MODEL_RATE,
    StreamResampler,
    pcm16,
    to_model_rate,
)
from avatar_service.adapters.recognizer.speech_gate import (
    BROADBAND_GATE,
    SPEECH_BAND_GATE,
    LiveSpeechFrames,
    SpeechGate,
)
from avatar_service.core.errors import Invalid, Unavailable
from avatar_service.core.phonemes import ARPABET_TO_IPA, IPA_TO_ARPABET, base_symbol
from avatar_service.core.ports import PhoneRecognizer, PhoneStream, StreamingRecognizer
from avatar_service.core.recognition import HeardPhones, TranscriptHint, even_words
from avatar_service.core.speech import Alignment, FloatArray, TimedPhoneme
from avatar_service.core.words import SpokenUnit, TextWord, assign_words, spread_spans, text_words

FRAME_SECONDS = 0.01
LANGUAGES = frozenset({"en"})


def model_dir() -> Path:
    """The wheel's ``en-us`` model folder."""
    try:
        from pocketsphinx import get_model_path
    except ImportError as exc:
        raise Unavailable("the pocketsphinx recogniser needs: pip install pocketsphinx") from exc
    return Path(get_model_path()) / "en-us"


def _phone(name: str, start_frame: int, end_frame: int, duration: float) -> TimedPhoneme | None:
    """A timed IPA phoneme for a pocketsphinx phone (frames inclusive); ``None`` for silence
    and noise."""
    ipa = ARPABET_TO_IPA.get(name.upper())
    if ipa is None:
        return None
    start = min(start_frame * FRAME_SECONDS, duration)
    end = min((end_frame + 1) * FRAME_SECONDS, duration)
    return TimedPhoneme(ipa, start, end, arpabet=name.upper())


class PocketsphinxRecognizer(PhoneRecognizer, StreamingRecognizer):
    """``language_weight``, ``beam`` and ``phone_beam`` tune the phone loop (measured with
    ``python bench/run.py recognise``; with beams of 1e-10 the search lost every path in one
    of the human sentences of ``bench human`` and reported one phone for its last 5.8 s);
    ``gate``: where a recording is loud enough for a heard phone to stand, ``live_gate``
    where a live stream is."""

    PLUGIN_NAME = "pocketsphinx"

    def __init__(
        self,
        model: Path | None = None,
        *,
        language_weight: float = 2.0,
        beam: float = 1e-20,
        phone_beam: float = 1e-20,
        gate: SpeechGate = BROADBAND_GATE,
        live_gate: SpeechGate = SPEECH_BAND_GATE,
    ) -> None:
        self._model = model
        self._gate, self._live_gate = gate, live_gate
        self._tuning = {"lw": language_weight, "beam": beam, "pbeam": phone_beam}
        self._loops: queue.LifoQueue[Any] = queue.LifoQueue()
        self._aligners: queue.LifoQueue[Any] = queue.LifoQueue()
        self._lock = threading.Lock()

    def languages(self) -> frozenset[str]:
        return LANGUAGES

    def _paths(self) -> Path:
        folder = self._model or model_dir()
        for name in ("en-us", "en-us-phone.lm.bin", "cmudict-en-us.dict"):
            if not (folder / name).exists():
                raise Unavailable(f"pocketsphinx model file {folder / name} is missing")
        return folder

    def check(self) -> None:
        self._paths()

    def _decoder(self, kind: str, live: bool = False) -> Any:
        from pocketsphinx import Decoder

        folder = self._paths()
        common: dict[str, Any] = {
            "hmm": str(folder / "en-us"),
            "samprate": MODEL_RATE,
            "loglevel": "FATAL",
            "remove_noise": False,  # its noise estimate carries over between utterances
        }
        # Batch normalisation per utterance: a recording's result never depends on the one before.
        common["cmn"] = "live" if live else "batch"
        if kind == "loop":
            decoder = Decoder(allphone=str(folder / "en-us-phone.lm.bin"), **common, **self._tuning)
        else:
            decoder = Decoder(dict=str(folder / "cmudict-en-us.dict"), lm=None, **common)
        return decoder

    @contextmanager
    def _borrow(self, kind: str) -> Iterator[Any]:
        pool = self._loops if kind == "loop" else self._aligners
        try:
            decoder = pool.get_nowait()
        except queue.Empty:
            decoder = self._decoder(kind)
        try:
            # Feature state (cepstral means) a previous recording left must not change this one.
            decoder.reinit_feat()
            yield decoder
        except RuntimeError:
            raise  # a decoder that failed mid-utterance is not trusted again: not pooled
        else:
            pool.put(decoder)

    def recognize(
        self, samples: FloatArray, sample_rate: int, hint: TranscriptHint | None = None
    ) -> Alignment:
        if sample_rate <= 0:
            raise Invalid("the sample rate must be positive", field="sample_rate")
        if len(samples) == 0:
            raise Invalid("the audio holds no samples", field="audio")
        words = text_words(hint.text) if hint is not None else ()
        if hint is not None and not words:
            raise Invalid("the transcript holds no word", field="text")
        duration = len(samples) / sample_rate
        audio = to_model_rate(samples, sample_rate)
        loud = self._gate.speech_frames(audio)
        pcm = pcm16(audio)
        if hint is not None and loud.any():
            try:
                aligned = self._align(pcm, hint, words, duration)
            except RuntimeError:  # pocketsphinx found no path through the transcript
                aligned = None
            if aligned is not None:
                return aligned
        heard = [p for p in self._loop(pcm, duration) if self._gate.voiced(loud, p.start, p.end)]
        phones = spread_spans(heard, duration)
        if hint is None:
            return Alignment(phones, (), heard=True)
        if not phones:  # nothing heard: the words still need a place; one short span each
            return replace(even_words(hint.text, duration), heard=True)
        unit = SpokenUnit(0, len(hint.text), tuple(range(len(phones))))
        return replace(assign_words(hint.text, phones, [unit], duration=duration), heard=True)

    def _loop(self, pcm: bytes, duration: float) -> list[TimedPhoneme]:
        with self._borrow("loop") as decoder:
            decoder.start_utt()
            decoder.process_raw(pcm, full_utt=True)
            decoder.end_utt()
            found = [_phone(s.word, s.start_frame, s.end_frame, duration) for s in decoder.seg()]
        return [p for p in found if p is not None and p.end > p.start]

    def _align(
        self, pcm: bytes, hint: TranscriptHint, words: tuple[TextWord, ...], duration: float
    ) -> Alignment | None:
        """The transcript force-aligned, or ``None`` when it cannot be."""
        with self._borrow("align") as decoder:
            tokens = [_token(decoder, word, hint) for word in words]
            kept = [(i, t) for i, t in enumerate(tokens) if t is not None]
            if not kept:
                return None
            decoder.set_align_text(" ".join(t for _, t in kept))
            decoder.start_utt()
            decoder.process_raw(pcm, full_utt=True)
            decoder.end_utt()
            if decoder.hyp() is None:
                return None
            decoder.set_alignment()
            decoder.start_utt()
            decoder.process_raw(pcm, full_utt=True)
            decoder.end_utt()
            entries = decoder.get_alignment()
            if entries is None:
                return None
            spoken = [
                [(p.name, p.start, p.start + p.duration - 1) for p in entry]
                for entry in entries
                if entry.name not in ("<sil>", "<s>", "</s>") and not entry.name.startswith("[")
            ]
        if len(spoken) != len(kept):
            return None
        phones: list[TimedPhoneme] = []
        units: list[SpokenUnit] = []
        for (index, _), entry in zip(kept, spoken, strict=True):
            first = len(phones)
            for name, start, end in entry:
                phone = _phone(name, start, end, duration)
                if phone is not None and phone.end > phone.start:
                    phones.append(phone)
            word = words[index]
            units.append(
                SpokenUnit(word.char_start, word.char_end, tuple(range(first, len(phones))))
            )
        if not phones:
            return None
        return assign_words(hint.text, phones, units, duration=duration)

    def open_stream(self, sample_rate: int) -> PhoneStream:
        if sample_rate <= 0:
            raise Invalid("the sample rate must be positive", field="sample_rate")
        return _LiveStream(
            self._decoder("loop", live=True), sample_rate, LiveSpeechFrames(self._live_gate)
        )


def _token(decoder: Any, word: TextWord, hint: TranscriptHint) -> str | None:
    """The dictionary word for ``word``: its own spelling when the dictionary has it, else
    added with the hint's pronunciation; ``None`` when there is neither."""
    token = word.text.lower().replace("’", "'")
    if not token.isascii() or not all(c.isalnum() or c in "'-." for c in token):
        token = ""
    if token and decoder.lookup_word(token) is not None:
        return token
    for spoken in hint.pronunciations:
        if spoken.char_start < word.char_end and word.char_start < spoken.char_end:
            phones = [a for p in spoken.phonemes for a in _arpabet(p)]
            if not phones:
                return None
            name = token or f"w{word.char_start}"
            name = f"{name}_{'_'.join(phones).lower()}"
            if decoder.lookup_word(name) is None:
                decoder.add_word(name, " ".join(phones), True)
            return name
    return None


def _arpabet(symbol: str) -> list[str]:
    """ARPAbet phones (no stress digits) for one IPA symbol, which may hold several sounds
    (``ɔːɹ``); unknown sounds are left out."""
    base = base_symbol(symbol)
    phones: list[str] = []
    at = 0
    while at < len(base):
        for width in (2, 1):
            found = IPA_TO_ARPABET.get(base[at : at + width]) if at + width <= len(base) else None
            if found:
                phones.append(found)
                at += width
                break
        else:
            at += 1
    return phones


class _LiveStream(PhoneStream):
    """Phone-loop utterances fed chunk by chunk (live cepstral mean normalisation); a phone
    stands where ``gate`` finds speech. An utterance ends at the first pause of
    ``PAUSE_SECONDS`` once it has lasted ``UTTERANCE_SECONDS``, and the next one begins: its
    phones are then final, so each chunk's work stays the same however long the stream runs
    (the decoder reports an utterance's whole segmentation each time)."""

    UTTERANCE_SECONDS = 10.0
    PAUSE_SECONDS = 0.3

    def __init__(self, decoder: Any, sample_rate: int, gate: LiveSpeechFrames) -> None:
        self._decoder = decoder
        self._gate = gate
        self._resampler = StreamResampler(sample_rate)
        self._fed = 0  # samples at the model rate
        self._began = 0.0  # when the current utterance began, in seconds
        self._open = True
        decoder.start_utt()

    def feed(self, samples: FloatArray) -> HeardPhones:
        if not self._open:
            raise Invalid("the stream is closed", field="audio")
        chunk = self._resampler.push(samples)
        self._fed += len(chunk)
        if len(chunk):
            self._gate.push(chunk)
            self._decoder.process_raw(pcm16(chunk), False, False)
        heard = self._fed / MODEL_RATE
        began = self._began
        found = [
            _phone(s.word, s.start_frame, s.end_frame, heard - began)
            for s in self._decoder.seg() or ()
        ]
        speech = [
            replace(p, start=p.start + began, end=p.end + began)
            for p in found
            if p is not None
            and p.end > p.start
            and self._gate.voiced(p.start + began, p.end + began)
        ]
        decided = self._gate.decided_seconds
        if heard - began >= self.UTTERANCE_SECONDS and self._gate.quiet(
            decided - self.PAUSE_SECONDS, decided
        ):
            self._decoder.end_utt()
            self._decoder.start_utt()
            self._began = heard
        return HeardPhones(tuple(speech), began)

    def close(self) -> None:
        if self._open:
            self._open = False
            self._decoder.end_utt()
