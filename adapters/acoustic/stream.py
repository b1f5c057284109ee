"""The phone model over live audio: 16 kHz samples in, log posteriors out as soon as the
model's look-ahead allows (``lookahead_frames`` x 5 ms behind the audio).

Features are normalised with the statistics of the stream so far (per-band mean, one overall
scale), blended with a prior worth ``PRIOR_FRAMES`` frames (the training corpus' typical
statistics), each frame once, when it is made: nothing already sent changes later.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from avatar_service.adapters.acoustic import features
from avatar_service.adapters.acoustic.model import LogPosteriors, PhoneModel

HALF = features.WINDOW // 2
PRIOR_FRAMES = 100
"""The prior statistics weigh as much as this many frames (0.5 s) of the stream's own."""


class PosteriorStream:
    """Feed 16 kHz float audio with ``push``; each call returns the new rows of log
    posteriors (possibly none)."""

    def __init__(self, model: PhoneModel) -> None:
        self._model = model
        self._audio = np.zeros(HALF, np.float32)  # the centred first frame's zero half-window
        self._audio_start = 0  # sample index (in padded audio) of ``_audio[0]``
        self._feats: list[npt.NDArray[np.float32]] = []  # normalised frames, oldest dropped
        self._feats_start = 0  # frame index of ``_feats[0]``
        self._made = 0  # frames made
        self._sent = 0  # frames whose posteriors were returned
        prior = model.loop_data()
        mean = prior.feature_mean.astype(np.float64)
        self._sum = mean * PRIOR_FRAMES
        self._squares = (mean**2 + prior.feature_scale**2) * PRIOR_FRAMES

    def push(self, audio16: npt.NDArray[np.floating]) -> LogPosteriors:
        chunk = np.asarray(audio16, np.float32).reshape(-1)
        self._audio = np.concatenate([self._audio, chunk])
        available = self._audio_start + self._audio.size  # padded samples so far
        ready = max(0, (available - features.WINDOW) // features.HOP + 1)  # frames computable
        if ready > self._made:
            self._make(ready)
        return self._run()

    def _make(self, ready: int) -> None:
        first = self._made
        offset = first * features.HOP - self._audio_start
        raw = features.log_mel_of_padded(self._audio[offset:], ready - first)
        for row in raw:
            self._sum += row
            self._squares += row.astype(np.float64) ** 2
            count = self._made + 1 + PRIOR_FRAMES
            mean = self._sum / count
            variance = float(np.mean(self._squares / count - mean**2))
            scale = np.sqrt(variance) if variance > 1e-8 else 1.0
            self._feats.append(((row - mean) / scale).astype(np.float32))
            self._made += 1
        keep_from = ready * features.HOP - self._audio_start
        self._audio = self._audio[keep_from:]
        self._audio_start += keep_from

    def _run(self) -> LogPosteriors:
        info = self._model.info
        upto = self._made - info.lookahead_frames
        if upto <= self._sent:
            return np.zeros((0, len(info.inventory)), np.float32)
        lo = max(self._feats_start, self._sent - info.history_frames)
        window = np.stack(self._feats[lo - self._feats_start : self._made - self._feats_start])
        rows = self._model.run(window)[self._sent - lo : upto - lo]
        self._sent = upto
        drop = max(0, self._sent - info.history_frames - self._feats_start)
        if drop:
            del self._feats[:drop]
            self._feats_start += drop
        return rows
