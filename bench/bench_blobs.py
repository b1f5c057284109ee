"""Asset upload and download over HTTP on local disk, against a plain file copy.

A real uvicorn server on 127.0.0.1 (the fsspec blob store on a temporary folder, default
settings otherwise, so fsync before publish is on) receives a streamed multipart upload of a
large file and serves it back; the baseline is ``shutil.copyfile`` of the same file on the same
disk in the same run (an in-kernel copy between page-cache pages: no disk flush, no user-space
pass). The client is curl (a C client) when there is one: it sends the source from the page
cache and receives downloads into /dev/null, so the figures are the server's; a download into a
file on the same disk is shown beside it for context (there curl's own 16 KiB writes dominate).
The server's peak RSS growth over its warmed-up baseline shows whether bodies are streamed.

Context lines, measured in the same run: a Python 1 MiB read/write copy without and with fsync,
sha256 alone over the file (every upload hashes every byte), an upload to a second server with
``AVATAR_STORAGE__FSYNC=false`` (the cost of the flush), and the HTTP stack uvicorn picked.

    python bench/run.py blobs            # 500 MB
    BENCH_BLOBS_MB=100 python bench/run.py blobs

The raw upload (``PUT /v1/assets/{name}``) is measured by ``bench_blobs_put.py``; what both
share is in ``blob_server.py``.

Targets (reported, not asserted): upload and download >= 50% of the copy's MB/s; peak RSS
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

BOUNDARY = "bench-boundary-7d1f"


def multipart_body(path: Path, name: str) -> tuple[Iterator[bytes], int]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()

    def chunks() -> Iterator[bytes]:
        yield head
        with path.open("rb") as source:
            while chunk := source.read(CHUNK):
                yield chunk
        yield tail

    return chunks(), len(head) + path.stat().st_size + len(tail)


def upload(client: httpx.Client, path: Path, name: str) -> tuple[float, dict[str, object]]:
    if CURL:
        url = f"{client.base_url}/v1/assets/upload?overwrite=true"
        part = f"file=@{path};filename={name};type=application/octet-stream"
        return timed_curl("-F", part, url)
    body, length = multipart_body(path, name)
    started = time.perf_counter()
    response = client.post(
        "/v1/assets/upload",
        params={"overwrite": "true"},
        content=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Content-Length": str(length),
        },
    )
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, response.json()


def download(client: httpx.Client, name: str, size: int, target: Path | None = None) -> float:
    """Seconds to download ``name`` into ``target`` (``None``: /dev/null); ``RuntimeError``
    unless all its ``size`` bytes arrived."""
    sink = str(target) if target is not None else os.devnull
    started = time.perf_counter()
    if CURL:
        url = f"{client.base_url}/v1/assets/download?name={name}"
        out = subprocess.run(
            [CURL, "-sS", "-f", "-o", sink, "-w", "%{size_download}", url],
            check=True,
            capture_output=True,
            text=True,
        )
        elapsed, received = time.perf_counter() - started, int(out.stdout)
    else:
        received = 0
        with client.stream("GET", "/v1/assets/download", params={"name": name}) as response:
            response.raise_for_status()
            with open(sink, "wb") as out_file:
                for chunk in response.iter_raw(CHUNK):
                    received += len(chunk)
                    out_file.write(chunk)
        elapsed = time.perf_counter() - started
    if received != size:
        raise RuntimeError(f"the download of {name} is incomplete: {received} of {size} bytes")
    return elapsed


def copy_chunked(source: Path, target: Path, *, fsync: bool) -> float:
    """For context: a Python copy in 1 MiB reads and writes, then (``fsync``) the flush the
    store does before publishing."""
    started = time.perf_counter()
    with source.open("rb", buffering=0) as src, target.open("wb", buffering=0) as out:
        while chunk := src.read(CHUNK):
            out.write(chunk)
        if fsync:
            os.fsync(out.fileno())
    return time.perf_counter() - started


def sha256_alone(source: Path) -> float:
    """For context: hashing the file from the page cache, which every upload must do."""
    digest = hashlib.sha256()
    started = time.perf_counter()
    with source.open("rb", buffering=0) as src:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
    return time.perf_counter() - started


def uploads_without_fsync(work: Path, source: Path) -> list[float]:
    """Upload times on a second server that skips fsync (durable across crashes, not power
    loss): what the flush to disk costs."""
    port = free_port()
    server = start_server(work, port, fsync=False)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=None) as client:
            times = []
            for _ in range(REPEAT):
                os.sync()
                times.append(upload(client, source, "unsynced.bin")[0])
            return times
    finally:
        server.terminate()
        server.wait(timeout=15)


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="avatar-bench-blobs-"))
    server: subprocess.Popen[bytes] | None = None
    try:
        source = work / "source.bin"
        checksum = make_source(source)
        port = free_port()
        server = start_server(work, port)
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=None)
        warm = work / "warm.bin"
        warm.write_bytes(os.urandom(4 * MB))
        upload(client, warm, "warm.bin")  # import and allocate everything once
        download(client, "warm.bin", 4 * MB)
        baseline = psutil.Process(server.pid).memory_info().rss
        copies, chunked, synced, hashes = [], [], [], []
        uploads, downloads, to_file = [], [], []
        with PeakRss(server.pid) as rss:
            for _ in range(REPEAT):
                for _copy in range(3):  # the baseline is cheap and the noisiest: sample it more
                    os.sync()  # (untimed) each step starts without the previous one's dirty pages
                    copies.append(copy(source, work / "copy.bin"))
                    (work / "copy.bin").unlink()
                os.sync()
                chunked.append(copy_chunked(source, work / "copy.bin", fsync=False))
                (work / "copy.bin").unlink()
                os.sync()
                synced.append(copy_chunked(source, work / "copy.bin", fsync=True))
                (work / "copy.bin").unlink()
                hashes.append(sha256_alone(source))
                os.sync()
                seconds, body = upload(client, source, "big.bin")
                uploads.append(seconds)
                if body["checksum"] != checksum or body["size"] != SIZE:
                    raise RuntimeError(f"the upload came back wrong: {body}")
                os.sync()
                downloads.append(download(client, "big.bin", SIZE))
                to_file.append(download(client, "big.bin", SIZE, work / "download.bin"))
                (work / "download.bin").unlink()
        growth = (rss.peak - baseline) / MB
        unsynced = uploads_without_fsync(work, source)
        copy_rate = SIZE / statistics.median(copies)
        client_name = "curl" if CURL else "httpx"
        stack = subprocess.run(
            [sys.executable, "-c", HTTP_STACK], check=True, capture_output=True, text=True
        ).stdout.strip()
        print(
            f"file of {SIZE // MB} MB, {REPEAT} runs each, server pid {server.pid} "
            f"(uvicorn: {stack}), client {client_name}"
        )
        synced_rate = SIZE / statistics.median(synced)
        print(f"  plain copy   {rate(copies)}  (shutil.copyfile, {len(copies)} runs: the baseline)")
        print(f"  py copy      {rate(chunked)}  (1 MiB reads/writes, no fsync: context only)")
        print(f"  copy+fsync   {rate(synced)}  (1 MiB reads/writes + fsync: context only)")
        print(f"  sha256       {rate(hashes)}  (hashing alone, from page cache: context only)")
        for label, times in (("upload  ", uploads), ("download", downloads)):
            speed = SIZE / statistics.median(times)
            ratio = speed / copy_rate
            ok = "ok" if ratio >= TARGET_RATIO else "BELOW TARGET"
            print(
                f"  {label}     {rate(times)}  = {ratio:.0%} of copy "
                f"[target >= {TARGET_RATIO:.0%}: {ok}]; {speed / synced_rate:.0%} of copy+fsync"
            )
        print(
            f"  download to a file {rate(to_file)}  = "
            f"{SIZE / statistics.median(to_file) / copy_rate:.0%} of copy (curl writing the "
            "file on the same disk: context only)"
        )
        ok = "ok" if growth <= TARGET_RSS_MB else "ABOVE TARGET"
        print(
            f"  server RSS   baseline {baseline / MB:.1f} MB, peak {rss.peak / MB:.1f} MB, "
            f"growth {growth:.1f} MB [target <= {TARGET_RSS_MB} MB: {ok}]"
        )
        print(
            f"  upload, AVATAR_STORAGE__FSYNC=false {rate(unsynced)}  = "
            f"{SIZE / statistics.median(unsynced) / copy_rate:.0%} of copy (context only)"
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
