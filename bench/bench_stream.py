"""Streaming lip sync: time to first audio and to the end of a 10-sentence paragraph over the
WebSocket, on the espeak voice and on the neural voice installed with the project (joe),
against the whole paragraph through ``/v1/lipsync/preview``.

The server is ``uvicorn`` in its own process (in-memory store and blobs, so the figure is
speech, not storage); the client is the ``websockets`` synchronous client. Targets: first
audio within 100 ms on espeak, 150 ms on joe. Printed, not asserted.

    python bench/bench_stream.py [espeak] [joe]
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from websockets.sync.client import ClientConnection, connect

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from stats import percentile, summary  # noqa: E402

PARAGRAPH = (
    "The quick brown fox jumps over the lazy dog. Please call me back when you have a moment. "
    "We could talk about the plan for the office on Monday morning. She sells sea shells by "
    "the sea shore. The weather has been lovely all week, apart from Tuesday. I would like a "
    "cup of tea with milk and no sugar. Our train leaves at half past nine from platform four. "
    "Remember to water the plants before you go. The library closes early on Saturdays. "
    "Thank you for listening, and have a wonderful day."
)  # 10 sentences
RUNS, WARMUP = 30, 3
VOICES = {  # name: (voice id, AVATAR_TTS, target first audio in seconds, runs, whole paragraph)
    "espeak": ("en-us", "espeak", 0.100, RUNS, True),
    # joe: first audio only (the utterance is cancelled after it), so a loaded machine can run it
    "joe": ("en_US-joe-medium", "auto", 0.150, 24, False),
}


@contextmanager
def server(tts: str) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVATAR_")}
    env.update(
        AVATAR_TTS=tts,
        AVATAR_ALIGNER="engine",
        AVATAR_RENDERER="mock",
        AVATAR_STORE="memory",
        AVATAR_BLOBS="memory",
        AVATAR_LOG__LEVEL="warning",
    )
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "avatar_service.entrypoints.http.app:app_from_environment",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env)
    base = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(f"http://{base}/ready", timeout=30).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def utterance(
    ws: ClientConnection, run: int, voice: str, whole: bool = True
) -> tuple[float, float, float, int]:
    """Seconds to the first audio frame and to ``end``; audio seconds; audio frames. Not
    ``whole``: cancelled after the first audio (end and audio seconds are then 0)."""
    message = {"text": PARAGRAPH, "voice": voice, "utterance_id": f"b{run}"}
    started = time.perf_counter()
    ws.send(json.dumps(message))
    first = None
    frames = 0
    while True:
        data = ws.recv()
        if isinstance(data, bytes):
            frames += 1
            if first is None:
                first = time.perf_counter() - started
                if not whole:
                    ws.send(json.dumps({"type": "cancel", "utterance_id": f"b{run}"}))
            continue
        event = json.loads(data)
        if event["type"] == "cancelled":
            assert first is not None
            return first, 0.0, 0.0, frames
        if event["type"] == "error":
            raise SystemExit(f"the server refused the paragraph: {event}")
        if event["type"] == "end":
            assert first is not None
            return first, time.perf_counter() - started, float(event["duration"]), frames


def bench(name: str) -> None:
    voice, tts, target, runs, whole_paragraph = VOICES[name]
    with server(tts) as base:
        with connect(f"ws://{base}/v1/lipsync/stream", max_size=2**24) as ws:
            for run in range(WARMUP):
                utterance(ws, -run - 1, voice, whole_paragraph)
            results = [utterance(ws, run, voice, whole_paragraph) for run in range(runs)]
        if not whole_paragraph:
            first = [r[0] for r in results]
            verdict = "met" if statistics.median(first) <= target else "MISSED"
            print(f"{name} ({voice}) paragraph: 10 sentences, {len(PARAGRAPH)} chars")
            print(summary("stream time to first audio", first))
            print(f"target first audio <= {target * 1e3:.0f} ms: {verdict}")
            return
        with httpx.Client(base_url=f"http://{base}", timeout=120) as client:
            body = {"text": PARAGRAPH, "voice": voice}
            for _ in range(WARMUP):
                client.post("/v1/lipsync/preview", json=body).raise_for_status()
            whole = []
            for _ in range(runs):
                started = time.perf_counter()
                client.post("/v1/lipsync/preview", json=body).raise_for_status()
                whole.append(time.perf_counter() - started)
    first = [r[0] for r in results]
    total = [r[1] for r in results]
    audio, frames = results[0][2], results[0][3]
    print(
        f"{name} ({voice}) paragraph: 10 sentences, {len(PARAGRAPH)} chars, {audio:.2f} s of "
        f"audio, {frames} chunks"
    )
    print(summary("stream time to first audio", first))
    print(summary("stream time to end of paragraph", total))
    print(summary("/v1/lipsync/preview, whole paragraph (not streamed)", whole))
    median_first = statistics.median(first)
    verdict = "met" if median_first <= target else "MISSED"
    print(
        f"target first audio <= {target * 1e3:.0f} ms: {verdict}; first audio comes "
        f"{statistics.median(whole) / median_first:.1f}x sooner than the unstreamed paragraph; "
        f"p95 first audio {percentile(first, 0.95) * 1e3:.1f} ms; "
        f"real-time factor of the stream {statistics.median(total) / audio:.3f}"
    )


def main() -> None:
    chosen = [a for a in sys.argv[1:] if a in VOICES] or list(VOICES)
    for index, name in enumerate(chosen):
        if index:
            print()
        bench(name)


if __name__ == "__main__":
    main()
