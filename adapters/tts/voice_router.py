"""One voice catalogue over several synthesizers: each request goes to the engine that offers
the voice it names, and a request that names none to the default voice (the first engine's,
neural before formant when built that way)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypeVar

from avatar_service.core.errors import Invalid, NotFound, Unavailable
from avatar_service.core.ports import (
    SpeechSynthesizer,
    SsmlSynthesisRequest,
    SsmlSynthesizer,
    SynthesisRequest,
)
from avatar_service.core.speech import PhonemizedWord, Speech, Voice
from avatar_service.core.ssml import MarkedSpeech, SsmlSupport

NO_SSML = SsmlSupport(frozenset())
T = TypeVar("T")


class VoiceRouter(SpeechSynthesizer, SsmlSynthesizer):
    """``engines`` in order of preference, each with its default voice id (``None``: the
    first it lists). The default voice is ``default_voice`` when given, else the default of
    the first engine that lists a voice. ``fallback_notice`` is said (``notices``) when that
    is not the first engine; ``problems`` of an engine (``problems()`` when it has one) are
    said too. A voice id listed by no engine is tried on each in turn (espeak reads
    ``en-us+klatt`` without listing it)."""

    PLUGIN_NAME = "auto"

    def __init__(
        self,
        engines: Sequence[tuple[SpeechSynthesizer, str | None]],
        default_voice: str | None = None,
        fallback_notice: str = "",
    ) -> None:
        if not engines:
            raise ValueError("a router needs at least one engine")
        self._engines = list(engines)
        self._default_id = default_voice
        self._fallback_notice = fallback_notice
        self._index: dict[str, tuple[SpeechSynthesizer, Voice]] | None = None
        self._default: tuple[SpeechSynthesizer, Voice] | None = None
        self._lock = threading.Lock()

    # -- catalogue ----------------------------------------------------------------------------

    def voices(self) -> list[Voice]:
        return [voice for _, voice in self._catalogue().values()]

    def default_voice(self) -> Voice:
        return self._resolve(None)[1]

    def notices(self) -> tuple[str, ...]:
        said = []
        first = self._engines[0][0]
        if self._resolve(None)[0] is not first and self._fallback_notice:
            said.append(self._fallback_notice.format(voice=self.default_voice().voice_id))
        for engine, _ in self._engines:
            problems = getattr(engine, "problems", None)
            if callable(problems):
                said.extend(str(p) for p in problems())
        return tuple(said)

    def check(self) -> None:
        engine, _voice = self._resolve(None)
        engine.check()

    def close(self) -> None:
        for engine, _ in self._engines:
            close = getattr(engine, "close", None)
            if callable(close):
                close()

    # -- speech -------------------------------------------------------------------------------

    def phonemize(self, text: str, voice_id: str | None = None) -> list[PhonemizedWord]:
        return self._call(voice_id, lambda e, v: e.phonemize(text, v))

    def synthesize(self, request: SynthesisRequest) -> Speech:
        return self._call(request.voice_id, lambda e, v: e.synthesize(replace(request, voice_id=v)))

    def ssml_support(self, voice_id: str | None = None) -> SsmlSupport:
        def support(engine: SpeechSynthesizer, voice: str) -> SsmlSupport:
            if isinstance(engine, SsmlSynthesizer):
                return engine.ssml_support(voice)
            engine.phonemize("a", voice)  # NotFound for a voice it lacks
            return NO_SSML

        return self._call(voice_id, support)

    def synthesize_ssml(self, request: SsmlSynthesisRequest) -> MarkedSpeech:
        def speak(engine: SpeechSynthesizer, voice: str) -> MarkedSpeech:
            routed = replace(request, voice_id=voice)
            if isinstance(engine, SsmlSynthesizer):
                return engine.synthesize_ssml(routed)
            return _plain_ssml(engine, routed)

        return self._call(request.voice_id, speak)

    # -- internals ----------------------------------------------------------------------------

    def _catalogue(self) -> dict[str, tuple[SpeechSynthesizer, Voice]]:
        with self._lock:
            if self._index is None:
                index: dict[str, tuple[SpeechSynthesizer, Voice]] = {}
                for engine, _ in self._engines:
                    try:
                        listed = engine.voices()
                    except Unavailable:
                        continue  # an engine that cannot run offers no voice
                    for voice in listed:
                        index.setdefault(voice.voice_id, (engine, voice))
                self._index = index
            return self._index

    def _resolve(self, voice_id: str | None) -> tuple[SpeechSynthesizer, Voice]:
        catalogue = self._catalogue()
        if voice_id is not None:
            found = catalogue.get(voice_id)
            if found is None:
                raise NotFound(f"unknown voice {voice_id!r}", field="voice")
            return found
        if self._default is None:
            self._default = self._pick_default(catalogue)
        return self._default

    def _pick_default(
        self, catalogue: dict[str, tuple[SpeechSynthesizer, Voice]]
    ) -> tuple[SpeechSynthesizer, Voice]:
        if self._default_id is not None:
            found = catalogue.get(self._default_id)
            if found is None:
                raise Unavailable(
                    f"the default voice {self._default_id!r} is not installed; "
                    f"installed: {', '.join(catalogue) or 'none'}"
                )
            return found
        for engine, wanted in self._engines:
            mine = [(e, v) for e, v in catalogue.values() if e is engine]
            if not mine:
                continue
            chosen = next((ev for ev in mine if ev[1].voice_id == wanted), mine[0])
            return chosen
        raise Unavailable("no voice is installed: neither a Piper voice nor espeak-ng works")

    def _call(self, voice_id: str | None, action: Callable[[SpeechSynthesizer, str], T]) -> T:
        if voice_id is None:
            engine, voice = self._resolve(None)
            return action(engine, voice.voice_id)
        listed = self._catalogue().get(voice_id)
        if listed is not None:
            return action(listed[0], voice_id)
        for engine, _ in self._engines:
            try:
                return action(engine, voice_id)
            except NotFound as exc:
                if exc.field != "voice":
                    raise
        names = ", ".join(self._catalogue())
        raise NotFound(
            f"unknown voice {voice_id!r}; available: {names} (an espeak variant may follow +, "
            "e.g. en-us+f3)",
            field="voice",
        )


def _plain_ssml(engine: SpeechSynthesizer, request: SsmlSynthesisRequest) -> MarkedSpeech:
    """A document with no markup the voice would have to honour, spoken as its plain text;
    word offsets point into the source."""
    document = request.document
    speech = engine.synthesize(
        SynthesisRequest(document.plain_text, voice_id=request.voice_id, options=request.options)
    )
    if speech.phonemes is None or speech.words is None:
        raise Invalid(f"voice {request.voice_id} cannot time SSML; send plain text", field="text")
    offsets = document.source_offsets()
    words = tuple(
        replace(w, char_start=offsets[w.char_start], char_end=offsets[w.char_end - 1] + 1)
        for w in speech.words
    )
    return MarkedSpeech(replace(speech, words=words), ())
