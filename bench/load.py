"""A bounded load test on loopback: ``python bench/load.py`` (``tox -e load``).

It starts a real ``avatar serve`` with the embedded defaults (the neural voice, the Node
renderer, SQLite, file blobs) in a temporary folder, with a deliberately small render pool (1
worker, 2 queued jobs), then drives ``ROUNDS`` rounds of ``CLIENTS`` concurrent clients, each making
``REQUESTS`` requests from a fixed mix: lip sync, state reads and writes, frame renders, asset
and audio downloads. The whole run stops at ``DEADLINE`` seconds whatever happens.

It fails (exit 1) when
- any response is a 5xx other than a 503 carrying ``Retry-After`` (deliberate shedding);
- the server's memory keeps growing after warm-up: the resident set size (the server plus
  its Node workers) after the last round may exceed the one after the first half of the
  rounds by at most ``RSS_SLACK_MB``, leaving out the largest single round's growth and what
  the frame cache (an LRU of encoded frames, at most 32 MB, read from ``/metrics``) took on.
  Before the first round, speech of all the texts at once, by every client together,
  fills the neural voice's onnxruntime arena (bounded by ``AVATAR_SPEECH__PIPER_CONCURRENCY``)
  to the most it will hold; the first half fills the other bounded caches (phonemes,
  prepared statements) and the allocators' arenas. glibc's heap can still step up once
  later (by 10-20 MB in some runs, flat after it). A leak grows with every round instead:
  the second half's 1,280 requests leaking 9 KB each cross the slack even with their
  largest round left out.
It prints p50/p95 latency per route and the RSS after every round.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import psutil

ROUNDS = int(os.environ.get("LOAD_ROUNDS", "8"))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "32"))
REQUESTS = int(os.environ.get("LOAD_REQUESTS", "10"))
"""Requests per client per round."""
DEADLINE = float(os.environ.get("LOAD_DEADLINE", "300"))
"""Seconds for the whole run: a bound against hangs, with room for a busy machine."""
RSS_SLACK_MB = 8.0
TEXTS = ["Hello there.", "How are you today?", "The quick brown fox.", "Load testing, again."]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(root: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{root / 'avatar.db'}",
        "ASSETS_DIR": str(root / "assets"),
        "AUDIOS_DIR": str(root / "audios"),
        "RENDERS_DIR": str(root / "renders"),
        "AVATAR_NODE_RENDERER__WORKERS": "1",
        "AVATAR_NODE_RENDERER__QUEUE": "2",
        "AVATAR_HTTP__RATE_PER_SECOND": "0",
        "AVATAR_LOG__LEVEL": "warning",
        # Two malloc arenas, as the README advises for production: with glibc's default (one
        # per busy thread) RSS can step up late in a run without any leak.
        "MALLOC_ARENA_MAX": "2",
    }
    command = [sys.executable, "-m", "avatar_service.entrypoints.cli", "serve", "--port", str(port)]
    return subprocess.Popen(command, env=env, cwd=root)


def _rss_mb(process: psutil.Process) -> tuple[float, float]:
    """Resident MB of the server process and of its children (the Node workers)."""
    children = 0
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):  # a worker being replaced
            children += child.memory_info().rss
    return process.memory_info().rss / 2**20, children / 2**20


class Run:
    """What one load run saw: latencies and status codes per route, and failures."""

    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.failures: list[str] = []

    def record(self, route: str, response: httpx.Response, seconds: float) -> None:
        self.latency[route].append(seconds)
        self.statuses[route][response.status_code] += 1
        code = response.status_code
        if code >= 500 and not (code == 503 and response.headers.get("retry-after")):
            self.failures.append(f"{route}: {code} {response.text[:200]}")


async def _setup(client: httpx.AsyncClient) -> dict[str, Any]:
    avatar = (await client.post("/v1/avatars", json={"name": "load"})).json()
    audio = (await client.post("/v1/lipsync", json={"text": "Setup."})).json()
    asset = os.urandom(256 * 1024)
    files = {"file": ("load.bin", asset, "application/octet-stream")}
    uploaded = await client.post("/v1/assets/upload", files=files)
    uploaded.raise_for_status()
    state = (await client.get(f"/v1/avatars/{avatar['avatar_id']}/state")).json()["state"]
    await _fill_speech_arena(client)
    return {"avatar_id": avatar["avatar_id"], "audio_url": audio["audio_url"], "state": state}


async def _fill_speech_arena(client: httpx.AsyncClient) -> None:
    """Speech of every text at once, ``CLIENTS`` times over: the neural voice's runs (at most
    ``AVATAR_SPEECH__PIPER_CONCURRENCY`` at once) bring onnxruntime's arena to the most it
    will ever hold for these texts, so its pages are not taken for the first time in a late
    round."""
    longest = " ".join(TEXTS)
    for _ in range(2):
        answers = await asyncio.gather(
            *(client.post("/v1/lipsync", json={"text": longest}) for _ in range(CLIENTS))
        )
        for answer in answers:
            answer.raise_for_status()


async def _one(
    client: httpx.AsyncClient, run: Run, known: dict[str, Any], rng: random.Random
) -> None:
    avatar_id = known["avatar_id"]
    route = rng.choice(["lipsync", "state_get", "state_put", "render", "asset", "audio"])
    started = time.perf_counter()
    if route == "lipsync":
        response = await client.post("/v1/lipsync", json={"text": rng.choice(TEXTS)})
    elif route == "state_get":
        response = await client.get(f"/v1/avatars/{avatar_id}/state")
    elif route == "state_put":
        state = {**known["state"], "hair_color": rng.choice(["#112233", "#aa3300"])}
        response = await client.put(f"/v1/avatars/{avatar_id}/state", json=state)
    elif route == "render":
        pose = {"viseme": rng.choice(["aa", "E", "oh", "sil"]), "blink": rng.random()}
        body = {"avatar_id": avatar_id, "width": 128, "height": 128, "pose": pose}
        response = await client.post("/v1/render", json=body)
    elif route == "asset":
        response = await client.get("/v1/assets/download", params={"name": "load.bin"})
    else:
        response = await client.get(known["audio_url"])
    run.record(route, response, time.perf_counter() - started)


async def _client(base: str, run: Run, known: dict[str, Any], seed: int) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for _ in range(REQUESTS):
            await _one(client, run, known, rng)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _drive(base: str, server: psutil.Process) -> tuple[Run, list[float], list[float], float]:
    """The rounds after the setup: what they saw, RSS and frame cache MB after each, and
    their seconds."""
    run, rss, frames = Run(), [], []
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        known = await _setup(client)
    started = time.perf_counter()
    for round_no in range(ROUNDS):
        clients = [_client(base, run, known, round_no * 1000 + i) for i in range(CLIENTS)]
        await asyncio.gather(*clients)
        own, workers = _rss_mb(server)
        rss.append(own + workers)
        frames.append(await _frame_cache_mb(base))
        print(
            f"round {round_no + 1}: {sum(map(len, run.latency.values()))} requests so far, "
            f"RSS {rss[-1]:.1f} MB (server {own:.1f}, workers {workers:.1f}; "
            f"frame cache {frames[-1]:.1f})",
            flush=True,
        )
    return run, rss, frames, time.perf_counter() - started


async def _frame_cache_mb(base: str) -> float:
    """MB of encoded frames the server's frame cache holds (``/metrics``)."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        text = (await client.get("/metrics")).text
    for line in text.splitlines():
        if line.startswith("avatar_render_pool_frame_cache_bytes "):
            return float(line.split()[1]) / 2**20
    raise SystemExit("/metrics has no avatar_render_pool_frame_cache_bytes")


