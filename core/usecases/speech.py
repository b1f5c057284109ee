"""Speech use cases: voices, phonemes, timings, lip sync (audio kept) and its preview."""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from avatar_service.core.audio import encode_wav
from avatar_service.core.curves import Curves, build_curves, check_fps, frame_count
from avatar_service.core.errors import Invalid
from avatar_service.core.limits import Limits
from avatar_service.core.loudness import LoudnessTarget, normalised
from avatar_service.core.phonemes import to_arpabet
from avatar_service.core.ports import (
    Aligner,
    BlobStore,
    SpeechSynthesizer,
    SsmlSynthesisRequest,
    SsmlSynthesizer,
    Store,
    SynthesisRequest,
    VoiceCatalogue,
)
from avatar_service.core.records import AudioRecord, Namespace, new_id
from avatar_service.core.speech import (
    Alignment,
    FloatArray,
    PhonemizedWord,
    Speech,
    SynthesisOptions,
    TranscriptMismatch,
    VisemeCue,
    Voice,
)
from avatar_service.core.ssml import SsmlDocument, TimedMark, check_support
from avatar_service.core.ssml_parser import parse_ssml
from avatar_service.core.visemes import BUILTIN_REGISTRY, VisemeSet, build_timeline
from avatar_service.core.visemesets import VisemeSetRegistry, VisemeSetSpec
from avatar_service.core.voice_choice import choose_voice

log = logging.getLogger(__name__)

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
    viseme_table: VisemeSetSpec | None = None
    """A set of the request's own (``core.visemesets.custom_set``), nameable in
    ``viseme_sets`` and ``curves`` beside the registered ones."""
    curves: tuple[VisemeSet, ...] = ()
    """Sets whose weight curves to compute (``core.curves``), at ``fps`` and ``intensity``."""
    fps: int = 60
    intensity: float = 1.0


