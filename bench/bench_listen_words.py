"""The live delay of ``/v1/lipsync/listen`` while a client sends word times, as a voice agent
does after each thing it says: 60 s of the truth corpus' held-out clips (clean, 16 kHz, 0.25 s
apart) streamed in 20 ms chunks in real time to a real server on loopback, and every
``EVERY`` seconds a ``words`` message with the true times of the words of the clips heard
since the last one, sent ``LATE`` after its last word. Each such message has the server
recognise that stretch again; the chunks that arrive meanwhile must still be answered at once.
The same stream without word times runs first, in the same run, as the baseline. The delay is
from the arrival of the chunk holding a cue's start to the first event with that start (the
answers to the words messages, which re-send their stretch and the cues after it, are not
counted).

    python bench/run.py listen_words
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from avatar_service.contracts.truth_corpus import truth_clips

sys.path.insert(0, str(Path(__file__).parent))
from bench_recognise import serve, stream_in_real_time
from stats import percentile

RATE = 16000
SECONDS = 60.0
EVERY = 30.0
"""Seconds of stream a ``words`` message covers (the clips heard since the previous one)."""
LATE = 0.5
"""Seconds after its last word that a ``words`` message is sent: the next sentence has begun,
as when an agent reports what it said while it goes on speaking."""


def stream() -> tuple[np.ndarray, list[tuple[float, list[dict[str, Any]]]]]:
    """The audio, and the ``words`` messages to send: (when, in stream seconds; the words)."""
    pieces: list[np.ndarray] = []
    words: list[dict[str, Any]] = []
    at = 0.0
    for clip in truth_clips("heldout"):
        if clip.sample_rate != RATE or clip.condition.snr_db is not None:
            continue
        if at + clip.duration > SECONDS:
            break
        pieces += [clip.samples, np.zeros(RATE // 4, np.float32)]
        words += [
            {"word": w.text, "start": round(at + w.onset, 4), "end": round(at + w.end, 4)}
            for w in clip.words
        ]
        at += clip.duration + 0.25
    messages: list[tuple[float, list[dict[str, Any]]]] = []
    sent = 0.0
    for when in np.arange(EVERY, at + EVERY, EVERY):
        due = min(float(when), at - LATE)
        block = [w for w in words if sent <= w["start"] and w["end"] <= due]
        if block:
            messages.append((block[-1]["end"] + LATE, block))
            sent = block[-1]["end"]
    return np.concatenate(pieces), messages


def run(address: str, audio: np.ndarray, messages: list[tuple[float, Any]]) -> list[float]:
    """Stream ``audio`` in real time, sending ``messages`` when the stream reaches them: the
    delay of each cue start the first time it is sent (a correction that moves a cue counts;
    the answers to words messages do not)."""
    pending = list(messages)

    def words_due(ws: Any, index: int) -> None:
        if pending and (index + 1) * 0.02 >= pending[0][0]:
            ws.send(json.dumps({"type": "words", "words": pending.pop(0)[1]}))

    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    arrivals, events = stream_in_real_time(address, pcm, words_due)
    delays = []
    seen: set[float] = set()
    for received, message in _live_cues(events):
        start = float(message["start"])
        if start in seen:
            continue  # a cue sent again
        seen.add(start)
        index = min(len(arrivals) - 1, int(start / 0.02))
        delays.append(received - arrivals[index])
    errors = [m for _, m in events if m["type"] == "error"]
    assert not errors, errors
    corrected = sum(1 for _, m in events if m.get("corrected"))
    words = sum(1 for _, m in events if m["type"] == "word")
    print(
        f"{len(delays)} cues, {corrected} corrections, {words} words: delay p50 "
        f"{percentile(delays, 0.5) * 1e3:.0f} ms, p95 {percentile(delays, 0.95) * 1e3:.0f} ms, "
        f"max {max(delays) * 1e3:.0f} ms; {sum(d > 0.25 for d in delays)} over 250 ms"
    )
    return delays


def _live_cues(events: list[tuple[float, dict[str, Any]]]) -> list[tuple[float, dict[str, Any]]]:
    """The viseme events that are not a words message's answer (its cues come in one update,
    all with one ``heard``, right before its words)."""
    answer: set[int] = set()
    for index, (_, message) in enumerate(events):
        if message["type"] == "word" and events[index - 1][1]["type"] == "viseme":
            heard = events[index - 1][1]["heard"]
            back = index - 1
            while back >= 0 and events[back][1].get("heard") == heard:
                answer.add(back)
                back -= 1
    return [e for i, e in enumerate(events) if e[1]["type"] == "viseme" and i not in answer]


def main() -> int:
    audio, messages = stream()
    address, _server = serve("phonenet")
    print(
        f"{len(audio) / RATE:.1f} s in 20 ms chunks, real time; {len(messages)} words messages "
        f"of {min(len(m) for _, m in messages)}-{max(len(m) for _, m in messages)} words"
    )
    print("\n-- without word times (baseline)")
    run(address, audio, [])
    print(f"\n-- with word times every {EVERY:g} s, each sent {LATE:g} s after its last word")
    run(address, audio, messages)
    print("\ntarget: p50 <= 150 ms, p95 <= 250 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
