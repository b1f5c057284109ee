"""Data survives a restart: one server process writes, a new one reads it back."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sysconfig
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from support import MOCK_SPEECH, as_env

STARTUP_SECONDS = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _server(workdir: Path) -> Iterator[httpx.Client]:
    """``avatar serve`` in its own process, on the default SQLite URL under ``workdir``."""
    script = shutil.which("avatar", path=sysconfig.get_path("scripts")) or shutil.which("avatar")
    assert script is not None, "the avatar console script is not installed"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVATAR_")}
    env.pop("DATABASE_URL", None)
    env.update(
        **as_env(MOCK_SPEECH),
        AVATAR_STORE="sqlmodel",
        AVATAR_BLOBS="memory",
        AVATAR_LOG__LEVEL="warning",
    )
    process = subprocess.Popen(
        [script, "serve", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        with httpx.Client(base_url=base, timeout=10) as client:
            yield client
    finally:
        process.terminate()
        process.communicate(timeout=30)  # reaps it and closes the stderr pipe


def test_records_written_by_one_process_are_read_by_the_next(tmp_path: Path) -> None:
    with _server(tmp_path) as client:
        created = client.post(
            "/v1/avatars", json={"avatar_id": "ada", "state": {"hair_style": "bob"}}
        )
        assert created.status_code == 201, created.text
        patched = client.patch(
            "/v1/avatars/ada/state", json={"expression": "happy"}, headers={"If-Match": '"1"'}
        )
        assert patched.status_code == 200, patched.text
        assert client.post("/v1/sessions", json={"avatar_id": "ada", "session_id": "s1"}).is_success
        preset = client.post(
            "/v1/presets", json={"preset_id": "p", "settings": {"hair_style": "bun"}}
        )
        assert preset.is_success
    assert (tmp_path / "data" / "avatar.db").is_file(), "./data/avatar.db is the default"

    with _server(tmp_path) as client:
        state = client.get("/v1/avatars/ada/state")
        assert state.status_code == 200
        assert state.headers["etag"] == '"2"'
        body = state.json()
        assert (body["state"]["hair_style"], body["state"]["expression"]) == ("bob", "happy")
        assert [s["session_id"] for s in client.get("/v1/sessions").json()["sessions"]] == ["s1"]
        assert client.get("/v1/presets/p").json()["settings"] == {"hair_style": "bun"}
