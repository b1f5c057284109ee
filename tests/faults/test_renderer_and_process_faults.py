"""Faults of the renderer and the process: Node missing, ffmpeg failing, a render worker
killed mid-job, SIGTERM during requests. Each: a clear error for the affected request, the
rest of the API serves, nothing partial is visible, and the next request succeeds."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from fault_kit import Build, app_of, files_under
from litestar.testing import TestClient
from support import MOCK_SPEECH, as_env, unavailable

from avatar_service.adapters.renderer.node import NodeRenderer
from avatar_service.core.errors import Unavailable
from avatar_service.entrypoints.settings import NodeRendererSettings

PROBLEM = "application/problem+json"


def _node_renderer_ready() -> None:
    try:
        NodeRenderer(workers=1).check()
    except Unavailable as exc:
        unavailable(f"node renderer not set up: {exc.message}")


def _avatar(client: TestClient) -> str:  # type: ignore[type-arg]
    response = client.post("/v1/avatars", json={"name": "f"})
    assert response.status_code == 201, response.text
    return str(response.json()["avatar_id"])


def test_node_missing_makes_renders_503_while_the_rest_serves(build: Build) -> None:
    container = build(renderer="node", node_path="/nonexistent/node")
    with TestClient(app_of(container), base_url="http://127.0.0.1") as client:
        ready = client.get("/ready")
        assert ready.status_code == 503
        check = {c["port"]: c for c in ready.json()["checks"]}["renderer"]
        assert not check["ok"] and "/nonexistent/node" in check["detail"]
        avatar_id = _avatar(client)
        render = client.post("/v1/render", json={"avatar_id": avatar_id, "width": 64})
        assert render.status_code == 503, render.text
        assert render.headers["content-type"].startswith(PROBLEM)
        assert "node" in render.json()["detail"].lower()
        assert client.get("/health").status_code == 200
        assert client.post("/v1/lipsync", json={"text": "still talking"}).status_code == 200
        assert client.get("/v1/renders").json()["count"] == 0


def test_ffmpeg_failing_is_a_clear_503_and_stores_no_render(build: Build, tmp_path: Path) -> None:
    _node_renderer_ready()
    broken = tmp_path / "ffmpeg"
    broken.write_text("#!/bin/sh\necho 'ffmpeg: simulated failure' >&2\nexit 1\n")
    broken.chmod(0o755)
    container = build(
        renderer="node", ffmpeg_path=str(broken), node_renderer=NodeRendererSettings(workers=1)
    )
    with TestClient(app_of(container), base_url="http://127.0.0.1") as client:
        avatar_id = _avatar(client)
        body = {"avatar_id": avatar_id, "text": "hello", "width": 64, "height": 64, "fps": 10}
        video = client.post("/v1/render/sequence", json=body)
        assert video.status_code == 503, video.text
        assert video.headers["content-type"].startswith(PROBLEM)
        assert "ffmpeg" in video.json()["detail"].lower()
        assert client.get("/v1/renders").json()["count"] == 0
        assert files_under(tmp_path / "renders") == []
        frame = client.post("/v1/render", json={"avatar_id": avatar_id, "width": 64})
        assert frame.status_code == 200, frame.text  # frames need no ffmpeg


def test_a_render_worker_killed_mid_job_is_503_then_replaced(build: Build, tmp_path: Path) -> None:
    """The kill comes once the job is known to be running (its ffmpeg started) and cannot
    finish first (that ffmpeg never exits), so the outcome does not depend on timing."""
    _node_renderer_ready()
    started = tmp_path / "encoder-started"
    stuck = tmp_path / "ffmpeg"
    stuck.write_text(f"#!/bin/sh\ntouch '{started}'\ncat > /dev/null\nexec sleep 600\n")
    stuck.chmod(0o755)
    container = build(
        renderer="node", ffmpeg_path=str(stuck), node_renderer=NodeRendererSettings(workers=1)
    )
    pool = container.adapters.renderer.pool  # type: ignore[attr-defined]
    with TestClient(app_of(container), base_url="http://127.0.0.1") as client:
        avatar_id = _avatar(client)
        assert client.post("/v1/render", json={"avatar_id": avatar_id}).status_code == 200
        (worker,) = pool.workers()
        stored = client.get("/v1/renders").json()["count"]

        def kill_once_running() -> None:
            deadline = time.monotonic() + 60
            while not started.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            worker.process.kill()

        killer = threading.Thread(target=kill_once_running)
        killer.start()
        body = {"name": "idle", "duration": 2, "width": 64, "height": 64, "fps": 10}
        killed = client.post(f"/v1/avatars/{avatar_id}/animations", json=body)
        killer.join()
        assert started.exists(), "the render never reached its encoder"
        # 503, not 500: the request was sound and the service replaced the worker; a retry
        # (Retry-After) is expected to succeed.
        assert killed.status_code == 503, killed.text
        assert "died" in killed.json()["detail"]
        assert killed.headers["retry-after"]
        assert client.get("/v1/renders").json()["count"] == stored
        again = client.post("/v1/render", json={"avatar_id": avatar_id})  # PNG: no ffmpeg
        assert again.status_code == 200, again.text
        assert worker not in pool.workers()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_sigterm_lets_in_flight_requests_finish_and_refuses_new_ones(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        **as_env(MOCK_SPEECH),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'avatar.db'}",
        "ASSETS_DIR": str(tmp_path / "assets"),
        "AUDIOS_DIR": str(tmp_path / "audios"),
        "RENDERS_DIR": str(tmp_path / "renders"),
        "AVATAR_HTTP__RATE_PER_SECOND": "0",
    }
    command = [sys.executable, "-m", "avatar_service.entrypoints.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "no server"
            time.sleep(0.1)
        chunk = os.urandom(256 * 1024)
        results: dict[int, httpx.Response] = {}
        terminated = threading.Event()

        def slow_upload(index: int) -> None:
            def body():  # type: ignore[no-untyped-def]  # 2 MiB, the rest only after SIGTERM
                yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n'
                yield chunk
                terminated.wait(timeout=60)
                for _ in range(7):
                    time.sleep(0.1)
                    yield chunk
                yield b"\r\n--b--\r\n"

            headers = {"content-type": "multipart/form-data; boundary=b"}
            results[index] = httpx.post(
                f"{base}/v1/assets/upload?name=slow{index}.bin",
                content=body(),
                headers=headers,
                timeout=30,
            )

        uploads = [threading.Thread(target=slow_upload, args=(i,)) for i in range(3)]
        for thread in uploads:
            thread.start()
        # SIGTERM once the server is streaming all three (each has a blob being written);
        # none can finish before it, as their bodies wait for it.
        deadline = time.monotonic() + 60
        while len(files_under(tmp_path / "assets")) < 3:
            assert time.monotonic() < deadline, "the uploads did not start"
            time.sleep(0.05)
        server.send_signal(signal.SIGTERM)
        refused = False
        while not refused:  # new connections are refused while the uploads are in flight
            assert time.monotonic() < deadline, "new connections were still accepted"
            try:
                httpx.get(f"{base}/health", timeout=2)
                time.sleep(0.05)
            except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError):
                refused = True  # not accepted, or reset/closed unanswered: either way refused
            except httpx.TimeoutException:
                pass  # a loaded machine answered slowly: inconclusive, ask again
        terminated.set()
        for thread in uploads:
            thread.join(timeout=30)
        assert [results[i].status_code for i in range(3)] == [201, 201, 201]
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    blobs = [p for p in files_under(tmp_path / "assets") if p.stat().st_size >= 2 * 1024 * 1024]
    assert len(blobs) == 3, "every upload is whole; nothing half-written"
