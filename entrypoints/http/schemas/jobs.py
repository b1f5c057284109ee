"""Bodies of the job routes and their mappings from the core's ``Job``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from avatar_service.core import errors
from avatar_service.core.jobs import Job, WebhookDelivery
from avatar_service.core.records import Page
from avatar_service.entrypoints.http.problems import TYPE_PREFIX, domain_status
from avatar_service.entrypoints.http.schemas.tenancy import TenantField

RESPOND_ASYNC = "respond-async"


def job_url(job_id: str) -> str:
    return f"/v1/jobs/{job_id}"


def wants_async(flag: bool, prefer: str | None) -> bool:
    """``"async": true`` in the body, or ``Prefer: respond-async`` (RFC 7240)."""
    if flag:
        return True
    preferences = (part.strip().split("=")[0].lower() for part in (prefer or "").split(","))
    return any(p.split(";")[0].strip() == RESPOND_ASYNC for p in preferences)


class JobAccepted(msgspec.Struct, kw_only=True):
    """A job was queued: poll ``status_url`` (or wait for the webhook)."""

    job_id: str
    status: str
    status_url: str


class JobResult(msgspec.Struct, kw_only=True):
    render_id: str
    video_url: str
    avatar_id: str | None
    format: str
    width: int
    height: int
    duration: float | None
    fps: int | None
    frames: int | None


class JobError(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Why the job failed, as an RFC 9457 problem (``application/problem+json`` fields)."""

    type: str
    title: str
    status: int
    detail: str
    field: str | None = None


class JobResponse(msgspec.Struct, kw_only=True):
    """``status``: queued, running (``progress`` 0..1), done (``result``), failed (``error``)
    or cancelled. ``webhook_state``: null (no webhook), pending, delivered or failed."""

    job_id: str
    kind: str
    status: str
    status_url: str
    progress: float
    avatar_id: str | None
    result: JobResult | None
    error: JobError | None
    attempts: int
    webhook_url: str | None
    webhook_state: str | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    tenant: TenantField


class JobListResponse(msgspec.Struct, kw_only=True):
    """One page, oldest first; pass ``next_cursor`` as ``cursor`` for the next (null: the end)."""

    jobs: list[JobResponse]
    count: int
    next_cursor: str | None


class DeliveryItem(msgspec.Struct, kw_only=True):
    attempt: int
    url: str
    status_code: int | None
    error: str | None
    duration: float
    created_at: datetime


class DeliveryListResponse(msgspec.Struct, kw_only=True):
    job_id: str
    deliveries: list[DeliveryItem]
    count: int


def to_job_accepted(job: Job) -> JobAccepted:
    return JobAccepted(job_id=job.job_id, status=str(job.status), status_url=job_url(job.job_id))


def to_job_error(error: dict[str, Any]) -> JobError:
    """The stored error with the status and problem type the HTTP API gives that error."""
    cls = getattr(errors, str(error.get("kind", "")), None)
    mapped = None
    if isinstance(cls, type) and issubclass(cls, errors.AvatarServiceError):
        mapped = domain_status(cls(""))
    status, kind = mapped or (500, "internal")
    return JobError(
        type=TYPE_PREFIX + kind,
        title=str(error.get("title", "Error")),
        status=status,
        detail=str(error.get("detail", "")),
        field=error.get("field"),
    )


def to_job_response(job: Job) -> JobResponse:
    return JobResponse(
        job_id=job.job_id,
        kind=str(job.kind),
        status=str(job.status),
        status_url=job_url(job.job_id),
        progress=job.progress,
        avatar_id=job.avatar_id,
        result=None if job.result is None else msgspec.convert(job.result, JobResult),
        error=None if job.error is None else to_job_error(job.error),
        attempts=job.attempts,
        webhook_url=job.webhook_url,
        webhook_state=None if job.webhook_state is None else str(job.webhook_state),
        created_at=job.created_at,
        updated_at=job.updated_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        tenant=job.tenant,
    )


def to_job_list(page: Page[Job]) -> JobListResponse:
    jobs = [to_job_response(job) for job in page.items]
    return JobListResponse(jobs=jobs, count=len(jobs), next_cursor=page.next_cursor)


def to_delivery_list(job_id: str, deliveries: list[WebhookDelivery]) -> DeliveryListResponse:
    items = [
        DeliveryItem(
            attempt=d.attempt,
            url=d.url,
            status_code=d.status_code,
            error=d.error,
            duration=d.duration,
            created_at=d.created_at,
        )
        for d in deliveries
    ]
    return DeliveryListResponse(job_id=job_id, deliveries=items, count=len(items))
