"""What the blob benchmarks share: a large source file, a real uvicorn server on 127.0.0.1
with the fsspec blob store on a temporary folder, curl as the client when there is one, the
plain-copy baseline, and a sampler of the server's peak RSS.

``BENCH_BLOBS_MB`` sets the file's size (default 500), ``BENCH_BLOBS_REPEAT`` the runs of each
measurement (default 3).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil

MB = 1024 * 1024
SIZE = int(os.environ.get("BENCH_BLOBS_MB", "500")) * MB
REPEAT = int(os.environ.get("BENCH_BLOBS_REPEAT", "3"))
CHUNK = MB
TARGET_RATIO = 0.5
TARGET_RSS_MB = 32


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_source(path: Path) -> str:
    """A SIZE-byte file of incompressible blocks; returns its sha256."""
    digest = hashlib.sha256()
    block = os.urandom(CHUNK)
    with path.open("wb") as out:
        for index in range(SIZE // CHUNK):
            chunk = index.to_bytes(8, "big") + block[8:]
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


class PeakRss:
    """Samples a process's RSS every few milliseconds, keeping the maximum."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.01)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


CURL = shutil.which("curl")
"""A C client when there is one, so the figures are the server's rather than the client's."""


def timed_curl(*arguments: str) -> tuple[float, dict[str, object]]:
    """Seconds ``curl -sS -f -H Expect: ARGUMENTS`` takes (no 100-continue round trip), and
    the JSON it printed."""
    assert CURL is not None
    started = time.perf_counter()
    out = subprocess.run(
        [CURL, "-sS", "-f", "-H", "Expect:", *arguments], check=True, capture_output=True
    )
    answer: dict[str, object] = json.loads(out.stdout)
    return time.perf_counter() - started, answer


def copy(source: Path, target: Path) -> float:
    """The baseline: ``shutil.copyfile`` (an in-kernel copy on Linux)."""
    started = time.perf_counter()
    shutil.copyfile(source, target)
    return time.perf_counter() - started


HTTP_STACK = (
    "import importlib.util as u; "
    "print('httptools' if u.find_spec('httptools') else 'h11', "
    "'+ uvloop' if u.find_spec('uvloop') else '+ asyncio')"
)
"""What uvicorn's ``auto`` choices resolve to in this interpreter."""


def start_server(work: Path, port: int, *, fsync: bool = True) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "AVATAR_BLOBS": "fsspec",
        "AVATAR_STORE": "memory",
        "AVATAR_TTS": "mock",
        "AVATAR_ALIGNER": "mock",
        "AVATAR_RENDERER": "mock",
        "AVATAR_LOG__LEVEL": "warning",
        "ASSETS_DIR": str(work / "store" / "assets"),
        "AUDIOS_DIR": str(work / "store" / "audios"),
        "RENDERS_DIR": str(work / "store" / "renders"),
        "MAX_FILE_SIZE": str(SIZE + MB),
        "AVATAR_STORAGE__FSYNC": str(fsync).lower(),
    }
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
        "--no-access-log",
    ]
    server = subprocess.Popen(command, env=env, cwd=work)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the server did not start within 60 s")


def rate(seconds: list[float]) -> str:
    median = statistics.median(seconds)
    worst = max(seconds)
    return f"{SIZE / MB / median:8.1f} MB/s  (median {median:.2f} s, worst {worst:.2f} s)"
