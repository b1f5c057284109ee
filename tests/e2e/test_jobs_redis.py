"""The distributed queue for real: two ``avatar worker`` processes on Redis share a SQLite file
and file blobs; the one running a job is SIGKILLed mid-render. The job is retried by the other
and completes; its render exists once, and the webhook arrives once, validly signed.

Needs Redis at ``AVATAR_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``): skipped when
unreachable, except under ``CI=true`` where that fails.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import signal
import subprocess
import sysconfig
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from support import MOCK_SPEECH, as_env, unavailable

from avatar_service.core.jobs import JobStatus, WebhookState
from avatar_service.core.records import Namespace
from avatar_service.core.usecases.render_requests import Animation, AnimationRequest
from avatar_service.core.webhooks import verify_signature
from avatar_service.entrypoints.bootstrap import Container, bootstrap
from avatar_service.entrypoints.settings import Settings

REDIS_URL = os.environ.get("AVATAR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = "e2e-secret"


@pytest.fixture
def redis_namespace() -> Iterator[str]:
    """A namespace of its own on a reachable Redis; its keys are deleted afterwards."""
    try:
        import redis
    except ImportError as exc:
        unavailable(f"the redis client is not installed: {exc}")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable(f"no Redis at {REDIS_URL}: {exc} (set AVATAR_TEST_REDIS_URL)")
    namespace = f"avatar-test-{uuid.uuid4().hex[:12]}"
    yield namespace
    keys = list(client.scan_iter(match=f"{namespace}*"))
    if keys:
        client.delete(*keys)
    client.close()


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    _Receiver.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Receiver.received
    server.shutdown()
    server.server_close()


def _environment(data: Path, namespace: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVATAR_")}
    for plain in ("DATABASE_URL", "RENDERS_DIR", "AUDIOS_DIR", "ASSETS_DIR", "REDIS_URL"):
        env.pop(plain, None)
    env.update(
        **as_env(MOCK_SPEECH),
        AVATAR_STORE="sqlmodel",
        AVATAR_BLOBS="fsspec",
        AVATAR_JOBS="dramatiq",
        DATABASE_URL=f"sqlite:///{data / 'avatar.db'}",
        RENDERS_DIR=str(data / "renders"),
        AUDIOS_DIR=str(data / "audios"),
        ASSETS_DIR=str(data / "assets"),
        REDIS_URL=REDIS_URL,
        AVATAR_JOB__NAMESPACE=namespace,
        AVATAR_JOB__DEAD_WORKER_SECONDS="2",
        AVATAR_JOB__MAINTENANCE_CHANCE="1000000",
        AVATAR_JOB__LEASE_SECONDS="2",
        AVATAR_JOB__WEBHOOK_SECRET=SECRET,
        AVATAR_JOB__WEBHOOK_BACKOFF="0.2",
        AVATAR_JOB__WEBHOOK_ALLOWED_NETWORKS="127.0.0.1/32",  # the receiver is on loopback
        AVATAR_OPTIONS__MOCK_RENDERER__FRAME_DELAY="0.05",
        AVATAR_LOG__LEVEL="warning",
        AVATAR_DISABLE_PLUGINS="1",
    )
    return env


def _start_worker(env: dict[str, str], workdir: Path) -> subprocess.Popen[bytes]:
    script = shutil.which("avatar", path=sysconfig.get_path("scripts")) or shutil.which("avatar")
    assert script is not None, "the avatar console script is not installed"
    return subprocess.Popen(
        [script, "worker", "--concurrency", "1"],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_ready(process: subprocess.Popen[bytes]) -> None:
    assert process.stderr is not None
    line = process.stderr.readline().decode()
    assert line.startswith("worker "), line + process.stderr.read().decode()


def _api(env: dict[str, str], workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Container:
    """The API side, in this process: the same settings as the workers."""
    monkeypatch.chdir(workdir)
    for key in list(os.environ):
        if key.startswith("AVATAR_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return bootstrap(Settings(_env_file=None))


def _until(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_a_job_survives_its_worker_being_killed_mid_render(
    tmp_path: Path,
    redis_namespace: str,
    receiver: tuple[str, list[tuple[dict[str, str], bytes]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hook, received = receiver
    env = _environment(tmp_path, redis_namespace)
    api = _api(env, tmp_path, monkeypatch)  # migrates the shared SQLite file first
    workers = {}
    try:
        for _ in range(2):
            process = _start_worker(env, tmp_path)
            workers[process.pid] = process
        for process in workers.values():
            _wait_ready(process)
        request = AnimationRequest(
            "ava", Animation.BLINK, duration=4.0, width=32, height=32, fps=10
        )  # 40 frames, 2 s at 0.05 s a frame
        job = api.jobs.submit(request, webhook_url=hook)
        _until(lambda: api.jobs.get(job.job_id).progress > 0.1, 15, "the job to make progress")
        owner = api.jobs.get(job.job_id).lease_owner
        assert owner is not None
        victim = int(owner.split("/")[0].rsplit(":", 1)[1])
        assert victim in workers, (owner, list(workers))
        os.kill(victim, signal.SIGKILL)
        workers.pop(victim).wait(timeout=10)

        _until(lambda: api.jobs.get(job.job_id).status.finished, 30, "the job to finish")
        done = api.jobs.get(job.job_id)
        assert done.status is JobStatus.DONE, done.error
        assert done.attempts == 2 and done.lease_owner is None
        renders = api.avatars.list_renders(avatar_id="ava").items
        assert [r.render_id for r in renders] == [job.render_id]
        blobs = api.adapters.blobs.list(Namespace.RENDERS)
        assert [b.name for b in blobs] == [f"{job.render_id}.gif"]
        _until(lambda: len(received) >= 1, 10, "the webhook")
        time.sleep(1.0)  # room for a duplicate to show up
        assert len(received) == 1
        headers, body = received[0]
        verify_signature(SECRET, headers["Avatar-Signature"], body)
        event = json.loads(body)
        assert event["type"] == "job.done" and event["job"]["job_id"] == job.job_id
        assert api.jobs.get(job.job_id).webhook_state is WebhookState.DELIVERED
        assert [d.status_code for d in api.jobs.deliveries(job.job_id)] == [200]
    finally:
        for process in workers.values():
            process.send_signal(signal.SIGTERM)
        for process in workers.values():
            try:
                process.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
        api.close()
