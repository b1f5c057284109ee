"""``PiperVoice.synthesize`` with alignments, step by step through piper-tts' public methods.

The same phonemization (``PiperVoice.phonemize``), phoneme ids and onnxruntime run (the inputs
of ``phoneme_ids_to_audio``, plus the ``seed`` of models whose noise is seeded) and the same
sample values (peak-normalised, scaled by the volume,
clipped to [-1, 1] as float32), without what the adapter does not use: per-chunk copies of the
audio and the per-phoneme Python summing of piper-tts' ``phoneme_alignments`` (the samples of
each phoneme come from one cumulative sum here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from avatar_service.adapters.tts.piper_noise import SEED_INPUT
from avatar_service.core.speech import FloatArray

BOS, EOS, PAD = "^", "$", "_"  # piper-tts' sentence start, end and padding symbols


@dataclass(frozen=True, slots=True)
class PiperAudio:
    """Audio of a text and, when the model gives durations, each sentence's phonemes as
    ``(phoneme, samples)`` from ``BOS`` (with its padding) to ``EOS``, as piper-tts' own
    ``phoneme_alignments``; their samples add up to the sentence's audio."""

    samples: FloatArray
    sentences: list[list[tuple[str, int]]] | None


def synthesize(voice: Any, text: str, config: Any, seed: int | None = None) -> PiperAudio:
    """``voice`` (a ``PiperVoice``) speaking ``text`` with ``config`` (a ``SynthesisConfig``);
    ``seed`` feeds a model with seeded noise (``piper_noise``), sentence ``k`` with ``seed +
    k``; other models ignore it."""
    chunks: list[FloatArray] = []
    sentences: list[list[tuple[str, int]]] | None = []
    seeded = seed is not None and SEED_INPUT in _inputs(voice.session)
    for number, phonemes in enumerate(voice.phonemize(text)):
        if not phonemes:
            continue
        ids = voice.phonemes_to_ids(phonemes)
        if seeded:
            assert seed is not None
            audio, id_samples = _run(voice, ids, config, (seed + number) % 2**31)
        else:
            audio, id_samples = voice.phoneme_ids_to_audio(ids, config, include_alignments=True)
        chunks.append(_finished(audio, config.normalize_audio, config.volume))
        if sentences is not None:
            aligned = _aligned(phonemes, voice.config.phoneme_id_map, id_samples, len(ids))
            sentences = None if aligned is None else [*sentences, aligned]
    if len(chunks) == 1:
        return PiperAudio(chunks[0], sentences)
    samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    return PiperAudio(samples, sentences)


def _inputs(session: Any) -> frozenset[str]:
    """Every input the session takes, overridable initializers (the seed) included."""
    names = [i.name for i in session.get_inputs()]
    names += [i.name for i in session.get_overridable_initializers()]
    return frozenset(names)


def _run(
    voice: Any, ids: list[int], config: Any, seed: int
) -> tuple[Any, npt.NDArray[np.int64] | None]:
    """``PiperVoice.phoneme_ids_to_audio(..., include_alignments=True)`` with the seed."""
    own = voice.config
    scales = np.array(
        [
            own.noise_scale if config.noise_scale is None else config.noise_scale,
            own.length_scale if config.length_scale is None else config.length_scale,
            own.noise_w_scale if config.noise_w_scale is None else config.noise_w_scale,
        ],
        dtype=np.float32,
    )
    args = {
        "input": np.array([ids], dtype=np.int64),
        "input_lengths": np.array([len(ids)], dtype=np.int64),
        "scales": scales,
        SEED_INPUT: np.array([seed], dtype=np.int64),
    }
    if own.num_speakers > 1:
        speaker = own.default_speaker_id if config.speaker_id is None else config.speaker_id
        args["sid"] = np.array([speaker], dtype=np.int64)
    result = voice.session.run(None, args)
    audio = result[0].squeeze()
    if len(result) == 1:
        return audio, None
    return audio, (result[1].squeeze() * own.hop_length).astype(np.int64)


def _finished(audio: Any, normalize: bool, volume: float) -> FloatArray:
    """piper-tts' finishing of a chunk, in place: ``audio / peak``, ``* volume``, clipped."""
    out: FloatArray = np.array(audio, np.float32, copy=None).reshape(-1)
    if not out.flags.writeable:
        out = out.copy()
    if normalize and out.size:
        peak = max(out.max(), -out.min())
        if peak < 1e-8:
            out[:] = 0.0
        else:
            np.divide(out, peak, out=out)
    if volume != 1.0:
        np.multiply(out, volume, out=out)
    np.clip(out, -1.0, 1.0, out=out)
    return out


def _aligned(
    phonemes: list[str],
    id_map: Any,
    id_samples: npt.NDArray[np.int64] | None,
    id_count: int,
) -> list[tuple[str, int]] | None:
    """Samples per phoneme (with the padding after it) from samples per phoneme id; ``None``
    when the model gives no durations. Phonemes missing from the id map were not spoken."""
    if id_samples is None or len(id_samples) != id_count:
        return None
    pad = len(id_map.get(PAD, ()))
    spoken = [BOS, *(p for p in phonemes if p in id_map), EOS]
    widths = [len(id_map.get(p, ())) + pad for p in spoken]
    widths[-1] -= pad  # no padding after EOS
    ends = np.cumsum(widths)
    if int(ends[-1]) != id_count:
        return None
    running = np.concatenate(([0], np.cumsum(id_samples, dtype=np.int64)))
    starts = np.concatenate(([0], ends[:-1]))
    counts = (running[ends] - running[starts]).tolist()
    return list(zip(spoken, counts, strict=True))
