"""Streaming speech: an utterance split into sentences and those at their clauses, each piece
synthesised on its own and handed over as soon as it is ready, with its timings made absolute
(seconds from the utterance start, character offsets into the whole text). Every piece is
played at the level of the first (``core.loudness``: the first measurable piece sets the
gain), so loudness does not jump between clauses."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field, replace
from typing import TypeVar

from avatar_service.core.curves import Curves, build_curves, check_fps, check_intensity
from avatar_service.core.errors import Invalid
from avatar_service.core.limits import Limits
from avatar_service.core.loudness import (
    SILENCE,
    LoudnessTarget,
    Measured,
    gain_db,
    measure,
    scaled,
    true_peak,
)
from avatar_service.core.ports import (
    Aligner,
    SpeechSynthesizer,
    SsmlSynthesisRequest,
    SsmlSynthesizer,
    SynthesisRequest,
)
from avatar_service.core.sentences import TextSpan, split_clauses, split_sentences
from avatar_service.core.speech import (
    FloatArray,
    Speech,
    SynthesisOptions,
    TimedPhoneme,
    TimedWord,
    VisemeCue,
)
from avatar_service.core.ssml import SsmlDocument, TimedMark
from avatar_service.core.ssml_parser import parse_ssml
from avatar_service.core.usecases.speech import ssml_voice
from avatar_service.core.visemes import BUILTIN_REGISTRY, VisemeSet, build_timeline
from avatar_service.core.visemesets import VisemeSetRegistry, VisemeSetSpec

_Span = TypeVar("_Span", TimedPhoneme, TimedWord, VisemeCue)


@dataclass(frozen=True, slots=True)
class StreamRequest:
    """One utterance: ``text`` is SSML (one ``<speak>`` element) when ``ssml`` is true."""

    text: str
    voice_id: str | None = None
    viseme_set: str = "oculus"
    options: SynthesisOptions = field(default_factory=SynthesisOptions)
    ssml: bool = False
    curves: tuple[str, ...] = ()
    """Sets whose weight curves each chunk carries, at ``fps`` and ``intensity``."""
    fps: int = 60
    intensity: float = 1.0


@dataclass(frozen=True, slots=True)
class Utterance:
    """A validated request cut into pieces (plain sentences, or SSML parts) to speak in order."""

    request: StreamRequest
    viseme_set: VisemeSet
    pieces: tuple[tuple[TextSpan, SsmlDocument | None], ...]
    curve_sets: tuple[VisemeSetSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class SpeechChunk:
    """One sentence's audio and timings. ``offset`` is where its first sample plays, in
    seconds from the utterance start; every time below is absolute (offset included), every
    character offset points into the request's whole text, and phoneme word indices count
    the utterance's words from its first chunk."""

    index: int
    offset: float
    samples: FloatArray
    sample_rate: int
    phonemes: tuple[TimedPhoneme, ...]
    words: tuple[TimedWord, ...]
    visemes: tuple[VisemeCue, ...]
    marks: tuple[TimedMark, ...]
    curves: dict[str, Curves] = field(default_factory=dict)
    """Weight curves of the chunk: row 0 at ``offset``, one row per frame to its end."""

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