def _wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/ready", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not become ready in 60 s")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="avatar-load-") as folder:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = _start(Path(folder), port)
        try:
            _wait_ready(base, server)
            run, rss, frames, elapsed = asyncio.run(
                asyncio.wait_for(_drive(base, psutil.Process(server.pid)), DEADLINE)
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    total = sum(map(len, run.latency.values()))
    print(
        f"\n{total} requests, {CLIENTS} clients x {REQUESTS} x {ROUNDS} rounds, "
        f"{elapsed:.1f} s ({total / elapsed:.0f} req/s)"
    )
    print(f"{'route':<10} {'n':>5} {'p50 ms':>8} {'p95 ms':>8}  statuses")
    for route in sorted(run.latency):
        values = run.latency[route]
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(run.statuses[route].items()))
        print(
            f"{route:<10} {len(values):>5} {_percentile(values, 0.5) * 1000:>8.1f} "
            f"{_percentile(values, 0.95) * 1000:>8.1f}  {statuses}"
        )
    print("RSS after each round (MB): " + ", ".join(f"{v:.1f}" for v in rss))
    print("frame cache after each round (MB): " + ", ".join(f"{v:.1f}" for v in frames))
    half = max(0, len(rss) // 2 - 1)  # after the first half of the rounds
    step = max([0.0] + [b - a for a, b in zip(rss[half:], rss[half + 1 :], strict=False)])
    allowed = rss[half] + RSS_SLACK_MB + step + max(0.0, frames[-1] - frames[half])
    ok = True
    if run.failures:
        ok = False
        print(f"FAIL: {len(run.failures)} server errors besides 503 shedding, e.g.:")
        for failure in run.failures[:5]:
            print("  " + failure)
    if rss[-1] > allowed:
        ok = False
        print(
            f"FAIL: RSS grew to {rss[-1]:.1f} MB after warm-up (allowed {allowed:.1f} MB: "
            f"{RSS_SLACK_MB:.0f} over {rss[half]:.1f}, its largest round {step:.1f}, frames)"
        )
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
