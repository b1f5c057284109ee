"""Asynchronous render jobs: what a client submitted, where it stands, how it ended, and the
webhook deliveries made for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from avatar_service.core.errors import Invalid
from avatar_service.core.records import utcnow
from avatar_service.core.tenancy import DEFAULT_TENANT


class JobKind(StrEnum):
    SEQUENCE = "sequence"
    """A talking video (``POST /v1/render/sequence``)."""
    ANIMATION = "animation"
    """A named animation (``POST /v1/avatars/{avatar_id}/animations``)."""


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in FINISHED


FINISHED = frozenset({JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED})


class WebhookState(StrEnum):
    """Where a job's final-status webhook stands (``None`` on the job: no webhook)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    """Every attempt failed; the deliveries say why."""


@dataclass(frozen=True, slots=True)
class Job:
    """One render job.

    ``request`` is the render request as JSON-able data (``core.job_requests``); ``result`` the
    finished render (``render_id``, ``video_url``, size, format, ...); ``error`` a problem-like
    dict (``kind``, the error's class, ``title``, ``detail``, ``field``; HTTP adds the status).
    ``tenant`` is the tenant the job renders for (the submitter's).
    ``attempts`` counts the times a worker started it; ``lease_owner``/``lease_expires_at``
    name the worker running it and until when its claim holds (renewed while it makes
    progress).
    """

    job_id: str
    kind: JobKind
    request: dict[str, Any]
    status: JobStatus = JobStatus.QUEUED
    avatar_id: str | None = None
    progress: float = 0.0
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    webhook_url: str | None = None
    webhook_state: WebhookState | None = None
    attempts: int = 0
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    version: int = 1
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    tenant: str = DEFAULT_TENANT

    @property
    def render_id(self) -> str:
        """The id the job's render gets: derived from the job, so a retried job finds the
        render an earlier attempt finished instead of making a second one."""
        return "rd_" + self.job_id.removeprefix("job_")


@dataclass(frozen=True, slots=True)
class JobFilter:
    """Listing filters; ``None`` matches everything."""

    status: JobStatus | None = None
    kind: JobKind | None = None
    avatar_id: str | None = None


@dataclass(frozen=True, slots=True)
class JobUpdate:
    """Fields a conditional update sets; ``None`` leaves a field as it is (``clear_lease``
    empties the lease)."""

    status: JobStatus | None = None
    progress: float | None = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    webhook_state: WebhookState | None = None
    lease_expires_at: datetime | None = None
    clear_lease: bool = False
    finished_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.progress is not None and not 0.0 <= self.progress <= 1.0:
            raise Invalid("progress must be between 0 and 1", field="progress")


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One POST of a job's webhook: the HTTP status it got, or the error that stopped it."""

    job_id: str
    attempt: int
    url: str
    status_code: int | None
    error: str | None
    duration: float
    created_at: datetime = field(default_factory=utcnow)

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