class StreamingSpeech:
    """Sentence-by-sentence synthesis. ``prepare`` validates everything it can before any audio
    is made; ``chunks`` synthesises lazily, so a consumer that stops pulling stops the work."""

    def __init__(
        self,
        synthesizer: SpeechSynthesizer,
        aligner: Aligner,
        limits: Limits,
        *,
        max_sentence_chars: int = 300,
        min_clause_chars: int | None = 16,
        loudness: LoudnessTarget | None = None,
        viseme_sets: VisemeSetRegistry | None = None,
    ) -> None:
        self._viseme_sets = viseme_sets or BUILTIN_REGISTRY
        self._synthesizer = synthesizer
        self._aligner = aligner
        self._limits = limits
        self._max_sentence_chars = max_sentence_chars
        self._min_clause_chars = min_clause_chars
        self._loudness = loudness

    def prepare(self, request: StreamRequest) -> Utterance:
        """The utterance to stream; ``Invalid``/``TooLarge`` for bad input, ``Invalid`` (field
        ``text``) for SSML the voice cannot honour, ``NotFound`` for an unknown voice there."""
        text = self._limits.text(request.text)
        viseme_set = self._viseme_sets.get(request.viseme_set).name
        curve_sets = tuple(self._viseme_sets.curves(n) for n in dict.fromkeys(request.curves))
        if curve_sets:
            check_fps(request.fps, self._limits.max_curve_fps)
            check_intensity(request.intensity)
        if not request.ssml:
            spans = split_sentences(text, self._max_sentence_chars)
            if self._min_clause_chars is not None:
                spans = split_clauses(text, spans, self._min_clause_chars)
            plain_pieces = tuple((span, None) for span in spans)
            return Utterance(request, viseme_set, plain_pieces, curve_sets)
        document = parse_ssml(text)
        ssml_voice(self._synthesizer, document, request.voice_id)
        plain = document.plain_text
        spans = split_sentences(plain, self._max_sentence_chars)
        if not spans:
            raise Invalid("the SSML holds no text to speak", field="text")
        starts = [0] + [span.start for span in spans[1:]] + [len(plain)]
        pieces = tuple(
            (span, document.slice(starts[i], starts[i + 1])) for i, span in enumerate(spans)
        )
        return Utterance(request, viseme_set, pieces, curve_sets)

    def chunks(self, utterance: Utterance) -> Generator[SpeechChunk, None, None]:
        """One chunk per piece with something to say, in order, offsets back to back. A piece
        the engine finds unspeakable (only punctuation) is skipped; if all are: ``Invalid``."""
        request = utterance.request
        text = request.text
        played = 0  # samples so far: offsets come from sample counts, so they never drift
        words_so_far = 0  # phoneme word indices count the utterance's words
        rate = 0
        level: float | None = None  # the gain (dB) the first measurable piece set
        for index, (span, document) in enumerate(utterance.pieces):
            try:
                speech, marks, shift = self._speak(text, span, document, request)
            except Invalid as exc:
                if exc.field != "text":
                    raise
                continue
            if rate and speech.sample_rate != rate:
                raise Invalid("the voice changed its sample rate mid-utterance", field="voice")
            rate = speech.sample_rate
            if self._loudness is not None:
                if level is None:
                    found = measure(speech.samples, rate)
                    gain = gain_db(found, self._loudness)
                    if found.lufs != SILENCE:
                        level = gain
                else:  # the level is set: only the peak ceiling is left to check
                    found = Measured(SILENCE, true_peak(speech.samples))
                    gain = gain_db(found, self._loudness, level)
                speech = replace(speech, samples=scaled(speech.samples, gain))
            offset = played / rate
            played += len(speech.samples)
            chunk = self._chunk(
                index, offset, speech, marks, shift, utterance.viseme_set, words_so_far
            )
            words_so_far += len(chunk.words)
            if utterance.curve_sets:
                chunk = replace(chunk, curves=self._curves(speech, utterance))
            yield chunk
        if played == 0:
            raise Invalid("text contains no speakable word", field="text")

    def _speak(
        self, text: str, span: TextSpan, document: SsmlDocument | None, request: StreamRequest
    ) -> tuple[Speech, tuple[TimedMark, ...], int]:
        """Speech of one piece with its timings settled, its marks, and how far its word
        offsets must shift to point into the whole text."""
        if document is not None:
            assert isinstance(self._synthesizer, SsmlSynthesizer)  # checked by prepare
            marked = self._synthesizer.synthesize_ssml(
                SsmlSynthesisRequest(document, voice_id=request.voice_id, options=request.options)
            )
            return marked.speech, marked.marks, 0
        sentence = text[span.start : span.end]
        speech = self._synthesizer.synthesize(
            SynthesisRequest(sentence, voice_id=request.voice_id, options=request.options)
        )
        if speech.phonemes is None or speech.words is None:
            alignment = self._aligner.align(
                speech.samples, speech.sample_rate, sentence, speech.voice_id
            )
            speech = replace(speech, phonemes=alignment.phonemes, words=alignment.words)
        return speech, (), span.start

    def _chunk(
        self,
        index: int,
        offset: float,
        speech: Speech,
        marks: tuple[TimedMark, ...],
        shift: int,
        viseme_set: VisemeSet,
        words_before: int,
    ) -> SpeechChunk:
        phonemes, words = speech.phonemes or (), speech.words or ()
        cues = build_timeline(
            phonemes,
            speech.duration,
            viseme_set,
            min_cue=self._limits.min_cue_seconds,
            registry=self._viseme_sets,
        )
        return SpeechChunk(
            index=index,
            offset=offset,
            samples=speech.samples,
            sample_rate=speech.sample_rate,
            phonemes=tuple(
                replace(
                    _shifted(p, offset),
                    word_index=None if p.word_index is None else p.word_index + words_before,
                )
                for p in phonemes
            ),
            words=tuple(
                replace(
                    _shifted(w, offset),
                    char_start=w.char_start + shift,
                    char_end=w.char_end + shift,
                )
                for w in words
            ),
            visemes=tuple(_shifted(c, offset) for c in cues),
            marks=tuple(replace(m, time=m.time + offset) for m in marks),
        )

    def _curves(self, speech: Speech, utterance: Utterance) -> dict[str, Curves]:
        """The chunk's curves, times relative to its own start."""
        request = utterance.request
        phonemes, sets = speech.phonemes or (), utterance.curve_sets
        return build_curves(phonemes, speech.duration, sets, request.fps, request.intensity)


def _shifted(span: _Span, offset: float) -> _Span:
    return replace(span, start=span.start + offset, end=span.end + offset)