@dataclass(frozen=True, slots=True)
class TimedSpeech:
    """Speech with its timings settled (from the engine, else the aligner), its visemes, and
    the SSML marks it reached. ``timing`` says where the timings came from: ``engine`` (the
    synthesizer's own durations) or ``aligned``."""

    speech: Speech
    alignment: Alignment
    visemes: dict[VisemeSet, tuple[VisemeCue, ...]]
    marks: tuple[TimedMark, ...] = ()
    timing: Literal["engine", "aligned"] = "engine"
    curves: dict[VisemeSet, Curves] = field(default_factory=dict)


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
        loudness: LoudnessTarget | None = None,
        viseme_sets: VisemeSetRegistry | None = None,
    ) -> None:
        self._viseme_sets = viseme_sets or BUILTIN_REGISTRY
        self._synthesizer = synthesizer
        self._aligner = aligner
        self._store = store
        self._blobs = blobs
        self._limits = limits
        self._loudness = loudness

    @property
    def viseme_sets(self) -> VisemeSetRegistry:
        return self._viseme_sets

    def with_storage(self, store: Store, blobs: BlobStore) -> SpeechUseCases:
        """The same speech, keeping audio in ``store`` and ``blobs`` (a tenant's views)."""
        view = copy.copy(self)
        view._store, view._blobs = store, blobs
        return view

    def voices(self) -> list[Voice]:
        return self._synthesizer.voices()

    def default_voice(self) -> Voice | None:
        """The voice requests that name none speak with, when the synthesizer says
        (``VoiceCatalogue``); else ``None``."""
        if isinstance(self._synthesizer, VoiceCatalogue):
            return self._synthesizer.default_voice()
        return None

    def notices(self) -> tuple[str, ...]:
        """What the synthesizer wants an operator to know (e.g. no neural voice installed)."""
        if isinstance(self._synthesizer, VoiceCatalogue):
            return self._synthesizer.notices()
        return ()

    def voice_for_avatar(self, avatar_id: str) -> str | None:
        """The installed voice that best fits the voice avatar ``avatar_id`` asks for
        (``core.voice_choice``); ``None`` when it asks for none or nothing fits."""
        state = self._store.get_avatar(avatar_id).state
        if state.voice_gender is None and state.voice_language is None:
            return None
        gender = None if state.voice_gender is None else str(state.voice_gender)
        chosen = choose_voice(self.voices(), gender, state.voice_language)
        return None if chosen is None else chosen.voice_id

    def level(self, speech: Speech) -> Speech:
        """``speech`` normalised to the loudness target (unchanged when there is none)."""
        if self._loudness is None:
            return speech
        samples = normalised(speech.samples, speech.sample_rate, self._loudness)
        return replace(speech, samples=samples)

    def phonemize(self, text: str, voice_id: str | None = None) -> list[PhonemizedWord]:
        return self._synthesizer.phonemize(self._limits.text(text), voice_id)

    def timed_speech(self, request: SpeechRequest) -> TimedSpeech:
        """Synthesise and settle timings; the aligner runs only where the engine gave none."""
        text = self._limits.text(request.text)
        registry = self._viseme_sets.with_set(request.viseme_table)
        sets = _check_sets(request.viseme_sets, registry)
        curve_sets = tuple(registry.curves(name) for name in dict.fromkeys(request.curves))
        if curve_sets:
            check_fps(request.fps, self._limits.max_curve_fps)
        marks: tuple[TimedMark, ...] = ()
        if request.ssml:
            document = parse_ssml(text)
            voice = ssml_voice(self._synthesizer, document, request.voice_id)
            marked = voice.synthesize_ssml(
                SsmlSynthesisRequest(document, voice_id=request.voice_id, options=request.options)
            )
            speech, marks = marked.speech, marked.marks
        else:
            speech = self._synthesizer.synthesize(
                SynthesisRequest(text, voice_id=request.voice_id, options=request.options)
            )
        speech = self.level(speech)
        timing: Literal["engine", "aligned"] = "engine"
        if speech.phonemes is not None and speech.words is not None:
            alignment = Alignment(speech.phonemes, speech.words)
        else:
            timing = "aligned"
            alignment = self._engine_alignment(speech, text)
        visemes = {
            spec.name: build_timeline(
                alignment.phonemes, speech.duration, spec, min_cue=self._limits.min_cue_seconds
            )
            for spec in sets
        }
        curves: dict[VisemeSet, Curves] = {}
        if curve_sets:
            self._limits.curve_frames(frame_count(speech.duration, request.fps))
            curves = build_curves(
                alignment.phonemes, speech.duration, curve_sets, request.fps, request.intensity
            )
        return TimedSpeech(speech, alignment, visemes, marks, timing, curves)

    def lipsync(self, request: SpeechRequest) -> LipsyncResult:
        """Timed speech whose audio is kept as a WAV blob plus an ``AudioRecord``. With an
        avatar and no voice, the avatar's voice (``voice_for_avatar``) speaks."""
        self.check_owner(request)
        if request.avatar_id is not None and request.voice_id is None:
            request = replace(request, voice_id=self.voice_for_avatar(request.avatar_id))
        timed = self.timed_speech(request)
        audio = self.keep_audio(timed.speech, request)
        return LipsyncResult(timed, audio)

    def check_owner(self, request: SpeechRequest) -> None:
        """``NotFound`` unless the request's avatar and session (when named) exist."""
        if request.avatar_id is not None:
            self._store.get_avatar(request.avatar_id)
        if request.session_id is not None:
            self._store.get_session(request.session_id)

    def keep_audio(self, speech: Speech, request: SpeechRequest) -> AudioRecord:
        audio_id = new_id("au")
        blob_name = f"{audio_id}.wav"
        wav = encode_wav(speech.samples, speech.sample_rate)
        self._blobs.write(
            Namespace.AUDIOS,
            blob_name,
            [wav],
            max_size=self._limits.max_file_size,
            content_type="audio/wav",
        )
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

    def _engine_alignment(self, speech: Speech, text: str) -> Alignment:
        """The aligner's timing of the engine's own audio of ``text``. The text is right by
        construction, so an aligner that doubts it (a voice unlike any it learnt from) is
        overruled: its best alignment is used, and the doubt logged."""
        try:
            return self._aligner.align(speech.samples, speech.sample_rate, text, speech.voice_id)
        except TranscriptMismatch as doubt:
            log.warning(
                "the aligner doubted voice %s's own audio of its text (%s); its best alignment "
                "is used",
                speech.voice_id,
                doubt.message,
            )
            return doubt.alignment

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


def _check_sets(sets: Sequence[str], registry: VisemeSetRegistry) -> tuple[VisemeSetSpec, ...]:
    if not sets:
        raise Invalid("name at least one viseme set", field="viseme_sets")
    return tuple(registry.get(name) for name in dict.fromkeys(sets))
