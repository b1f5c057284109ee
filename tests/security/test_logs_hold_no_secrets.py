"""No secret in any log line, in any format, and one line per request: ``avatar serve`` in a
subprocess on loopback, HTTP and WebSocket requests carrying keys in query strings, then a
look at everything it wrote. Control characters from URLs reach the console escaped."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest
from support import IN_MEMORY, MOCK_SPEECH, as_env
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

KEY = "log-secret-key-0123456789abcdef"
TOKEN = "log-secret-token-987654321"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(tmp_path: Path, fmt: str, port: int) -> subprocess.Popen[bytes]:
    script = shutil.which("avatar", path=sysconfig.get_path("scripts")) or shutil.which("avatar")
    assert script is not None, "the avatar console script is not installed"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVATAR_")}
    env.update(
        **as_env(MOCK_SPEECH),
        **as_env(IN_MEMORY),
        AVATAR_API_KEYS=KEY,
        AVATAR_LOG__FORMAT=fmt,
        AVATAR_LOG__LEVEL="info",
        AVATAR_DISABLE_PLUGINS="1",
    )
    return subprocess.Popen(
        [script, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _wait_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "avatar serve exited"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("avatar serve did not come up")


def _get(port: int, target: str, **headers: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{target}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.parametrize("fmt", ["console", "json"])
def test_no_key_reaches_the_log_and_each_request_is_one_line(tmp_path: Path, fmt: str) -> None:
    port = _free_port()
    process = _serve(tmp_path, fmt, port)
    try:
        _wait_up(port, process)
        assert (
            _get(port, f"/v1/voices?api_key={KEY}&token={TOKEN}", Authorization=f"Bearer {KEY}")
            == 200
        )
        assert _get(port, f"/health?access_token={TOKEN}") == 200
        assert _get(port, "/v1/%1b[2J%1b[31mred%00?x=1", **{"X-API-Key": KEY}) == 404
        with connect(f"ws://127.0.0.1:{port}/v1/lipsync/stream?api_key={KEY}", open_timeout=10):
            pass
        wrong = f"ws://127.0.0.1:{port}/v1/lipsync/stream?api_key=wrong-{TOKEN}"
        with connect(wrong, open_timeout=10) as refused, pytest.raises(ConnectionClosed):
            refused.recv(timeout=10)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    text = output.decode("utf-8", "replace")
    assert KEY not in text and TOKEN not in text, text
    lines = [line for line in text.splitlines() if "/v1/voices" in line]
    assert len(lines) == 1, lines
    assert len([line for line in text.splitlines() if "/v1/lipsync/stream" in line]) == 2, text
    assert "\x1b" not in text and "\x00" not in text, text
    assert "\\x1b" in text or "\\u001b" in text, text
