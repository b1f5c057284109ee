"""Render jobs: submit (persist, then queue), read, list, cancel, and run one to its end.

``run`` is what a worker calls for a delivered job id, possibly more than once for one job: it
claims the job under a lease (no two workers run it at once), renders through the ordinary
render use case under the job's own render id (a retry finds an earlier attempt's render
instead of making a second), renews the lease as progress comes in, records the outcome, then
delivers the webhook.
"""

from __future__ import annotations

import copy
import logging
import os
import platform
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from avatar_service.core import job_requests
from avatar_service.core.errors import (
    AvatarServiceError,
    Conflict,
    Invalid,
    NotFound,
    Unavailable,
)
from avatar_service.core.jobs import (
    Job,
    JobFilter,
    JobStatus,
    JobUpdate,
    WebhookDelivery,
    WebhookState,
)
from avatar_service.core.paging import check_page_size
from avatar_service.core.ports import JobQueue, JobStore, Store, WebhookSender
from avatar_service.core.records import Page, RenderRecord, new_id, utcnow
from avatar_service.core.tenancy import ALL_TENANTS, DEFAULT_TENANT, TenantScope, one_tenant
from avatar_service.core.usecases.render_requests import AnimationRequest
from avatar_service.core.usecases.rendering import RenderUseCases
from avatar_service.core.usecases.webhook_delivery import DeliveryPolicy, WebhookDeliverer

log = logging.getLogger(__name__)

_ACTIVE = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})
_RUNNING = frozenset({JobStatus.RUNNING})


@dataclass(frozen=True, slots=True)
class JobPolicy:
    lease_seconds: float = 60.0
    """How long a claim holds without progress; a worker dead for longer loses its job."""
    default_webhook_url: str | None = None
    render_url: str = "/v1/renders/{render_id}"
    """Where a finished render downloads from (``result.video_url``)."""
    delivery: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    max_active_per_tenant: int = 20
    """Queued and running jobs one tenant may have; one more is refused (``Unavailable``)."""
    max_active: int = 200
    """Queued and running jobs of all tenants together; one more is refused."""
    full_retry_after: float = 10.0
    """Seconds a client refused for a full queue is told to wait (``Retry-After``)."""


class _Stopped(Exception):
    """The job was cancelled or its lease taken over while it rendered."""


