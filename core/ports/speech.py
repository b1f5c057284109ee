"""Speech ports: text to speech with timings, and its optional SSML and catalogue capabilities."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field
from typing import Protocol, runtime_checkable

from avatar_service.core.speech import PhonemizedWord, Speech, SynthesisOptions, Voice
from avatar_service.core.ssml import MarkedSpeech, SsmlDocument, SsmlSupport


@dataclass(frozen=True, slots=True)
class SynthesisRequest:
    """What ``SpeechSynthesizer.synthesize`` is asked to say: ``text``, in ``voice_id``
    (``None``: the engine's default voice), with ``options``.

    Like every port request it may gain fields, each with a default that keeps the behaviour
    before it: an adapter reads the fields it knows by name (never by position), so it keeps
    working; callers pass everything after the first field by keyword.
    """

    text: str
    _: KW_ONLY
    voice_id: str | None = None
    options: SynthesisOptions = field(default_factory=SynthesisOptions)


@dataclass(frozen=True, slots=True)
class SsmlSynthesisRequest:
    """What ``SsmlSynthesizer.synthesize_ssml`` is asked to say: a parsed SSML ``document``,
    in ``voice_id`` (``None``: the default voice), with ``options``; it evolves as
    ``SynthesisRequest`` does."""

    document: SsmlDocument
    _: KW_ONLY
    voice_id: str | None = None
    options: SynthesisOptions = field(default_factory=SynthesisOptions)


@runtime_checkable
class SpeechSynthesizer(Protocol):
    """Text to speech with the timings the engine knows.

    - ``voices()`` lists at least one voice; ids are unique.
    - ``phonemize(text, voice_id)`` returns the words of ``text`` in order, each with its
      ``[char_start, char_end)`` offsets into ``text`` and its IPA phonemes; no audio is made.
    - ``synthesize(request)`` (a ``SynthesisRequest``) returns ``Speech``: mono float32 samples in
      [-1, 1], non-empty for any text that has a word. When ``phonemes``/``words`` are not
      ``None`` they are ordered, non-overlapping, with ``0 <= start <= end <= duration``; each
      word's span covers its phonemes' spans and its char offsets slice ``text``.
    - Text with no speakable content (empty, whitespace) raises ``Invalid`` (field ``text``);
      an unknown voice raises ``NotFound`` whose message names voices (field ``voice``);
      out-of-range options raise ``Invalid``. Never any other exception for bad input.
    - ``voice_id=None`` means the engine's default voice (in ``phonemize`` and in requests).
    """

    def voices(self) -> list[Voice]: ...

    def phonemize(self, text: str, voice_id: str | None = None) -> list[PhonemizedWord]: ...

    def synthesize(self, request: SynthesisRequest) -> Speech: ...

    def check(self) -> None: ...


@runtime_checkable
class SsmlSynthesizer(Protocol):
    """Optional ``SpeechSynthesizer`` capability: SSML input (the subset in ``core.ssml``).

    - ``ssml_support(voice_id)`` names the elements and ``say-as`` values the voice honours;
      an unknown voice raises ``NotFound`` as ``synthesize`` does.
    - ``synthesize_ssml(request)`` (an ``SsmlSynthesisRequest``) speaks a parsed document. Its
      ``Speech`` keeps the ``synthesize`` contract, its phonemes and words are never ``None``,
      word char offsets point into ``document.source``; marks come in document order,
      ``0 <= time <= duration``.
    """

    def ssml_support(self, voice_id: str | None = None) -> SsmlSupport: ...

    def synthesize_ssml(self, request: SsmlSynthesisRequest) -> MarkedSpeech: ...


@runtime_checkable
class VoiceCatalogue(Protocol):
    """Optional ``SpeechSynthesizer`` capability: which voice speaks by default, and what an
    operator should know about the voices (said once at start-up and by ``avatar doctor``).

    - ``default_voice()`` is the voice ``voice_id=None`` speaks with; it is listed by
      ``voices()``.
    - ``notices()`` are one-line messages (e.g. no neural voice installed), possibly none.
    """

    def default_voice(self) -> Voice: ...

    def notices(self) -> tuple[str, ...]: ...
