"""A long live stream (``/v1/lipsync/listen``'s session, in process): CPU per 20 ms chunk,
minute by minute, over a 5-minute stream of the truth corpus' held-out clips (0.4 s apart).

A stream may last ``AVATAR_LIMITS__MAX_RECORDING_SECONDS`` (600 s); a chunk whose work grew
with the stream's length would fall behind real time once it took 20 ms. Both recognisers
report the phones after their final ones only (``HeardPhones.since``), and the session works
on the cues after its final ones only, so the cost per chunk should stay flat.

    python bench/run.py listen_long
    python bench/bench_listen_long.py phonenet 600     # one recogniser, seconds of audio
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

from avatar_service.adapters.recognizer.phonenet_phones import PhoneNetRecognizer
from avatar_service.adapters.recognizer.pocketsphinx_phones import PocketsphinxRecognizer
from avatar_service.contracts.truth_corpus import truth_clips
from avatar_service.core.ports import StreamingRecognizer
from avatar_service.core.speech import Alignment, FloatArray
from avatar_service.core.usecases.listening import ListenSession

RATE = 16000
CHUNK = RATE // 50
RECOGNIZERS = {"phonenet": PhoneNetRecognizer, "pocketsphinx": PocketsphinxRecognizer}


def _take(seconds: float) -> FloatArray:
    pause = np.zeros(int(0.4 * RATE), np.float32)
    pieces = [
        piece
        for clip in truth_clips("heldout")
        if clip.sample_rate == RATE and clip.condition.snr_db is None
        for piece in (clip.samples, pause)
    ]
    once = np.concatenate(pieces)
    repeats = int(seconds * RATE // len(once)) + 1
    return np.concatenate([once] * repeats)[: int(seconds * RATE)]


def _unused(samples: FloatArray, rate: int, text: str) -> Alignment:
    raise AssertionError("no transcript is sent")


def run(name: str, recognizer: StreamingRecognizer, take: FloatArray) -> None:
    session = ListenSession(
        recognizer.open_stream(RATE), RATE, "rhubarb", _unused, max_seconds=len(take) / RATE
    )
    costs = []
    for start in range(0, len(take), CHUNK):
        begun = time.thread_time()
        session.feed(take[start : start + CHUNK])
        costs.append(time.thread_time() - begun)
    session.close()
    per_minute = 60 * RATE // CHUNK
    medians = [
        statistics.median(costs[m : m + per_minute]) for m in range(0, len(costs), per_minute)
    ]
    minutes = "  ".join(f"{i + 1}: {m * 1e3:.2f}" for i, m in enumerate(medians))
    print(f"{name:<13} CPU ms per 20 ms chunk, median by minute  {minutes}")
    print(
        f"{'':<13} last minute / first {medians[-1] / medians[0]:.2f}; p95 over the stream "
        f"{sorted(costs)[int(0.95 * len(costs))] * 1e3:.2f} ms, max {max(costs) * 1e3:.1f} ms"
    )


def main() -> int:
    names = [a for a in sys.argv[1:] if a in RECOGNIZERS] or list(RECOGNIZERS)
    numbers = [float(a) for a in sys.argv[1:] if a.replace(".", "", 1).isdigit()]
    take = _take(numbers[0] if numbers else 300.0)
    print(f"-- a {len(take) / RATE:.0f} s live stream in 20 ms chunks (no network)")
    for name in names:
        run(name, RECOGNIZERS[name](), take)
    print("target: flat; well under 20 ms per chunk (real time) in every minute")
    return 0


if __name__ == "__main__":
    sys.exit(main())