class JobUseCases:
    """Submitting, reading and cancelling act in one tenant (``DEFAULT_TENANT`` as built;
    ``for_tenant`` for another); running, resuming and delivering see every tenant's jobs,
    and render each in its own tenant (``rendering_for``)."""

    def __init__(
        self,
        store: JobStore,
        records: Store,
        queue: JobQueue,
        rendering: RenderUseCases,
        webhooks: WebhookSender,
        policy: JobPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rendering_for: Callable[[str], RenderUseCases] | None = None,
    ) -> None:
        self._all = store.scoped_jobs(ALL_TENANTS)
        self._tenant: TenantScope = DEFAULT_TENANT
        self._store = store.scoped_jobs(DEFAULT_TENANT)
        self._records = records
        self._queue = queue
        self._rendering = rendering
        self._rendering_for = rendering_for or (lambda _tenant: rendering)
        self._policy = policy or JobPolicy()
        self._sleep = sleep
        self._deliverer = WebhookDeliverer(self._all, webhooks, self._policy.delivery, sleep)
        self._worker = f"{platform.node()}:{os.getpid()}"

    def for_tenant(self, tenant: TenantScope) -> JobUseCases:
        """The same jobs, submitted, read and cancelled in ``tenant`` (``ALL_TENANTS``: read
        and cancelled across tenants)."""
        view = copy.copy(self)
        view._tenant = tenant
        view._store = self._all.scoped_jobs(tenant)
        if tenant is not None:
            view._rendering = self._rendering_for(tenant)
        return view

    @property
    def queue(self) -> JobQueue:
        return self._queue

    def submit(
        self, request: job_requests.RenderJobRequest, *, webhook_url: str | None = None
    ) -> Job:
        """Persist a queued job for ``request`` and hand it to the queue. The request's
        parameters are checked first (``RenderUseCases.check``: the errors a render would
        raise for them); a webhook (the given URL, else the default) must be an http(s) URL
        the destination policy admits, and needs a signing secret (``Invalid``); it is stored
        without credentials."""
        one_tenant(self._tenant, "submitting a job")
        url = self._check_webhook(webhook_url or self._policy.default_webhook_url)
        self._rendering.check(request)
        self._admit()
        job = Job(
            job_id=new_id("job"),
            kind=job_requests.kind_of(request),
            request=job_requests.to_dict(request),
            avatar_id=request.avatar_id,
            webhook_url=url,
            webhook_state=WebhookState.PENDING if url else None,
        )
        job = self._store.create_job(job)
        try:
            self._queue.enqueue(job.job_id)
        except AvatarServiceError as exc:
            self._store.update_job(
                job.job_id,
                JobUpdate(status=JobStatus.FAILED, error=problem_of(exc), finished_at=utcnow()),
            )
            raise
        return job

    def _admit(self) -> None:
        """Refuse (``Unavailable`` with ``retry_after``) when the tenant, or the service, has
        as many queued and running jobs as it may. Counted before the job is stored: two
        submissions racing for the last place may both get it."""
        policy = self._policy
        for store, cap, whose in (
            (self._store, policy.max_active_per_tenant, "this tenant has"),
            (self._all, policy.max_active, "the service has"),
        ):
            if _active_jobs(store, cap) >= cap:
                raise Unavailable(
                    f"{whose} {cap} jobs queued or running, the most it may; retry later "
                    "(AVATAR_JOB__MAX_ACTIVE_PER_TENANT, AVATAR_JOB__MAX_ACTIVE)",
                    retry_after=policy.full_retry_after,
                )

    def get(self, job_id: str) -> Job:
        return self._store.get_job(job_id)

    def list_jobs(
        self, where: JobFilter | None = None, *, limit: int = 50, cursor: str | None = None
    ) -> Page[Job]:
        return self._store.list_jobs(where=where, limit=check_page_size(limit), cursor=cursor)

    def deliveries(self, job_id: str) -> list[WebhookDelivery]:
        """The webhook attempts made for a job, oldest first (``NotFound``: no such job)."""
        self._store.get_job(job_id)
        return self._store.list_webhook_deliveries(job_id)

    def cancel(self, job_id: str) -> Job:
        """Cancel a queued or running job (a running render stops at its next progress
        report); a finished job raises ``Conflict``. The webhook fires from the worker."""
        now = utcnow()
        change = JobUpdate(status=JobStatus.CANCELLED, finished_at=now)
        job = self._store.update_job(job_id, change, statuses=_ACTIVE)
        if job is None:
            current = self._store.get_job(job_id)
            raise Conflict(f"job {job_id!r} is already {current.status}", field="job_id")
        return job

    def resume(self) -> int:
        """Hand every queued or running job in the store to the queue again (after a
        restart); ``run`` sorts out which really need running. Returns how many."""
        count = 0
        for status in (JobStatus.QUEUED, JobStatus.RUNNING):
            for job in self._every(status):
                self._queue.enqueue(job.job_id)
                count += 1
        return count

    def requeue_stranded(self, older_than: float) -> int:
        """Never-started queued jobs older than ``older_than`` seconds while the queue holds no
        message: their message never reached it (the API stopped between the row and the
        send), so hand them to it again. Safe to repeat, like ``resume``. Returns how many."""
        if self._queue.depth() > 0:
            return 0
        cutoff = utcnow() - timedelta(seconds=older_than)
        count = 0
        for job in self._every(JobStatus.QUEUED):
            if job.attempts == 0 and job.created_at < cutoff:
                self._queue.enqueue(job.job_id)
                count += 1
        return count

    def _every(self, status: JobStatus) -> Iterator[Job]:
        """Every job of every tenant in ``status``."""
        cursor: str | None = None
        while True:
            page = self._all.list_jobs(where=JobFilter(status=status), limit=200, cursor=cursor)
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def serve(self, concurrency: int) -> int:
        """Resume what the store holds, then run jobs in ``concurrency`` threads of this
        process (the embedded queue). Returns how many jobs were resumed."""
        resumed = self.resume()
        self.start_workers(concurrency)
        return resumed

    def start_workers(self, concurrency: int) -> None:
        """Run delivered jobs in ``concurrency`` threads of this process (``avatar worker``:
        the distributed queue keeps undelivered ids itself, so nothing is resumed)."""
        self._queue.start(self.run, concurrency)

    def run(self, job_id: str) -> None:
        """Run the job if no live worker holds it, then deliver its webhook if one is due.

        A job another worker leases is waited for once until its lease ends (that worker may
        be dead); if the lease is renewed meanwhile, its holder is alive and this run ends.
        """
        owner = f"{self._worker}/{secrets.token_hex(4)}"
        waited = False
        while True:
            now = utcnow()
            job = self._all.claim_job(job_id, owner, lease_until=self._lease(now), now=now)
            if job is not None:
                self._execute(job, owner)
                break
            try:
                job = self._all.get_job(job_id)
            except NotFound:
                log.warning("job %s is gone; nothing to run", job_id)
                return
            if job.status is not JobStatus.RUNNING or waited or job.lease_expires_at is None:
                break
            waited = True
            wait = (job.lease_expires_at - utcnow()).total_seconds() + 0.05
            self._sleep(min(max(wait, 0.0), self._policy.lease_seconds + 0.05))
        self._deliverer.deliver(self._all.get_job(job_id))

    def _execute(self, job: Job, owner: str) -> None:
        try:
            record = self._render(job, owner)
        except _Stopped:
            return
        except AvatarServiceError as exc:
            self._finish(job, owner, JobUpdate(status=JobStatus.FAILED, error=problem_of(exc)))
            return
        except Exception as exc:  # a bug: the job fails, the worker lives on
            log.exception("job %s failed unexpectedly", job.job_id)
            self._finish(job, owner, JobUpdate(status=JobStatus.FAILED, error=problem_of(exc)))
            return
        result = self._result(record)
        self._finish(job, owner, JobUpdate(status=JobStatus.DONE, progress=1.0, result=result))

    def _render(self, job: Job, owner: str) -> RenderRecord:
        try:
            return self._store_render(job)
        except NotFound:
            pass
        request = job_requests.from_dict(job.kind, job.request)
        every = min(1.0, self._policy.lease_seconds / 4)
        progress = _ProgressReporter(lambda f: self.report(job.job_id, owner, f), every)
        rendering = self._rendering_for(job.tenant)
        try:
            if isinstance(request, AnimationRequest):
                return rendering.animate(request, progress, render_id=job.render_id)
            return rendering.render_sequence(request, progress, render_id=job.render_id)
        except Conflict:  # a concurrent attempt stored this render first
            return self._store_render(job)

    def _store_render(self, job: Job) -> RenderRecord:
        return self._records.scoped(job.tenant).get_render(job.render_id)

    def _finish(self, job: Job, owner: str, change: JobUpdate) -> None:
        final = JobUpdate(
            status=change.status,
            progress=change.progress,
            result=change.result,
            error=change.error,
            finished_at=utcnow(),
            clear_lease=True,
        )
        if self._all.update_job(job.job_id, final, statuses=_RUNNING, owner=owner) is None:
            log.info("job %s was cancelled or taken over; its outcome is dropped", job.job_id)

    def report(self, job_id: str, owner: str, fraction: float) -> None:
        """Record progress and renew the lease; raise ``_Stopped`` once the job is no longer
        this worker's (cancelled, or its lease taken over)."""
        change = JobUpdate(progress=round(fraction, 4), lease_expires_at=self._lease(utcnow()))
        if self._all.update_job(job_id, change, statuses=_RUNNING, owner=owner) is None:
            raise _Stopped(job_id)

    def _lease(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self._policy.lease_seconds)

    def _result(self, record: RenderRecord) -> dict[str, Any]:
        return {
            "render_id": record.render_id,
            "video_url": self._policy.render_url.format(render_id=record.render_id),
            "avatar_id": record.avatar_id,
            "format": record.format,
            "width": record.width,
            "height": record.height,
            "duration": record.duration,
            "fps": record.fps,
            "frames": record.frames,
        }

    def _check_webhook(self, url: str | None) -> str | None:
        """The URL to store: credentials stripped, and refused (``Invalid``) when it is not
        http(s), names a private destination the policy can see without DNS, or no signing
        secret is set."""
        if url is None:
            return None
        clean = self._policy.delivery.destinations.target(url).url
        if not self._policy.delivery.secret:
            raise Invalid(
                "webhooks are signed, and no secret is set: set AVATAR_JOB__WEBHOOK_SECRET",
                field="webhook_url",
            )
        return clean


class _ProgressReporter:
    """The render's progress callback: reports at most every ``every`` seconds (and the end),
    so the lease stays fresh without a write per frame."""

    def __init__(self, report: Callable[[float], None], every: float) -> None:
        self._report, self._every = report, every
        self._last = time.monotonic()

    def __call__(self, fraction: float) -> None:
        now = time.monotonic()
        if now - self._last >= self._every or fraction >= 1.0:
            self._last = now
            self._report(fraction)


def _active_jobs(store: JobStore, cap: int) -> int:
    """How many jobs ``store`` sees queued or running, counted up to ``cap``."""
    count = 0
    for status in _ACTIVE:
        count += len(store.list_jobs(where=JobFilter(status=status), limit=max(cap, 1)).items)
    return count


def problem_of(exc: BaseException) -> dict[str, Any]:
    """A problem-like dict of an error (the HTTP layer adds the status)."""
    if isinstance(exc, AvatarServiceError):
        return {
            "kind": type(exc).__name__,
            "title": exc.title,
            "detail": exc.message,
            "field": exc.field,
        }
    return {
        "kind": "InternalError",
        "title": "Internal error",
        "detail": "the render failed unexpectedly; the worker's log has the details",
        "field": None,
    }
