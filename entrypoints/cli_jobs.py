"""``avatar jobs ls|show|cancel`` (render jobs in the configured store) and ``avatar worker``
(a process that runs jobs from the distributed queue)."""

from __future__ import annotations

import logging
import os
import platform
import signal
import threading
from types import FrameType
from typing import Any

import click

from avatar_service.core.errors import AvatarServiceError, Invalid
from avatar_service.core.jobs import Job, JobFilter, JobKind, JobStatus
from avatar_service.core.usecases.webhook_delivery import job_event
from avatar_service.entrypoints.cli_base import (
    CliState,
    echo_table,
    emit_json,
    json_option,
    main,
    pass_state,
)

log = logging.getLogger(__name__)


@main.group()
def jobs() -> None:
    """Asynchronous render jobs: list, show, cancel."""


@jobs.command("ls")
@click.option(
    "--status", type=click.Choice([s.value for s in JobStatus]), help="Only jobs in this status."
)
@click.option("--kind", type=click.Choice([k.value for k in JobKind]), help="Only this kind.")
@click.option("--avatar", "avatar_id", help="Only jobs of this avatar id.")
@click.option(
    "--limit", type=click.IntRange(1, 500), default=50, show_default=True, help="Jobs per page."
)
@click.option("--cursor", help="next_cursor of the previous page.")
@json_option
@pass_state
def list_jobs(
    state: CliState, status: str | None, kind: str | None, avatar_id: str | None, limit: int,
    cursor: str | None, as_json: bool,
) -> None:  # fmt: skip
    """List jobs, oldest first (a page at a time)."""
    where = JobFilter(
        status=JobStatus(status) if status else None, kind=JobKind(kind) if kind else None,
        avatar_id=avatar_id,
    )  # fmt: skip
    page = state.container().jobs.list_jobs(where, limit=limit, cursor=cursor)
    if as_json:
        emit_json({"jobs": [job_event(j) for j in page.items], "next_cursor": page.next_cursor})
        return
    rows = [["JOB", "KIND", "STATUS", "PROGRESS", "CREATED", "RESULT"]]
    rows += [_row(job) for job in page.items]
    echo_table(rows)
    if page.next_cursor:
        click.echo(f"more: --cursor {page.next_cursor}")


@jobs.command("show")
@click.argument("job_id")
@json_option
@pass_state
def show_job(state: CliState, job_id: str, as_json: bool) -> None:
    """Show one job and its webhook deliveries."""
    container = state.container()
    job = container.jobs.get(job_id)
    deliveries = [
        {"attempt": d.attempt, "url": d.url, "status_code": d.status_code, "error": d.error,
         "duration": round(d.duration, 4), "at": d.created_at.isoformat()}
        for d in container.jobs.deliveries(job_id)
    ]  # fmt: skip
    if as_json:
        emit_json({**job_event(job), "deliveries": deliveries})
        return
    for key, value in job_event(job).items():
        if value is not None:
            click.echo(f"{key}: {value}")
    for d in deliveries:
        outcome = d["status_code"] if d["status_code"] is not None else d["error"]
        click.echo(f"delivery {d['attempt']}: {outcome} at {d['at']}")


@jobs.command("cancel")
@click.argument("job_id")
@json_option
@pass_state
def cancel_job(state: CliState, job_id: str, as_json: bool) -> None:
    """Cancel a queued or running job; a finished one is an error (exit 2)."""
    job = state.container().jobs.cancel(job_id)
    if as_json:
        emit_json(job_event(job))
        return
    click.echo(f"{job.job_id}: {job.status}")


@main.command()
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    help="Jobs run at once [default: AVATAR_JOB__CONCURRENCY or 2].",
)
@pass_state
def worker(state: CliState, concurrency: int | None) -> None:
    """Run render jobs from the distributed queue until SIGTERM or Ctrl-C.

    Needs AVATAR_JOBS=dramatiq (with REDIS_URL) and the database and blob store the API uses;
    start as many as you like, on any machine. With the embedded queue `avatar serve` runs the
    jobs itself.
    """
    container = state.container()
    settings = container.settings
    if container.jobs.queue.in_process:
        raise Invalid(
            f"AVATAR_JOBS={settings.jobs} runs jobs inside `avatar serve`; set "
            "AVATAR_JOBS=dramatiq (and REDIS_URL) to run separate workers",
            field="jobs",
        )
    container.jobs.queue.check()
    threads = concurrency or settings.job.concurrency
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        container.jobs.start_workers(threads)
        click.echo(
            f"worker {platform.node()}:{os.getpid()}: {threads} thread(s) on the "
            f"{settings.jobs} queue {settings.job.namespace}:{settings.job.queue}",
            err=True,
        )
        # A job whose message never reached the queue would wait for ever: sweep for them.
        while not stop.wait(settings.job.lease_seconds):
            try:
                container.jobs.requeue_stranded(settings.job.lease_seconds)
            except AvatarServiceError as exc:
                log.warning("could not sweep for stranded jobs: %s", exc.message)
        click.echo("stopping: finishing running jobs (others go back to the queue)", err=True)
    finally:
        container.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _row(job: Job) -> list[str]:
    result: Any = ""
    if job.result is not None:
        result = job.result.get("video_url", "")
    elif job.error is not None:
        result = job.error.get("detail", "")
    return [
        job.job_id, str(job.kind), str(job.status), f"{job.progress:.0%}",
        job.created_at.strftime("%Y-%m-%d %H:%M:%S"), str(result)[:60],
    ]  # fmt: skip
