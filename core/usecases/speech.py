"""Speech use cases: voices, phonemes, timings, lip sync (audio kept) and its preview."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from avatar_service.core.audio import encode_wav
from avatar_service.core.errors import Invalid
from avatar_service.core.limits import Limits
from avatar_service.core.phonemes import to_arpabet
from avatar_service.core.ports import (
    Aligner,
    BlobStore,
    SpeechSynthesizer,
    SsmlSynthesizer,
    Store,
)
from avatar_service.core.records import AudioRecord, Namespace, new_id
from avatar_service.core.speech import (
    Alignment,
    FloatArray,
    PhonemizedWord,
    Speech,
    SynthesisOptions,
    VisemeCue,
    Voice,
)
from avatar_service.core.ssml import SsmlDocument, TimedMark, check_support, parse_ssml
from avatar_service.core.visemes import VisemeSet, build_timeline, check_viseme_set

Alphabet = Literal["ipa", "arpabet"]


@dataclass(frozen=True, slots=True)
class SpeechRequest:
    text: str
    voice_id: str | None = None
    options: SynthesisOptions = field(default_factory=SynthesisOptions)
    viseme_sets: tuple[VisemeSet, ...] = ("oculus",)
    avatar_id: str | None = None
    session_id: str | None = None
    ssml: bool = False
    """``text`` is an SSML document (``core.ssml``); the voice must honour what it uses."""


@dataclass(frozen=True, slots=True)
class TimedSpeech:
    """Speech with its timings settled (from the engine, else the aligner), its visemes, and
    the SSML marks it reached."""

    speech: Speech
    alignment: Alignment
    visemes: dict[VisemeSet, tuple[VisemeCue, ...]]
    marks: tuple[TimedMark, ...] = ()


@dataclass(frozen=True, slots=True)
class LipsyncResult:
    timed: TimedSpeech
    audio: AudioRecord


def check_alphabet(alphabet: str) -> Alphabet:
    if alphabet not in ("ipa", "arpabet"):
        raise Invalid("alphabet must be 'ipa' or 'arpabet'", field="alphabet")
    return alphabet  # type: ignore[return-value]


def phoneme_label(
    symbol: str, alphabet: Alphabet, *, stress: int = 0, arpabet: str | None = None
) -> str:
    """The symbol to show: IPA as the engine gave it, or ARPAbet where one is known."""
    if alphabet == "ipa":
        return symbol
    return arpabet or to_arpabet(symbol, stress) or symbol


class SpeechUseCases:
    """Text to timed speech. Audio is stored blob-first: the row never points at nothing."""

    def __init__(
        self,
        synthesizer: SpeechSynthesizer,
        aligner: Aligner,
        store: Store,
        blobs: BlobStore,
        limits: Limits,
    ) -> None:
        self._synthesizer = synthesizer
        self._aligner = aligner
        self._store = store
        self._blobs = blobs
        self._limits = limits

    def with_storage(self, store: Store, blobs: BlobStore) -> SpeechUseCases:
        """The same speech, keeping audio in ``store`` and ``blobs`` (a tenant's views)."""
        view = copy.copy(self)
        view._store, view._blobs = store, blobs
        return view

    def voices(self) -> list[Voice]:
        return self._synthesizer.voices()

    def phonemize(self, text: str, voice_id: str | None = None) -> list[PhonemizedWord]:
        return self._synthesizer.phonemize(self._limits.text(text), voice_id)

    def timed_speech(self, request: SpeechRequest) -> TimedSpeech:
        """Synthesise and settle timings; the aligner runs only where the engine gave none."""
        text = self._limits.text(request.text)
        sets = _check_sets(request.viseme_sets)
        marks: tuple[TimedMark, ...] = ()
        if request.ssml:
            document = parse_ssml(text)
            voice = ssml_voice(self._synthesizer, document, request.voice_id)
            marked = voice.synthesize_ssml(document, request.voice_id, request.options)
            speech, marks = marked.speech, marked.marks
        else:
            speech = self._synthesizer.synthesize(text, request.voice_id, request.options)
        if speech.phonemes is not None and speech.words is not None:
            alignment = Alignment(speech.phonemes, speech.words)
        else:
            alignment = self._aligner.align(
                speech.samples, speech.sample_rate, text, speech.voice_id
            )
        visemes = {
            name: build_timeline(
                alignment.phonemes, speech.duration, name, min_cue=self._limits.min_cue_seconds
            )
            for name in sets
        }
        return TimedSpeech(speech, alignment, visemes, marks)

    def lipsync(self, request: SpeechRequest) -> LipsyncResult:
        """Timed speech whose audio is kept as a WAV blob plus an ``AudioRecord``."""
        if request.avatar_id is not None:
            self._store.get_avatar(request.avatar_id)
        if request.session_id is not None:
            self._store.get_session(request.session_id)
        timed = self.timed_speech(request)
        audio = self.keep_audio(timed.speech, request)
        return LipsyncResult(timed, audio)

    def keep_audio(self, speech: Speech, request: SpeechRequest) -> AudioRecord:
        audio_id = new_id("au")
        blob_name = f"{audio_id}.wav"
        wav = encode_wav(speech.samples, speech.sample_rate)
        self._blobs.write(
            Namespace.AUDIOS, blob_name, [wav], max_size=self._limits.max_file_size,
            content_type="audio/wav",
        )  # fmt: skip
        record = AudioRecord(
            audio_id=audio_id,
            text=request.text,
            voice_id=speech.voice_id,
            duration=speech.duration,
            sample_rate=speech.sample_rate,
            blob_name=blob_name,
            avatar_id=request.avatar_id,
            session_id=request.session_id,
        )
        try:
            return self._store.add_audio(record)
        except BaseException:
            self._blobs.delete(Namespace.AUDIOS, blob_name)
            raise

    def align(
        self, samples: FloatArray, sample_rate: int, text: str, voice_id: str | None = None
    ) -> Alignment:
        if len(samples) == 0:
            raise Invalid("the audio holds no samples", field="audio")
        return self._aligner.align(samples, sample_rate, self._limits.text(text), voice_id)


def ssml_voice(
    synthesizer: SpeechSynthesizer, document: SsmlDocument, voice_id: str | None
) -> SsmlSynthesizer:
    """``synthesizer`` as an SSML reader that honours everything ``document`` uses; else
    ``Invalid`` (field ``text``) saying what the voice cannot do."""
    name = voice_id or "default"
    if not isinstance(synthesizer, SsmlSynthesizer):
        raise Invalid(f"voice {name} does not accept SSML; send plain text", field="text")
    check_support(document, synthesizer.ssml_support(voice_id), name)
    return synthesizer


def _check_sets(sets: Sequence[str]) -> tuple[VisemeSet, ...]:
    if not sets:
        raise Invalid("name at least one viseme set", field="viseme_sets")
    return tuple(dict.fromkeys(check_viseme_set(s) for s in sets))
