"""Store benchmarks.

1. ``GET /v1/avatars/{id}/state`` over real HTTP: one uvicorn worker, SQLite store, mock
   adapters; beside a bare Litestar endpoint returning the same body, served the same way in
   the same run. A small keep-alive asyncio client drives both (bounded request count).
   Targets: >= 1,500 req/s and >= 40% of the bare endpoint.
2. Create-avatar throughput through the use case on SQLite and PostgreSQL (a throwaway
   database on ``AVATAR_TEST_POSTGRES_URL``, default 127.0.0.1:5432), beside the memory store.

The client shares the machine's cores with the server, so absolute figures are a floor.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from stats import percentile

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "4000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
WARMUP = 300
ROUNDS = 5
LOG_LEVEL = os.environ.get("BENCH_LOG_LEVEL", "warning")
"""``BENCH_LOG_LEVEL=info`` includes writing the JSON access line of every request (to a file)."""
STORE = os.environ.get("BENCH_STORE", "sqlmodel")
"""``BENCH_STORE=memory`` measures the same app without a database (framework ceiling)."""
CREATES = int(os.environ.get("BENCH_CREATES", "300"))
TARGET_RPS, TARGET_RATIO = 1500.0, 0.40
POSTGRES = os.environ.get(
    "AVATAR_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)

BARE_APP = textwrap.dedent(
    """
    from litestar import Litestar, get

    BODY = {"avatar_id": "bench", "version": 1, "state": {
        "skin_tone": "#e0ac69", "hair_style": "short", "hair_color": "#3b2a1a",
        "eye_color": "#4a6fa5", "brow_style": "natural", "clothing_style": "tshirt",
        "clothing_color": "#2f5d8a", "accessories": [], "background": "#eef2f7",
        "background_to": None, "expression": "neutral"}}

    @get("/v1/avatars/{avatar_id:str}/state")
    async def state(avatar_id: str) -> dict:
        return BODY

    app = Litestar([state])
    """
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _uvicorn(app: str, env: dict[str, str], cwd: Path, factory: bool = False) -> Iterator[int]:
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    if factory:
        command.append("--factory")
    log = (cwd / f"{port}.log").open("wb") if LOG_LEVEL != "warning" else None
    process = subprocess.Popen(command, cwd=cwd, env=env, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{app} exited with {process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{app} did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        if log is not None:
            log.close()


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return status


async def _load(port: int, path: str, total: int) -> tuple[float, list[float]]:
    """``total`` GETs over ``CONCURRENCY`` keep-alive connections: (req/s, latencies)."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    latencies: list[float] = []
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                status = await _request(reader, writer, request)
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    raise RuntimeError(f"GET {path} answered {status}")
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return total / (time.perf_counter() - started), latencies


