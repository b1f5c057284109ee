"""The phone model's runs are bounded: memory stays fixed however many requests align or
recognise at once (onnxruntime's arena keeps the most activations ever held)."""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from support import count_onnx_runs

from avatar_service.adapters.acoustic.model import WIDE, PhoneModel
from avatar_service.adapters.aligner.phonenet import PhoneNetAligner
from avatar_service.adapters.recognizer.phonenet_phones import PhoneNetRecognizer
from avatar_service.core.speech import TranscriptMismatch


def test_runs_at_once_never_exceed_the_concurrency(monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight threads on one model with ``concurrency=2``: never more than two runs at once,
    and two do run together."""
    most_at_once = count_onnx_runs(monkeypatch)
    model = PhoneModel(name=WIDE, concurrency=2)
    audio = np.random.default_rng(3).normal(0, 0.1, 8000).astype(np.float32)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: model.posteriors(audio), range(8)))
    assert all(r.shape == results[0].shape for r in results)
    assert most_at_once() == 2


def test_the_aligner_and_the_recogniser_read_recordings_with_one_bounded_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Four alignments and four recognitions at once, both adapters built with
    ``concurrency=2``: never more than two runs of the model at once."""
    most_at_once = count_onnx_runs(monkeypatch)
    aligner = PhoneNetAligner(concurrency=2)
    recognizer = PhoneNetRecognizer(concurrency=2)
    audio = np.random.default_rng(5).normal(0, 0.1, 16000).astype(np.float32)

    def align(_: int) -> None:
        with contextlib.suppress(TranscriptMismatch):
            aligner.align(audio, 16000, "one two")

    def recognise(_: int) -> None:
        recognizer.recognize(audio, 16000)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda k: (align if k % 2 else recognise)(k), range(8)))
    assert most_at_once() == 2


def test_a_concurrency_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        PhoneModel(concurrency=0)
