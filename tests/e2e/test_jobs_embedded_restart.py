"""With the embedded queue no accepted job is lost across a restart: jobs queued when the
process stopped, and a job whose worker died mid-run, complete in the next process."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from support import MOCK_SPEECH

from avatar_service.core.jobs import JobStatus
from avatar_service.core.ports import JobStore
from avatar_service.core.records import utcnow
from avatar_service.core.usecases.render_requests import Animation, AnimationRequest
from avatar_service.entrypoints.bootstrap import Container, bootstrap
from avatar_service.entrypoints.jobs_wiring import start_embedded_workers
from avatar_service.entrypoints.settings import JobSettings, Settings
from avatar_service.plugins.manager import make_plugin_manager


def _container(data: Path) -> Container:
    settings = Settings(
        **MOCK_SPEECH,
        store="sqlmodel",
        blobs="fsspec",
        database_url=f"sqlite:///{data / 'avatar.db'}",
        renders_dir=str(data / "renders"),
        audios_dir=str(data / "audios"),
        assets_dir=str(data / "assets"),
        job=JobSettings(lease_seconds=1.0),
        _env_file=None,
    )
    return bootstrap(settings, plugin_manager=make_plugin_manager(load_entrypoints=False))


def test_queued_and_interrupted_jobs_complete_after_a_restart(tmp_path: Path) -> None:
    request = AnimationRequest("ava", Animation.BLINK, duration=1.0, width=32, height=32, fps=10)
    first = _container(tmp_path)
    queued = [first.jobs.submit(request) for _ in range(2)]
    interrupted = first.jobs.submit(request)
    store = first.adapters.store
    assert isinstance(store, JobStore)
    now = utcnow()  # a worker of this process took it, then the process died
    store.claim_job(interrupted.job_id, "dead", lease_until=now + timedelta(seconds=0.5), now=now)
    first.close()  # stopped before any worker ran: its workers were never started

    second = _container(tmp_path)
    try:
        assert start_embedded_workers(second.jobs, second.settings)
        ids = [job.job_id for job in [*queued, interrupted]]
        deadline = time.monotonic() + 15
        while not all(second.jobs.get(i).status is JobStatus.DONE for i in ids):
            assert time.monotonic() < deadline, [second.jobs.get(i) for i in ids]
            time.sleep(0.05)
        assert second.jobs.get(interrupted.job_id).attempts == 2
        renders = second.avatars.list_renders(avatar_id="ava").items
        assert sorted(r.render_id for r in renders) == sorted(
            j.render_id for j in [*queued, interrupted]
        )
    finally:
        second.close()
