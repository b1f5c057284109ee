"""Job queue benchmarks (figures, not asserted):

1. throughput of 20 queued 5-second talking clips (espeak speech, lip sync, 256x256, 25 fps,
   MP4 with sound from the real Node renderer) with 1 and with 2 ``avatar worker`` processes
   on Redis (Dramatiq), sharing a SQLite file and file blobs; each worker runs one job at a
   time on one Node worker, so the ratio is what a second worker process adds on this machine
   (2 cores: at most ~2x);
2. queueing overhead: time from submitting a job (the use case behind ``POST ... async``) to a
   worker starting it (the job's ``started_at``), p50 over 20 jobs submitted one at a time to an
   idle queue -- for the Dramatiq queue and for the embedded one.

Needs Redis (``REDIS_URL``, default ``redis://127.0.0.1:6379/0``), node and ffmpeg.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from stats import percentile

from avatar_service.core.records import utcnow
from avatar_service.core.usecases.jobs import JobUseCases
from avatar_service.core.usecases.render_requests import Animation, AnimationRequest
from avatar_service.core.usecases.speech import SpeechRequest
from avatar_service.entrypoints.bootstrap import Container, bootstrap
from avatar_service.entrypoints.jobs_wiring import start_embedded_workers
from avatar_service.entrypoints.settings import Settings

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CLIPS = 20
TALK = (
    "Hello there. This clip is five seconds of speech, rendered while the queue keeps others "
    "waiting."
)
CLIP = AnimationRequest(
    "ava",
    Animation.TALK,
    speech=SpeechRequest(TALK, avatar_id="ava"),
    width=256,
    height=256,
    fps=25,
    format="mp4",
)
TINY = AnimationRequest(
    "ava", Animation.IDLE, duration=0.4, width=32, height=32, fps=10, format="mp4"
)


def environment(data: Path, namespace: str, jobs: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVATAR_")}
    env.update(
        AVATAR_TTS="espeak",
        AVATAR_ALIGNER="mock",
        AVATAR_RENDERER="node",
        AVATAR_NODE_RENDERER__WORKERS="1",
        AVATAR_STORE="sqlmodel",
        AVATAR_BLOBS="fsspec",
        AVATAR_JOBS=jobs,
        DATABASE_URL=f"sqlite:///{data / 'avatar.db'}",
        RENDERS_DIR=str(data / "renders"),
        AUDIOS_DIR=str(data / "audios"),
        ASSETS_DIR=str(data / "assets"),
        REDIS_URL=REDIS_URL,
        AVATAR_JOB__NAMESPACE=namespace,
        AVATAR_LOG__LEVEL="warning",
        AVATAR_DISABLE_PLUGINS="1",
    )
    if renderer := os.environ.get("AVATAR_NODE_RENDERER__DIR"):
        env["AVATAR_NODE_RENDERER__DIR"] = renderer
    return env


def api(env: dict[str, str]) -> Container:
    os.environ.update(env)
    return bootstrap(Settings(_env_file=None))


@contextmanager
def workers(env: dict[str, str], count: int, cwd: Path) -> Iterator[None]:
    script = shutil.which("avatar", path=sysconfig.get_path("scripts")) or "avatar"
    command = [script, "worker", "--concurrency", "1"]
    processes = [
        subprocess.Popen(
            command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        for _ in range(count)
    ]
    try:
        for process in processes:
            assert process.stderr is not None
            line = process.stderr.readline().decode()
            if not line.startswith("worker "):
                raise SystemExit(f"a worker did not start: {line}{process.stderr.read().decode()}")
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.communicate(timeout=60)


def wait_all(jobs: JobUseCases, ids: list[str]) -> None:
    pending = set(ids)
    while pending:
        for job_id in list(pending):
            job = jobs.get(job_id)
            if job.status.finished:
                if job.error:
                    raise SystemExit(f"job {job_id} failed: {job.error}")
                pending.discard(job_id)
        time.sleep(0.02)


def throughput(count: int) -> tuple[float, float]:
    """Seconds for ``CLIPS`` clips with ``count`` worker processes (warm), and a clip's length."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        env = environment(data, f"avatar-bench-{uuid.uuid4().hex[:8]}", "dramatiq")
        container = api(env)
        try:
            with workers(env, count, data):
                wait_all(
                    container.jobs, [container.jobs.submit(CLIP).job_id for _ in range(2 * count)]
                )
                started = time.perf_counter()
                ids = [container.jobs.submit(CLIP).job_id for _ in range(CLIPS)]
                wait_all(container.jobs, ids)
                elapsed = time.perf_counter() - started
                result = container.jobs.get(ids[0]).result or {}
                return elapsed, float(result.get("duration") or 0.0)
        finally:
            cleanup(container, env["AVATAR_JOB__NAMESPACE"])


def overhead(jobs: JobUseCases, samples: int = 20) -> list[float]:
    """Seconds from submit to ``started_at``, one job at a time on an idle queue."""
    waits = []
    for _ in range(samples + 2):
        submitted = utcnow()
        job = jobs.submit(TINY)
        wait_all(jobs, [job.job_id])
        started_at = jobs.get(job.job_id).started_at
        assert started_at is not None
        waits.append((started_at - submitted).total_seconds())
        time.sleep(0.3)  # let the worker go idle again (its poll backs off)
    return waits[2:]


def overheads() -> tuple[list[float], list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        env = environment(data, f"avatar-bench-{uuid.uuid4().hex[:8]}", "dramatiq")
        container = api(env)
        try:
            with workers(env, 1, data):
                distributed = overhead(container.jobs)
        finally:
            cleanup(container, env["AVATAR_JOB__NAMESPACE"])
    with tempfile.TemporaryDirectory() as tmp:
        container = api(environment(Path(tmp), "unused", "embedded"))
        try:
            start_embedded_workers(container.jobs, container.settings)
            embedded = overhead(container.jobs)
        finally:
            container.close()
    return distributed, embedded


def cleanup(container: Container, namespace: str) -> None:
    import redis

    container.close()
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{namespace}*"))
    if keys:
        client.delete(*keys)


def main() -> None:
    one, seconds = throughput(1)
    two, _ = throughput(2)
    print(
        f"{CLIPS} talking clips of {seconds:.1f} s (256x256, 25 fps, MP4, Node renderer), "
        "Dramatiq on Redis:"
    )
    print(f"  1 worker process : {one:6.2f} s  ({CLIPS / one:.2f} clips/s)")
    print(f"  2 worker processes: {two:6.2f} s  ({CLIPS / two:.2f} clips/s)")
    print(f"  speed-up 2 vs 1  : {one / two:.2f}x  (machine has {os.cpu_count()} cores)")
    distributed, embedded = overheads()
    for label, waits in (("dramatiq", distributed), ("embedded", embedded)):
        print(
            f"queueing overhead ({label}, submit -> worker starts, n={len(waits)}): "
            f"p50 {statistics.median(waits) * 1e3:.1f} ms, "
            f"p95 {percentile(waits, 0.95) * 1e3:.1f} ms"
        )


if __name__ == "__main__":
    main()
