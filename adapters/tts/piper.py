"""Piper neural voices (piper-tts on onnxruntime), with timings from the model's durations.

Voices are ``*.onnx`` files with their ``*.onnx.json`` config, from ``PIPER_MODEL_PATH`` (a file
or a folder), the voices folder and installed voice packages (``VoiceModel``s, with the sha256
their model must have); the voice id is the file name without ``.onnx``. Each voice is loaded
once, on first use, after its hash is checked, from its alignment-patched copy in the cache
folder (``piper_models``; which needs the ``onnx`` package); onnxruntime sessions are safe to
run from several threads. A text is phonemized once,
by piper-tts (``piper_inference``); espeak phonemizes only words not seen before, to find the
words in Piper's phoneme stream (``piper_timing``).
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from avatar_service.adapters.bounded_runs import BoundedSession, run_bound
from avatar_service.adapters.tts import piper_inference
from avatar_service.adapters.tts.espeak_library import EspeakLibrary, EspeakLoadError
from avatar_service.adapters.tts.phoneme_cache import WordPhonemeCache
from avatar_service.adapters.tts.piper_models import (
    PreparedModel,
    VoiceModel,
    prepared,
    verified,
)
from avatar_service.adapters.tts.piper_timing import (
    WordPhonemes,
    spoken_groups,
    text_words,
    timings,
    word_phonemes,
)
from avatar_service.core.errors import Invalid, Unavailable
from avatar_service.core.ports import SpeechSynthesizer, SynthesisRequest
from avatar_service.core.speech import (
    PhonemizedWord,
    Speech,
    Voice,
    check_timings,
)
from avatar_service.core.voice_names import unknown_voice


def find_voice_files(model_path: Path | None, voices_dir: Path | None) -> list[Path]:
    """Every ``*.onnx`` named by ``model_path`` (a file or folder) or in ``voices_dir``."""
    found: list[Path] = []
    for place in (model_path, voices_dir):
        if place is None:
            continue
        if place.is_dir():
            found.extend(sorted(place.glob("*.onnx")))
        elif place is model_path and place.suffix == ".onnx":
            found.append(place)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


@dataclass(frozen=True, slots=True)
class _Entry:
    voice: Voice
    files: VoiceModel
    config: dict[str, Any]


class PiperSynthesizer(SpeechSynthesizer):
    """Piper voices: ``models`` (installed packages) after ``model_path`` and ``voices_dir``.
    ``options.rate`` divides the length scale, ``volume`` scales the audio; Piper has no pitch
    control, so ``options.pitch`` is ignored. The espeak phonemes of up to ``word_cache_size``
    distinct words are kept (0: none). Patched models are kept in ``cache_dir`` (``None``:
    patched in memory at every load). At most ``concurrency`` model runs (one sentence each)
    go at once, across every voice; more wait (default: twice the CPU cores)."""

    PLUGIN_NAME = "piper"

    def __init__(
        self,
        model_path: Path | None = None,
        voices_dir: Path | None = None,
        default_voice: str | None = None,
        length_scale: float | None = None,
        noise_scale: float | None = None,
        phonemizer: EspeakLibrary | None = None,
        word_cache_size: int = 4096,
        models: Sequence[VoiceModel] = (),
        cache_dir: Path | None = None,
        noise_w_scale: float | None = None,
        concurrency: int | None = None,
    ) -> None:
        self._files = [
            VoiceModel(path, path.with_name(path.name + ".json"), source=_origin(path, model_path))
            for path in find_voice_files(model_path, voices_dir)
        ] + list(models)
        self._cache_dir = cache_dir
        self._noise_w_scale = noise_w_scale
        self._prepared: dict[str, PreparedModel] = {}
        self._default = default_voice
        self._length_scale = length_scale
        self._noise_scale = noise_scale
        self._phonemizer = phonemizer or EspeakLibrary()
        self._word_cache = WordPhonemeCache(word_cache_size)
        self._entries: dict[str, _Entry] | None = None
        self._loaded: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._voice_locks: dict[str, threading.Lock] = {}
        self._runs = run_bound(concurrency)

    # -- port ---------------------------------------------------------------------------------

    def check(self) -> None:
        entry = self._entry(None)
        self._voice(entry)

    def voices(self) -> list[Voice]:
        """Every voice; a voice whose model cannot be read or fails its hash is left out (its
        ``synthesize`` and ``check`` say why)."""
        listed = []
        for entry in self._catalogue().values():
            try:
                exact = self._prepare(entry).exact
            except Unavailable:
                continue
            listed.append(replace(entry.voice, timing="exact" if exact else "aligned"))
        return listed

    def problems(self) -> list[str]:
        """Why each voice that cannot load would not (hash mismatch, unreadable model)."""
        found = []
        for entry in self._catalogue().values():
            try:
                self._prepare(entry)
            except Unavailable as exc:
                found.append(exc.message)
        return found

    def phonemize(self, text: str, voice_id: str | None = None) -> list[PhonemizedWord]:
        entry = self._entry(voice_id)
        words = self._words(_check_text(text), entry)
        if words is None:
            raise Unavailable(f"voice {entry.voice.voice_id} has no espeak phonemizer")
        return [
            PhonemizedWord(text[w.char_start : w.char_end], w.char_start, w.char_end, w.phonemes)
            for w in words
            if w.phonemes
        ] or _no_word()

    def synthesize(self, request: SynthesisRequest) -> Speech:
        from piper import SynthesisConfig

        text = _check_text(request.text)
        options = request.options
        entry = self._entry(request.voice_id)
        speakers = entry.voice.speakers
        if options.speaker_id is not None and options.speaker_id >= speakers:
            raise Invalid(
                f"voice {entry.voice.voice_id} has {speakers} speaker(s): ids 0-{speakers - 1}",
                field="speaker_id",
            )
        voice = self._voice(entry)
        base_length = self._length_scale or voice.config.length_scale
        config = SynthesisConfig(
            speaker_id=options.speaker_id if speakers > 1 else None,
            length_scale=base_length / options.rate,
            noise_scale=self._noise_scale,
            noise_w_scale=self._noise_w_scale,
            volume=options.volume,
        )
        seed = options.seed if options.seed is not None else secrets.randbelow(2**31)
        spoken = piper_inference.synthesize(voice, text, config, seed)
        samples, sentences = spoken.samples, spoken.sentences
        if samples.size == 0:
            raise Invalid("text contains no speakable word", field="text")
        rate = entry.voice.sample_rate
        speech = Speech(samples, rate, entry.voice.voice_id)
        if sentences is None:
            return speech  # a model without durations: the aligner times it
        groups, total = spoken_groups(sentences)
        if total != samples.size:
            return speech  # durations that do not add up to the audio are no timings
        words = self._words(text, entry)
        if words is None:
            return speech
        phonemes, timed_words = timings(text, words, groups, rate, speech.duration)
        if not timed_words:
            return speech
        check_timings(phonemes, speech.duration)
        check_timings(timed_words, speech.duration)
        return Speech(samples, rate, speech.voice_id, phonemes, timed_words)

    # -- internals ----------------------------------------------------------------------------

    def _words(self, text: str, entry: _Entry) -> list[WordPhonemes] | None:
        """Each word with espeak's phonemes for it alone in the voice's language (the same for
        every occurrence, so cached); ``None`` when the voice is not espeak-phonemized or
        espeak lacks its language."""
        if entry.config.get("phoneme_type", "espeak") != "espeak":
            return None
        language = str(entry.config.get("espeak", {}).get("voice", "en-us"))
        offsets = text_words(text)
        spelled = [text[a:b] for a, b in offsets]
        cached = self._word_cache.get_many(language, spelled)
        learned: dict[str, str] = {}
        if None in cached:
            pending = (word for word, ipa in zip(spelled, cached, strict=True) if ipa is None)
            missing = list(dict.fromkeys(pending))  # each distinct uncached word once
            try:
                fresh = self._phonemizer.text_to_phonemes(missing, language, separator="_")
            except (LookupError, EspeakLoadError):
                return None
            learned = dict(zip(missing, fresh, strict=True))
            self._word_cache.put_many(language, list(learned.items()))
        return [
            word_phonemes(a, b, learned[word] if ipa is None else ipa)
            for (a, b), word, ipa in zip(offsets, spelled, cached, strict=True)
        ]

    def _catalogue(self) -> dict[str, _Entry]:
        with self._lock:
            if self._entries is None:
                entries: dict[str, _Entry] = {}
                for files in self._files:
                    entry = _read_entry(files)
                    if entry is not None:
                        entries.setdefault(entry.voice.voice_id, entry)
                self._entries = entries
            return self._entries

    def _entry(self, voice_id: str | None) -> _Entry:
        catalogue = self._catalogue()
        if not catalogue:
            raise Unavailable(
                "no Piper voice found: set PIPER_MODEL_PATH or put *.onnx + *.onnx.json in the "
                "voices folder (avatar voices download NAME)"
            )
        key = voice_id if voice_id is not None else self._default or next(iter(catalogue))
        entry = catalogue.get(key)
        if entry is None:
            raise unknown_voice(voice_id or key, catalogue)
        return entry

    def _prepare(self, entry: _Entry) -> PreparedModel:
        """The verified, prepared model of ``entry`` (hashed and patched once per process)."""
        voice_id = entry.voice.voice_id
        found = self._prepared.get(voice_id)
        if found is not None:
            return found
        with self._lock:
            lock = self._voice_locks.setdefault(voice_id, threading.Lock())
        with lock:
            found = self._prepared.get(voice_id)
            if found is None:
                digest = verified(entry.files, self._cache_dir)
                try:
                    found = prepared(entry.files, digest, self._cache_dir)
                except OSError:  # a read-only cache: patch in memory at load
                    found = PreparedModel(entry.files.model, False)
                self._prepared[voice_id] = found
            return found

    def _voice(self, entry: _Entry) -> Any:
        """The loaded ``PiperVoice`` (once per voice; other voices load in parallel); its
        model's hash is checked first."""
        voice_id = entry.voice.voice_id
        loaded = self._loaded.get(voice_id)
        if loaded is not None:
            return loaded
        ready = self._prepare(entry)
        with self._lock:
            lock = self._voice_locks.setdefault(voice_id, threading.Lock())
        with lock:
            loaded = self._loaded.get(voice_id)
            if loaded is None:
                import onnxruntime
                from piper import PiperVoice

                onnxruntime.set_default_logger_severity(3)  # errors only: not the seed input

                try:
                    loaded = PiperVoice.load(
                        ready.path, entry.files.config, include_alignments=not ready.exact
                    )
                except Exception as exc:  # onnxruntime raises its own error types
                    raise Unavailable(f"cannot load Piper voice {voice_id}: {exc}") from exc
                loaded.session = BoundedSession(loaded.session, self._runs)
                self._loaded[voice_id] = loaded
            return loaded


def _read_entry(files: VoiceModel) -> _Entry | None:
    model = files.model
    try:
        config = json.loads(files.config.read_text(encoding="utf-8"))
        rate = int(config["audio"]["sample_rate"])
        speakers = int(config.get("num_speakers", 1))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # not a usable voice; ``avatar doctor`` lists the voices that are
    language = config.get("language", {}).get("code") or config.get("espeak", {}).get("voice", "")
    name = config.get("dataset") or model.stem
    gender = files.gender or config.get("gender")
    quality = config.get("audio", {}).get("quality")
    voice = Voice(
        files.voice_id,
        str(name),
        str(language),
        "piper",
        rate,
        gender if gender in ("female", "male") else None,
        max(speakers, 1),
        neural=True,
        quality=str(quality) if quality else None,
        timing="aligned",
    )
    return _Entry(voice, files, config)


def _origin(path: Path, model_path: Path | None) -> str:
    if model_path is not None and model_path in (path, path.parent):
        return "PIPER_MODEL_PATH"
    return "the voices folder"


def _check_text(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise Invalid("text must contain at least one non-space character", field="text")
    if not text_words(text):
        _no_word()
    return text


def _no_word() -> Any:
    raise Invalid("text contains no speakable word", field="text")
