"""Lip sync from audio alone: a recording (and optionally its transcript as a hint) to timed
phonemes, words and viseme timelines, the audio kept like synthesised speech."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from avatar_service.core.audio import check_sample_rate
from avatar_service.core.errors import Invalid, TooLarge
from avatar_service.core.limits import Limits
from avatar_service.core.ports import PhoneRecognizer, StreamingRecognizer
from avatar_service.core.recognition import (
    RECORDED_VOICE,
    TranscriptHint,
    language_tag,
    recognised_timeline,
    speech_only,
)
from avatar_service.core.speech import Alignment, FloatArray, Speech, VisemeCue
from avatar_service.core.usecases.listening import ListenSession
from avatar_service.core.usecases.speech import (
    LipsyncResult,
    SpeechRequest,
    SpeechUseCases,
    TimedSpeech,
)
from avatar_service.core.visemes import VisemeSet, check_viseme_set
from avatar_service.core.word_timings import (
    WordSpan,
    check_word_spans,
    joined_text,
    phones_over_recording,
    timed_words,
)


@dataclass(frozen=True, slots=True)
class RecordingRequest:
    """A recording to lip-sync: mono float32 ``samples`` at ``sample_rate``; ``text`` (what was
    said, if known) guides recognition and yields ``words``; or ``words``, what was said with
    each word's times (``core.word_timings``), which stand as given."""

    samples: FloatArray
    sample_rate: int
    text: str | None = None
    words: tuple[WordSpan, ...] | None = None
    language: str = "en"
    viseme_sets: tuple[str, ...] = ("oculus",)
    avatar_id: str | None = None
    session_id: str | None = None


