"""``avatar jobs ls|show|cancel`` on a SQLite store that an earlier process filled, and
``avatar worker`` refusing the embedded queue."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from avatar_service.core.usecases.render_requests import Animation, AnimationRequest
from avatar_service.entrypoints.bootstrap import bootstrap
from avatar_service.entrypoints.cli import main
from avatar_service.entrypoints.settings import Settings


@pytest.fixture
def job_ids(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Three animation jobs queued in ./data by an earlier process; the first one run."""
    monkeypatch.setenv("AVATAR_STORE", "sqlmodel")
    monkeypatch.setenv("AVATAR_BLOBS", "fsspec")
    container = bootstrap(Settings(_env_file=None))
    try:
        request = AnimationRequest("ava", Animation.BLINK, duration=0.5, width=32, height=32)
        ids = [container.jobs.submit(request).job_id for _ in range(3)]
        container.jobs.run(ids[0])
    finally:
        container.close()
    return ids


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(main, list(args), catch_exceptions=False)


def test_ls_lists_jobs_and_filters_by_status(runner: CliRunner, job_ids: list[str]) -> None:
    result = run(runner, "jobs", "ls")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["JOB", "KIND", "STATUS"]
    assert [line.split()[0] for line in lines[1:]] == job_ids
    queued = json.loads(run(runner, "jobs", "ls", "--status", "queued", "--json").stdout)
    assert [job["job_id"] for job in queued["jobs"]] == job_ids[1:]
    paged = json.loads(run(runner, "jobs", "ls", "--limit", "2", "--json").stdout)
    assert len(paged["jobs"]) == 2 and paged["next_cursor"]


def test_show_prints_the_job_and_its_result(runner: CliRunner, job_ids: list[str]) -> None:
    shown = json.loads(run(runner, "jobs", "show", job_ids[0], "--json").stdout)
    assert shown["status"] == "done" and shown["result"]["video_url"].startswith("/v1/renders/")
    assert shown["deliveries"] == []
    text = run(runner, "jobs", "show", job_ids[1]).stdout
    assert f"job_id: {job_ids[1]}" in text and "status: queued" in text


def test_cancel_cancels_once_then_refuses(runner: CliRunner, job_ids: list[str]) -> None:
    result = run(runner, "jobs", "cancel", job_ids[1])
    assert result.exit_code == 0 and result.stdout.strip() == f"{job_ids[1]}: cancelled"
    again = run(runner, "jobs", "cancel", job_ids[1])
    assert again.exit_code == 2 and "already cancelled" in again.stderr
    missing = run(runner, "jobs", "show", "job_nope")
    assert missing.exit_code == 2 and "job_nope" in missing.stderr


def test_worker_refuses_the_embedded_queue(runner: CliRunner) -> None:
    result = run(runner, "worker", "--concurrency", "1")
    assert result.exit_code == 2
    assert "AVATAR_JOBS=dramatiq" in result.stderr and "avatar serve" in result.stderr
