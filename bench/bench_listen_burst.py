"""A burst on ``/v1/lipsync/listen``: minutes of audio sent at once in 20 ms chunks (a client
sending a file through the stream, or a network catching up after a stall) to a real server on
loopback, and how long the server takes to answer the last of it. Chunks that arrive together
are recognised in batches of up to ``BATCH_SECONDS``; the same burst with batches of one chunk
(``BATCH_SECONDS = 0``, the socket before batching) runs second, as the baseline. A connection
that falls too far behind misses the server's keepalive ping and is closed (1011).

    python bench/run.py listen_burst
    python bench/bench_listen_burst.py 600      # seconds of audio (default 300)
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from avatar_service.entrypoints.http.controllers import listen

sys.path.insert(0, str(Path(__file__).parent))
from bench_recognise import serve

HUMAN = Path(__file__).parents[1] / "tests" / "fixtures" / "human" / "austen-0870.wav"


def burst(address: str, pcm: np.ndarray, rate: int) -> tuple[float, dict[str, Any], float]:
    """Seconds from the first chunk sent to the last event, that event, and the seconds of
    audio the server had answered by then (the latest ``heard``)."""
    from websockets.sync.client import connect

    events: list[dict[str, Any]] = []
    step = rate // 50
    with connect(f"ws://{address}/v1/lipsync/listen", max_size=None) as ws:
        ws.send(json.dumps({"type": "start", "sample_rate": rate, "viseme_set": "rhubarb"}))
        ws.recv()

        def read() -> None:
            while True:
                try:
                    event = json.loads(ws.recv())
                except Exception as exc:  # the server closed the connection
                    events.append({"type": "closed", "reason": str(exc)})
                    return
                events.append(event)
                if event["type"] == "end":
                    return

        reader = threading.Thread(target=read)
        reader.start()
        started = time.perf_counter()
        try:
            for start in range(0, len(pcm), step):
                ws.send(pcm[start : start + step].tobytes())
            ws.send(json.dumps({"type": "end"}))
        except Exception:  # closed under the sender
            pass
        reader.join()
        took = time.perf_counter() - started
    heard = max((e.get("heard", e.get("duration", 0.0)) for e in events), default=0.0)
    return took, events[-1], heard


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 300.0
    samples, rate = soundfile.read(HUMAN, dtype="int16")
    pcm = np.tile(samples, int(seconds * rate / len(samples)) + 1)[: int(seconds * rate)]
    address, server = serve("phonenet")
    batched = listen.BATCH_SECONDS
    for label, batch in (("batches", batched), ("one chunk at a time", 0.0)):
        listen.BATCH_SECONDS = batch
        took, last, heard = burst(address, pcm, rate)
        outcome = "ended" if last["type"] == "end" else f"closed ({last.get('reason')})"
        print(
            f"{seconds:.0f} s sent at once, {label} (BATCH_SECONDS = {batch:g}): {outcome} "
            f"after {took:.1f} s, {heard:.0f} s of audio answered: {heard / took:.0f} times "
            "real time"
        )
    listen.BATCH_SECONDS = batched
    server.should_exit = True  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    sys.exit(main())
