"""Render jobs and webhook deliveries for the in-process store (``JobStore``), mixed into
``MemoryStore``."""

from __future__ import annotations

import copy
import threading
from dataclasses import replace
from datetime import datetime

from avatar_service.core.errors import Conflict, NotFound
from avatar_service.core.jobs import Job, JobFilter, JobStatus, JobUpdate, WebhookDelivery
from avatar_service.core.paging import aware
from avatar_service.core.ports import JobStore
from avatar_service.core.records import Page, utcnow
from avatar_service.core.tenancy import DEFAULT_TENANT, TenantScope, one_tenant


class MemoryJobs(JobStore):
    """Jobs in a dict behind their own lock; dict fields are deep-copied in and out. A view
    (``scoped``, provided by ``MemoryStore``) sees only its tenant's jobs (``_job_tenant``)."""

    def __init__(self) -> None:
        self._jobs_lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._deliveries: dict[str, list[WebhookDelivery]] = {}
        self._job_tenant: TenantScope = DEFAULT_TENANT

    def create_job(self, job: Job) -> Job:
        job = replace(job, tenant=one_tenant(self._job_tenant, "creating a job"))
        with self._jobs_lock:
            if job.job_id in self._jobs:
                raise Conflict(f"job {job.job_id!r} already exists", field="job_id")
            self._jobs[job.job_id] = _copied(job)
            return _copied(job)

    def get_job(self, job_id: str) -> Job:
        with self._jobs_lock:
            return _copied(self._job(job_id))

    def list_jobs(
        self, *, where: JobFilter | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page[Job]:
        from avatar_service.adapters.store.memory import paginate

        where = where or JobFilter()
        with self._jobs_lock:
            jobs = [
                _copied(job)
                for job in self._jobs.values()
                if self._job_sees(job) and _matches(job, where)
            ]
        return paginate(jobs, lambda j: (aware(j.created_at), j.job_id), limit, cursor)

    def update_job(
        self,
        job_id: str,
        change: JobUpdate,
        *,
        statuses: frozenset[JobStatus] | None = None,
        owner: str | None = None,
    ) -> Job | None:
        with self._jobs_lock:
            job = self._job(job_id)
            if statuses is not None and job.status not in statuses:
                return None
            if owner is not None and job.lease_owner != owner:
                return None
            updated = _applied(job, change)
            self._jobs[job_id] = updated
            return _copied(updated)

    def claim_job(
        self, job_id: str, owner: str, *, lease_until: datetime, now: datetime
    ) -> Job | None:
        with self._jobs_lock:
            job = self._job(job_id)
            expired = job.lease_expires_at is None or aware(job.lease_expires_at) < now
            if not (
                job.status is JobStatus.QUEUED or (job.status is JobStatus.RUNNING and expired)
            ):
                return None
            claimed = replace(
                job,
                status=JobStatus.RUNNING,
                attempts=job.attempts + 1,
                lease_owner=owner,
                lease_expires_at=lease_until,
                started_at=job.started_at or now,
                version=job.version + 1,
                updated_at=utcnow(),
            )
            self._jobs[job_id] = claimed
            return _copied(claimed)

    def add_webhook_delivery(self, delivery: WebhookDelivery) -> WebhookDelivery:
        with self._jobs_lock:
            self._job(delivery.job_id)
            self._deliveries.setdefault(delivery.job_id, []).append(delivery)
            return delivery

    def list_webhook_deliveries(self, job_id: str) -> list[WebhookDelivery]:
        with self._jobs_lock:
            job = self._jobs.get(job_id)
            if job is None or not self._job_sees(job):
                return []
            return list(self._deliveries.get(job_id, []))

    def _job_sees(self, job: Job) -> bool:
        return self._job_tenant is None or job.tenant == self._job_tenant

    def _job(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None or not self._job_sees(job):
            raise NotFound(f"no job {job_id!r}", field="job_id")
        return job


def _matches(job: Job, where: JobFilter) -> bool:
    return (
        (where.status is None or job.status == where.status)
        and (where.kind is None or job.kind == where.kind)
        and (where.avatar_id is None or job.avatar_id == where.avatar_id)
    )


def _applied(job: Job, change: JobUpdate) -> Job:
    values = {
        name: getattr(change, name)
        for name in (
            "status",
            "progress",
            "result",
            "error",
            "webhook_state",
            "lease_expires_at",
            "finished_at",
        )
        if getattr(change, name) is not None
    }
    if change.clear_lease:
        values.update(lease_owner=None, lease_expires_at=None)
    return replace(job, **copy.deepcopy(values), version=job.version + 1, updated_at=utcnow())


def _copied(job: Job) -> Job:
    return replace(
        job,
        request=copy.deepcopy(job.request),
        result=copy.deepcopy(job.result),
        error=copy.deepcopy(job.error),
    )
