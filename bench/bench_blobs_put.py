"""Raw asset upload over HTTP on local disk (``PUT /v1/assets/{name}``, the body is the file),
against a copy that hashes as it goes.

The server and the file are those of ``bench_blobs.py`` (``blob_server.py``): a real uvicorn
server with the fsspec blob store on a temporary folder (fsync before publish on), curl as the
client when there is one. The baseline is a copy of the same file that computes its sha256 in
the same pass (1 MiB reads and writes, no fsync), as the store does with every upload; the
plain ``shutil.copyfile`` is shown beside it. The server's peak RSS growth over its warmed-up
baseline shows whether the body is streamed.

    python bench/run.py blobs_put            # 500 MB
    BENCH_BLOBS_MB=100 python bench/run.py blobs_put

Targets (reported, not asserted): the raw upload >= 50% of the hashing copy's MB/s; peak RSS
growth <= 32 MB. Every big file is deleted at the end.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).parent))

from blob_server import (
    CHUNK,
    CURL,
    HTTP_STACK,
    MB,
    REPEAT,
    SIZE,
    TARGET_RATIO,
    TARGET_RSS_MB,
    PeakRss,
    copy,
    free_port,
    make_source,
    rate,
    start_server,
    timed_curl,
)


def put(client: httpx.Client, path: Path, name: str) -> tuple[float, dict[str, object]]:
    """Seconds to upload ``path`` as the raw body of ``PUT /v1/assets/{name}``, and the answer."""
    url = f"{client.base_url}/v1/assets/{name}?overwrite=true"
    if CURL:
        return timed_curl("-H", "Content-Type: application/octet-stream", "-T", str(path), url)

    def chunks() -> Iterator[bytes]:
        with path.open("rb") as source:
            while chunk := source.read(CHUNK):
                yield chunk

    started = time.perf_counter()
    response = client.put(
        url,
        content=chunks(),
        headers={
            "Content-Type": "application/octet-stream",
            "Content-Length": str(path.stat().st_size),
        },
    )
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, response.json()


def copy_hashing(source: Path, target: Path) -> float:
    """The raw upload's baseline: a copy in 1 MiB reads and writes that computes the sha256
    in the same pass (no fsync)."""
    digest = hashlib.sha256()
    started = time.perf_counter()
    with source.open("rb", buffering=0) as src, target.open("wb", buffering=0) as out:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return time.perf_counter() - started


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="avatar-bench-blobs-put-"))
    server: subprocess.Popen[bytes] | None = None
    try:
        source = work / "source.bin"
        checksum = make_source(source)
        port = free_port()
        server = start_server(work, port)
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=None)
        warm = work / "warm.bin"
        warm.write_bytes(os.urandom(4 * MB))
        put(client, warm, "warm.bin")  # import and allocate everything once
        baseline = psutil.Process(server.pid).memory_info().rss
        copies, hashing_copies, puts = [], [], []
        with PeakRss(server.pid) as rss:
            for _ in range(REPEAT):
                for _copy in range(3):  # the plain copy is cheap and the noisiest: sample it more
                    os.sync()  # (untimed) each step starts without the previous one's dirty pages
                    copies.append(copy(source, work / "copy.bin"))
                    (work / "copy.bin").unlink()
                os.sync()
                hashing_copies.append(copy_hashing(source, work / "copy.bin"))
                (work / "copy.bin").unlink()
                os.sync()
                seconds, body = put(client, source, "big-put.bin")
                puts.append(seconds)
                if body["checksum"] != checksum or body["size"] != SIZE:
                    raise RuntimeError(f"the raw upload came back wrong: {body}")
        growth = (rss.peak - baseline) / MB
        copy_rate = SIZE / statistics.median(copies)
        hashing_rate = SIZE / statistics.median(hashing_copies)
        put_rate = SIZE / statistics.median(puts)
        client_name = "curl" if CURL else "httpx"
        stack = subprocess.run(
            [sys.executable, "-c", HTTP_STACK], check=True, capture_output=True, text=True
        ).stdout.strip()
        print(
            f"file of {SIZE // MB} MB, {REPEAT} runs each, server pid {server.pid} "
            f"(uvicorn: {stack}), client {client_name}"
        )
        print(f"  plain copy   {rate(copies)}  (shutil.copyfile, {len(copies)} runs: context only)")
        print(
            f"  copy+sha256  {rate(hashing_copies)}  (1 MiB reads/writes hashing in the same "
            "pass, no fsync: the raw upload's baseline)"
        )
        ok = "ok" if put_rate / hashing_rate >= TARGET_RATIO else "BELOW TARGET"
        print(
            f"  PUT upload   {rate(puts)}  = {put_rate / hashing_rate:.0%} of copy+sha256 "
            f"[target >= {TARGET_RATIO:.0%}: {ok}]; {put_rate / copy_rate:.0%} of copy"
        )
        ok = "ok" if growth <= TARGET_RSS_MB else "ABOVE TARGET"
        print(
            f"  server RSS   baseline {baseline / MB:.1f} MB, peak {rss.peak / MB:.1f} MB, "
            f"growth {growth:.1f} MB [target <= {TARGET_RSS_MB} MB: {ok}]"
        )
        client.close()
        return 0
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
