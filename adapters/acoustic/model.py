"""The phone model: per 5 ms frame of 16 kHz audio, log posteriors of each English phone.

``phonenet.onnx`` (a stack of dilated 1-D convolutions, trained on speech with exact phone
times by ``training/phonenet``) runs on onnxruntime; ``phonenet.json`` beside it holds its
phone inventory, look-ahead and history (in frames) and the model's sha256, checked before
loading; ``phone_loop.npz`` the phone bigram and feature prior of the live recogniser. Long
audio runs in overlapping chunks with the same result as one run.
"""

from __future__ import annotations

import hashlib
import json
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from avatar_service.adapters.acoustic import features
from avatar_service.adapters.bounded_runs import BoundedSession, run_bound
from avatar_service.core.errors import Unavailable

MODEL_DIR = Path(__file__).parent
SILENCE = "sil"
CHUNK_FRAMES = 6000
"""Frames per model run (30 s): memory stays bounded whatever the audio's length."""
LogPosteriors = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class ModelInfo:
    inventory: tuple[str, ...]
    lookahead_frames: int
    history_frames: int
    sha256: str


LIVE = "phonenet"
"""The model that looks 95 ms ahead: live streams."""
WIDE = "phonenet_wide"
"""The model that looks 195 ms ahead: forced alignment and recognition of whole recordings."""


def load_info(directory: Path = MODEL_DIR, name: str = LIVE) -> ModelInfo:
    meta = json.loads((directory / f"{name}.json").read_text("utf-8"))
    return ModelInfo(
        tuple(meta["inventory"]),
        int(meta["lookahead_frames"]),
        int(meta["history_frames"]),
        str(meta["sha256"]),
    )


@dataclass(frozen=True, slots=True)
class LoopData:
    """``bigram``: ``(classes, classes)`` log probabilities of the next phone; ``feature_mean``
    and ``feature_scale``: where a live stream's feature normalisation starts."""

    bigram: npt.NDArray[np.float32]
    feature_mean: npt.NDArray[np.float32]
    feature_scale: float


class PhoneModel:
    """The model ``name`` (``LIVE`` or ``WIDE``) in ``directory``, loaded on first use
    (thread-safe); ``threads`` onnxruntime intra-op threads; at most ``concurrency`` runs at
    once (``None``: twice the CPU cores), more wait: each holds up to tens of MB of
    activations, and onnxruntime keeps the most ever held."""

    def __init__(
        self,
        directory: Path = MODEL_DIR,
        threads: int = 1,
        name: str = LIVE,
        concurrency: int | None = None,
    ) -> None:
        self._runs = run_bound(concurrency)
        self._directory = directory
        self._name = name
        self._threads = threads
        self.info = load_info(directory, name)
        self._index = {symbol: i for i, symbol in enumerate(self.info.inventory)}
        self._session: Any = None
        self._loop: LoopData | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        with self._lock:
            if self._session is None:
                path = self._directory / f"{self._name}.onnx"
                data = path.read_bytes()
                if hashlib.sha256(data).hexdigest() != self.info.sha256:
                    raise Unavailable(f"{path} does not match its recorded sha256; reinstall")
                import onnxruntime

                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = self._threads
                options.inter_op_num_threads = 1
                session = onnxruntime.InferenceSession(
                    data, sess_options=options, providers=["CPUExecutionProvider"]
                )
                self._session = BoundedSession(session, self._runs)
            return self._session

    def check(self) -> None:
        self._loaded()

    def loop_data(self) -> LoopData:
        """The phone bigram and the live feature prior (``phone_loop.npz``), loaded once."""
        if self._loop is None:
            with np.load(self._directory / "phone_loop.npz", allow_pickle=False) as data:
                classes = len(self.info.inventory)
                bigram = np.asarray(data["bigram"], np.float32)
                if bigram.shape != (classes, classes):
                    raise Unavailable(f"phone_loop.npz has a {bigram.shape} bigram, not {classes}")
                self._loop = LoopData(
                    bigram,
                    np.asarray(data["feature_mean"], np.float32),
                    float(data["feature_scale"]),
                )
        return self._loop

    def class_of(self, symbol: str) -> int | None:
        """The inventory index for an IPA phone, trying it without length and diacritic marks
        and then its first letter; ``None`` when the model has no such phone."""
        if symbol in self._index:
            return self._index[symbol]
        bare = "".join(
            c
            for c in unicodedata.normalize("NFD", symbol)
            if unicodedata.category(c) not in ("Lm", "Mn", "Sk")
        )
        for candidate in (unicodedata.normalize("NFC", bare), bare[:2], bare[:1]):
            if candidate in self._index:
                return self._index[candidate]
        return None

    def run(self, feats: npt.NDArray[np.float32]) -> LogPosteriors:
        """``(frames, classes)`` log posteriors for normalised ``(frames, MELS)`` features."""
        session = self._loaded()
        total = feats.shape[0]
        before, after = self.info.history_frames, self.info.lookahead_frames
        parts: list[LogPosteriors] = []
        for start in range(0, max(total, 1), CHUNK_FRAMES):
            stop = min(total, start + CHUNK_FRAMES)
            lo, hi = max(0, start - before), min(total, stop + after)
            window = np.ascontiguousarray(feats[lo:hi].T[None], dtype=np.float32)
            (out,) = session.run(None, {"features": window})
            parts.append(np.asarray(out[0].T[start - lo : stop - lo], np.float32))
        if not parts:
            return np.zeros((0, len(self.info.inventory)), np.float32)
        return np.concatenate(parts)

    def posteriors(self, audio16k: npt.NDArray[np.floating]) -> LogPosteriors:
        """Log posteriors of 16 kHz ``audio16k``, one row per ``features.FRAME_SECONDS``."""
        return self.run(features.normalise(features.log_mel(audio16k)))


_SHARED: dict[tuple[str, int | None], PhoneModel] = {}
_SHARED_LOCK = threading.Lock()


def shared_model(name: str = LIVE, concurrency: int | None = None) -> PhoneModel:
    """The process's one shipped model ``name`` with that bound: the aligner and the
    recogniser read recordings with the same ``WIDE`` model, loaded and bounded once."""
    with _SHARED_LOCK:
        key = (name, concurrency)
        if key not in _SHARED:
            _SHARED[key] = PhoneModel(name=name, concurrency=concurrency)
        return _SHARED[key]
