"""Faults of storage and clients: a disk filling during an upload, a client cancelling an
upload or a download midway, a crash between a blob write and its row. Each: a clear error for
the affected request, nothing partial visible, and the next request succeeds."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fault_kit import Build, app_of, files_under, served
from litestar.testing import TestClient
from support import MOCK_SPEECH, as_env

from avatar_service.adapters.blobs import fsspec_disk

PROBLEM = "application/problem+json"


class Quota:
    """Every blob write counts against ``limit`` bytes; past it: ENOSPC, as a full disk."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.refused = 0
        self._write = fsspec_disk._write_all

    def write(self, out: Any, data: bytes | bytearray) -> None:
        if self.used + len(data) > self.limit:
            self.refused += 1
            raise OSError(errno.ENOSPC, "No space left on device")
        self.used += len(data)
        self._write(out, data)


def test_a_disk_filling_during_an_upload_is_507_and_keeps_nothing(
    build: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quota = Quota(limit=256 * 1024)
    monkeypatch.setattr(fsspec_disk, "_write_all", quota.write)
    with TestClient(app_of(build()), base_url="http://127.0.0.1") as client:
        big = os.urandom(2 * 1024 * 1024)
        files = {"file": ("big.bin", big, "application/octet-stream")}
        response = client.post("/v1/assets/upload", files=files)
        assert response.status_code == 507, response.text
        assert response.headers["content-type"].startswith(PROBLEM)
        assert "out of space" in response.json()["detail"]
        assert response.headers["retry-after"]
        assert quota.refused == 1
        assert client.get("/v1/assets").json()["count"] == 0
        assert files_under(tmp_path / "assets") == []

        quota.limit = 10 * 1024 * 1024  # space freed
        files = {"file": ("small.bin", b"x" * 1000, "application/octet-stream")}
        assert client.post("/v1/assets/upload", files=files).status_code == 201
        assert client.get("/v1/assets").json()["count"] == 1


def _multipart_head(host: str, port: int, length: int, boundary: str) -> bytes:
    return (
        f"POST /v1/assets/upload?name=cut.bin HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def test_a_client_cancelling_an_upload_midway_leaves_nothing(build: Build, tmp_path: Path) -> None:
    boundary = "cutcutcut"
    part = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    payload = os.urandom(4 * 1024 * 1024)
    tail = f"\r\n--{boundary}--\r\n".encode()
    with served(app_of(build())) as (host, port):
        with socket.create_connection((host, port)) as sock:
            sock.sendall(_multipart_head(host, port, len(part + payload + tail), boundary))
            sock.sendall(part + payload[: len(payload) // 2])
            time.sleep(0.3)  # the server is streaming it into the store
        base = f"http://{host}:{port}"
        deadline = time.monotonic() + 10
        while files_under(tmp_path / "assets") and time.monotonic() < deadline:
            time.sleep(0.05)  # the server notices the closed connection and cleans up
        assert files_under(tmp_path / "assets") == []
        assert httpx.get(f"{base}/v1/assets").json()["count"] == 0
        upload = httpx.post(
            f"{base}/v1/assets/upload?name=cut.bin", files={"file": ("cut.bin", payload)}
        )
        assert upload.status_code == 201, upload.text
        assert upload.json()["checksum"] == hashlib.sha256(payload).hexdigest()


def test_a_client_cancelling_a_download_midway_leaves_the_server_serving(
    build: Build,
) -> None:
    payload = os.urandom(8 * 1024 * 1024)
    with served(app_of(build())) as (host, port):
        base = f"http://{host}:{port}"
        files = {"file": ("big.bin", payload)}
        assert httpx.post(f"{base}/v1/assets/upload", files=files).status_code == 201
        for _ in range(3):
            with socket.create_connection((host, port)) as sock:
                request = f"GET /v1/assets/download?name=big.bin HTTP/1.1\r\nHost: {host}\r\n\r\n"
                sock.sendall(request.encode())
                assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        assert httpx.get(f"{base}/health").status_code == 200
        whole = httpx.get(f"{base}/v1/assets/download", params={"name": "big.bin"})
        assert whole.status_code == 200
        assert hashlib.sha256(whole.content).digest() == hashlib.sha256(payload).digest()


_CRASH_AFTER_BLOB = textwrap.dedent(
    """
    import os
    from avatar_service.entrypoints.bootstrap import bootstrap
    from avatar_service.core.usecases.speech import SpeechRequest

    container = bootstrap()

    def crash(record):  # the process dies after the WAV is written, before its row
        os._exit(70)

    container.adapters.store.add_audio = crash
    container.speech.lipsync(SpeechRequest("lost words"))
    """
)


def test_a_crash_between_blob_and_row_leaves_an_orphan_that_gc_removes(tmp_path: Path) -> None:
    env = {
        **os.environ,
        **as_env(MOCK_SPEECH),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'avatar.db'}",
        "ASSETS_DIR": str(tmp_path / "assets"),
        "AUDIOS_DIR": str(tmp_path / "audios"),
        "RENDERS_DIR": str(tmp_path / "renders"),
    }
    crashed = subprocess.run(
        [sys.executable, "-c", _CRASH_AFTER_BLOB], env=env, cwd=tmp_path, timeout=120
    )
    assert crashed.returncode == 70
    assert files_under(tmp_path / "audios"), "the WAV was written before the crash"
    avatar = [sys.executable, "-m", "avatar_service.entrypoints.cli"]
    listed = subprocess.run(
        [*avatar, "gc", "--min-age", "0", "--json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    orphans = json.loads(listed.stdout)["orphans"]
    assert len(orphans) == 1, orphans
    applied = subprocess.run(
        [*avatar, "gc", "--min-age", "0", "--apply", "--json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(applied.stdout)["removed"] == 1, applied.stdout + applied.stderr
    assert not [p for p in files_under(tmp_path / "audios") if "index" not in p.parts]