class RecognitionUseCases:
    """Recordings to timings through the ``PhoneRecognizer``; audio kept through
    ``SpeechUseCases`` (blob first, then the ``AudioRecord``)."""

    def __init__(self, recognizer: PhoneRecognizer, speech: SpeechUseCases, limits: Limits) -> None:
        self._recognizer = recognizer
        self._speech = speech
        self._limits = limits

    def with_speech(self, speech: SpeechUseCases) -> RecognitionUseCases:
        """The same recognition, keeping audio through ``speech`` (a tenant's)."""
        return RecognitionUseCases(self._recognizer, speech, self._limits)

    @property
    def recognizer(self) -> PhoneRecognizer:
        return self._recognizer

    def languages(self) -> frozenset[str]:
        return self._recognizer.languages()

    def check_recording(self, samples: FloatArray, sample_rate: int) -> FloatArray:
        """``samples`` as finite float32 in [-1, 1]; ``Invalid`` when empty or at a bad rate,
        ``TooLarge`` past ``max_recording_seconds``."""
        check_sample_rate(sample_rate, "sample_rate")
        if len(samples) == 0:
            raise Invalid("the audio holds no samples", field="audio")
        seconds = len(samples) / sample_rate
        if seconds > self._limits.max_recording_seconds:
            raise TooLarge(
                f"the recording lasts {seconds:.1f} s; the limit is "
                f"{self._limits.max_recording_seconds:g} s (AVATAR_LIMITS__MAX_RECORDING_SECONDS)",
                field="audio",
            )
        clean = np.nan_to_num(np.asarray(samples, dtype=np.float32), nan=0.0, posinf=1, neginf=-1)
        return np.clip(clean, -1.0, 1.0).astype(np.float32)

    def hint(self, text: str | None) -> TranscriptHint | None:
        """The transcript as a hint, with the synthesizer's pronunciations where it has them."""
        if text is None or not has_transcript(text):
            return None
        text = self._limits.text(text)
        try:
            words = tuple(self._speech.phonemize(text))
        except Invalid:
            words = ()
        return TranscriptHint(text, words)

    def recognise(
        self, samples: FloatArray, sample_rate: int, text: str | None = None, language: str = "en"
    ) -> Alignment:
        """Timed phonemes (and words when ``text`` is given) of a recording; a language the
        recogniser does not cover is ``Invalid`` (field ``language``)."""
        language_tag(language, self._recognizer.languages())
        samples = self.check_recording(samples, sample_rate)
        alignment = self._recognizer.recognize(samples, sample_rate, self.hint(text))
        return replace(
            alignment,
            phonemes=speech_only(alignment.phonemes, self._limits.max_phone_seconds),
        )

    def _with_word_times(
        self, samples: FloatArray, sample_rate: int, spans: Sequence[WordSpan], language: str
    ) -> Alignment:
        """A checked recording's phonemes and words where the client knows each word's times:
        the stretch from the first word to the last is recognised with their text and each
        word's phones are fitted into its span (``core.word_timings.phones_of_words``); the
        words come back with the times given. ``Invalid`` (field ``words``) as
        ``check_word_spans``."""
        check_word_spans(spans, len(samples) / sample_rate)

        def recognise(audio: FloatArray, rate: int, text: str) -> Alignment:
            return self.recognise(audio, rate, text, language)

        phonemes, transcribed = phones_over_recording(recognise, samples, sample_rate, spans)
        return Alignment(phonemes, timed_words(spans), heard=not transcribed)

    def timed_recording(self, request: RecordingRequest) -> TimedSpeech:
        sets = _check_sets(request.viseme_sets)
        samples = self.check_recording(request.samples, request.sample_rate)
        if request.words is None:
            alignment = self.recognise(samples, request.sample_rate, request.text, request.language)
        elif has_transcript(request.text):
            raise Invalid("send the text or the words with their times, not both", field="words")
        else:
            alignment = self._with_word_times(
                samples, request.sample_rate, request.words, request.language
            )
        speech = Speech(samples, request.sample_rate, RECORDED_VOICE)
        visemes = {
            name: self.timeline(alignment, speech.duration, name, transcribed=followed(alignment))
            for name in sets
        }
        return TimedSpeech(speech, alignment, visemes)

    def timeline(
        self, alignment: Alignment, duration: float, viseme_set: VisemeSet, *, transcribed: bool
    ) -> tuple[VisemeCue, ...]:
        """The cues of a recognised ``alignment`` (``recognised_timeline``)."""
        return recognised_timeline(
            alignment.phonemes,
            duration,
            viseme_set,
            transcribed=transcribed,
            min_cue=self._limits.min_cue_seconds,
        )

    def lipsync(self, request: RecordingRequest) -> LipsyncResult:
        """Timings of the recording, which is kept as a WAV blob plus an ``AudioRecord`` (its
        ``text`` the hint, or empty; its ``voice_id`` ``RECORDED_VOICE``)."""
        language_tag(request.language, self._recognizer.languages())
        timed = self.timed_recording(request)
        said = request.text if request.words is None else joined_text(request.words)[0]
        keep = SpeechRequest(
            text=said or "", avatar_id=request.avatar_id, session_id=request.session_id
        )
        self._speech.check_owner(keep)
        return LipsyncResult(timed, self._speech.keep_audio(timed.speech, keep))

    def listen(self, sample_rate: int, viseme_set: str, language: str = "en") -> ListenSession:
        """A live session (``core.usecases.listening``); ``Invalid`` when the recogniser cannot
        listen live, for a language it does not cover, a bad rate or viseme set."""
        language_tag(language, self._recognizer.languages())
        chosen = check_viseme_set(viseme_set)
        if not isinstance(self._recognizer, StreamingRecognizer):
            raise Invalid("the configured recogniser cannot listen live", field="type")
        check_sample_rate(sample_rate, "sample_rate")

        def recognise(samples: FloatArray, rate: int, text: str) -> Alignment:
            return self.recognise(samples, rate, text, language)

        return ListenSession(
            self._recognizer.open_stream(sample_rate),
            sample_rate,
            chosen,
            recognise,
            max_seconds=self._limits.max_recording_seconds,
            min_cue=self._limits.min_cue_seconds,
            longest_phone=self._limits.max_phone_seconds,
        )


def has_transcript(text: str | None) -> bool:
    """Whether ``text`` says anything (a blank transcript is none)."""
    return bool(text and text.strip())


def followed(alignment: Alignment) -> bool:
    """Whether a recognised ``alignment`` follows a transcript: a hint was given (it has
    words) and the recogniser did not fall back to what it heard."""
    return bool(alignment.words) and not alignment.heard


def _check_sets(sets: Sequence[str]) -> tuple[VisemeSet, ...]:
    if not sets:
        raise Invalid("name at least one viseme set", field="viseme_sets")
    return tuple(dict.fromkeys(check_viseme_set(s) for s in sets))
