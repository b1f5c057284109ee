"""``avatar jobs ls|show|cancel``: render jobs in the configured store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from avatar_service.entrypoints.cli.output import LazyChoice, echo_table, emit_json, json_option
from avatar_service.entrypoints.cli.state import CliState, pass_state

if TYPE_CHECKING:
    from avatar_service.core.jobs import Job


def _statuses() -> list[str]:
    from avatar_service.core.jobs import JobStatus

    return [s.value for s in JobStatus]


def _kinds() -> list[str]:
    from avatar_service.core.jobs import JobKind

    return [k.value for k in JobKind]


@click.group()
def jobs() -> None:
    """Asynchronous render jobs: list, show, cancel."""


@jobs.command("ls")
@click.option("--status", type=LazyChoice(_statuses), help="Only jobs in this status.")
@click.option("--kind", type=LazyChoice(_kinds), help="Only this kind.")
@click.option("--avatar", "avatar_id", help="Only jobs of this avatar id.")
@click.option(
    "--limit", type=click.IntRange(1, 500), default=50, show_default=True, help="Jobs per page."
)
@click.option("--cursor", help="next_cursor of the previous page.")
@json_option
@pass_state
def list_jobs(
    state: CliState,
    status: str | None,
    kind: str | None,
    avatar_id: str | None,
    limit: int,
    cursor: str | None,
    as_json: bool,
) -> None:
    """List jobs, oldest first (a page at a time)."""
    from avatar_service.core.jobs import JobFilter, JobKind, JobStatus
    from avatar_service.core.usecases.webhook_delivery import job_event

    where = JobFilter(
        status=JobStatus(status) if status else None,
        kind=JobKind(kind) if kind else None,
        avatar_id=avatar_id,
    )
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
    from avatar_service.core.usecases.webhook_delivery import job_event

    container = state.container()
    job = container.jobs.get(job_id)
    deliveries = [
        {
            "attempt": d.attempt,
            "url": d.url,
            "status_code": d.status_code,
            "error": d.error,
            "duration": round(d.duration, 4),
            "at": d.created_at.isoformat(),
        }
        for d in container.jobs.deliveries(job_id)
    ]
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
    from avatar_service.core.usecases.webhook_delivery import job_event

    job = state.container().jobs.cancel(job_id)
    if as_json:
        emit_json(job_event(job))
        return
    click.echo(f"{job.job_id}: {job.status}")


def _row(job: Job) -> list[str]:
    result: Any = ""
    if job.result is not None:
        result = job.result.get("video_url", "")
    elif job.error is not None:
        result = job.error.get("detail", "")
    return [
        job.job_id,
        str(job.kind),
        str(job.status),
        f"{job.progress:.0%}",
        job.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        str(result)[:60],
    ]


COMMANDS = (jobs,)