def _measure(port: int, path: str) -> tuple[float, list[float]]:
    rps, latencies = asyncio.run(_load(port, path, REQUESTS // ROUNDS))
    return rps, latencies


def bench_http() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        (workdir / "bare_app.py").write_text(BARE_APP)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AVATAR_")}
        env.pop("DATABASE_URL", None)
        env.update(
            AVATAR_TTS="mock",
            AVATAR_ALIGNER="mock",
            AVATAR_RENDERER="mock",
            AVATAR_STORE=STORE,
            AVATAR_BLOBS="memory",
            AVATAR_LOG__LEVEL=LOG_LEVEL,
            AVATAR_LOG__FORMAT="json",
            # One client sends every request: a limit it never reaches keeps the limiter's cost.
            AVATAR_HTTP__RATE_PER_SECOND="1000000000",
            DATABASE_URL=f"sqlite:///{workdir / 'bench.db'}",
            PYTHONPATH=str(workdir),
        )
        app = "avatar_service.entrypoints.http.app:app_from_environment"
        path = "/v1/avatars/bench/state"
        with (
            _uvicorn(app, env, workdir, factory=True) as ours,
            _uvicorn("bare_app:app", env, workdir) as bare,
        ):
            _create_avatar(ours)
            for port in (ours, bare):
                asyncio.run(_load(port, path, WARMUP))
            # Alternate rounds, so load from other processes on the machine hits both alike.
            rounds: dict[int, list[tuple[float, list[float]]]] = {ours: [], bare: []}
            for _ in range(ROUNDS):
                for port in (ours, bare):
                    rounds[port].append(_measure(port, path))
    ours_rps, ours_p95 = _combine(rounds[ours])
    bare_rps, bare_p95 = _combine(rounds[bare])
    ratio = ours_rps / bare_rps
    print(
        f"GET state, 1 uvicorn worker each, {REQUESTS} requests in {ROUNDS} alternating rounds,"
        f" concurrency {CONCURRENCY} (median round):"
    )
    label = "sqlmodel/SQLite" if STORE == "sqlmodel" else STORE
    print(
        f"  {label:16}: {ours_rps:8.0f} req/s  p95 {ours_p95 * 1e3:6.2f} ms"
        f"   (target >= {TARGET_RPS:.0f} req/s)"
    )
    print(f"  {'bare Litestar':16}: {bare_rps:8.0f} req/s  p95 {bare_p95 * 1e3:6.2f} ms")
    print(
        f"  {'ratio':16}: {ratio:8.0%}   (target >= {TARGET_RATIO:.0%};"
        f" our server logs at {LOG_LEVEL}, JSON)"
    )


def _combine(rounds: list[tuple[float, list[float]]]) -> tuple[float, float]:
    """Median requests per second of the rounds, p95 latency over all their requests."""
    latencies = [latency for _, round_latencies in rounds for latency in round_latencies]
    return statistics.median(rps for rps, _ in rounds), percentile(latencies, 0.95)


def _create_avatar(port: int) -> None:
    body = b'{"avatar_id": "bench", "name": "Bench"}'
    request = (
        f"POST /v1/avatars HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body

    async def send() -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            return await _request(reader, writer, request)
        finally:
            writer.close()

    status = asyncio.run(send())
    if status not in (201, 409):
        raise RuntimeError(f"creating the bench avatar answered {status}")


def _creates_per_second(make_store: Callable[[], object]) -> float:
    from avatar_service.adapters.blobs.memory import MemoryBlobStore
    from avatar_service.core.usecases.avatars import AvatarUseCases

    store = make_store()
    avatars = AvatarUseCases(store, MemoryBlobStore())  # type: ignore[arg-type]
    for _ in range(20):
        avatars.create_avatar(name="warm-up")
    started = time.perf_counter()
    for n in range(CREATES):
        avatars.create_avatar(name=f"bench {n}", state={"hair_style": "bob"})
    rate = CREATES / (time.perf_counter() - started)
    close = getattr(store, "close", None)
    if callable(close):
        close()
    return rate


def bench_creates() -> None:
    from avatar_service.adapters.store.memory import MemoryStore
    from avatar_service.adapters.store.sqlmodel.factory import open_store

    print(f"create avatar through the use case, {CREATES} sequential creates:")
    memory = _creates_per_second(MemoryStore)
    print(f"  memory          : {memory:8.0f} creates/s (baseline)")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = _creates_per_second(lambda: open_store(f"sqlite:///{tmp}/creates.db"))
    print(f"  sqlmodel/SQLite : {sqlite:8.0f} creates/s ({sqlite / memory:.1%} of memory)")
    with _postgres_database() as url:
        if url is None:
            print("  sqlmodel/PostgreSQL: skipped (no server at AVATAR_TEST_POSTGRES_URL)")
            return
        postgres = _creates_per_second(lambda: open_store(url))
    print(f"  sqlmodel/PostgreSQL: {postgres:5.0f} creates/s ({postgres / memory:.1%} of memory)")


@contextmanager
def _postgres_database() -> Iterator[str | None]:
    import psycopg

    name = f"avatar_bench_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        yield None
        return
    try:
        yield f"{POSTGRES.rpartition('/')[0]}/{name}"
    finally:
        with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    bench_http()
    bench_creates()


if __name__ == "__main__":
    main()
