"""Render jobs and webhook deliveries in SQL (``JobStore``), mixed into ``SqlModelStore``.

Claims and conditional updates are single ``UPDATE ... WHERE <condition> RETURNING`` statements,
so of two workers racing for one job exactly one wins, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa

from avatar_service.adapters.store.sqlmodel.queries import is_unique_violation, one
from avatar_service.adapters.store.sqlmodel.tables import TABLES
from avatar_service.core.errors import Conflict
from avatar_service.core.jobs import (
    Job,
    JobFilter,
    JobKind,
    JobStatus,
    JobUpdate,
    WebhookDelivery,
    WebhookState,
)
from avatar_service.core.ports import JobStore
from avatar_service.core.records import Page, utcnow
from avatar_service.core.tenancy import TenantScope, one_tenant

JOBS, DELIVERIES = TABLES["jobs"], TABLES["webhook_deliveries"]
R = TypeVar("R")
_SET_BY_UPDATE = ("status", "progress", "result", "error", "lease_expires_at", "finished_at")


class SqlJobs(JobStore):
    """``JobStore`` over the ``jobs`` and ``webhook_deliveries`` tables; a view (``scoped``,
    provided by ``SqlModelStore``) adds its tenant to every statement."""

    if TYPE_CHECKING:  # provided by ``SqlModelStore``
        _tenant: TenantScope

        def _read(self) -> contextlib.AbstractContextManager[sa.Connection]: ...
        def _write(self) -> contextlib.AbstractContextManager[sa.Connection]: ...
        def _page(
            self,
            table: sa.Table,
            id_name: str,
            to_record: Callable[[sa.RowMapping], R],
            where: list[sa.ColumnElement[bool]],
            limit: int,
            cursor: str | None,
        ) -> Page[R]: ...

    def _job_scope(self) -> list[sa.ColumnElement[bool]]:
        return [] if self._tenant is None else [JOBS.c.tenant == self._tenant]

    def create_job(self, job: Job) -> Job:
        job = replace(job, tenant=one_tenant(self._tenant, "creating a job"))
        try:
            with self._write() as conn:
                conn.execute(sa.insert(JOBS).values(**_job_values(job)))
        except sa.exc.IntegrityError as exc:
            if is_unique_violation(exc):
                raise Conflict(f"job {job.job_id!r} already exists", field="job_id") from None
            raise
        return job

    def get_job(self, job_id: str) -> Job:
        with self._read() as conn:
            return _to_job(one(conn, JOBS, "job_id", job_id, "job", self._tenant))

    def list_jobs(
        self, *, where: JobFilter | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page[Job]:
        where = where or JobFilter()
        conditions = self._job_scope()
        if where.status is not None:
            conditions.append(JOBS.c.status == str(where.status))
        if where.kind is not None:
            conditions.append(JOBS.c.kind == str(where.kind))
        if where.avatar_id is not None:
            conditions.append(JOBS.c.avatar_id == where.avatar_id)
        return self._page(JOBS, "job_id", _to_job, conditions, limit, cursor)

    def update_job(
        self,
        job_id: str,
        change: JobUpdate,
        *,
        statuses: frozenset[JobStatus] | None = None,
        owner: str | None = None,
    ) -> Job | None:
        values: dict[str, Any] = {
            name: _plain(getattr(change, name))
            for name in _SET_BY_UPDATE
            if getattr(change, name) is not None
        }
        if change.webhook_state is not None:
            values["webhook_status"] = str(change.webhook_state)
        if change.clear_lease:
            values.update(lease_owner=None, lease_expires_at=None)
        condition = sa.and_(JOBS.c.job_id == job_id, *self._job_scope())
        if statuses is not None:
            condition = sa.and_(condition, JOBS.c.status.in_([str(s) for s in statuses]))
        if owner is not None:
            condition = sa.and_(condition, JOBS.c.lease_owner == owner)
        statement = (
            sa.update(JOBS)
            .where(condition)
            .values(**values, version=JOBS.c.version + 1, updated_at=utcnow())
            .returning(*JOBS.c)
        )
        return self._changed(statement, job_id)

    def claim_job(
        self, job_id: str, owner: str, *, lease_until: datetime, now: datetime
    ) -> Job | None:
        claimable = sa.or_(
            JOBS.c.status == str(JobStatus.QUEUED),
            sa.and_(
                JOBS.c.status == str(JobStatus.RUNNING),
                sa.or_(JOBS.c.lease_expires_at.is_(None), JOBS.c.lease_expires_at < now),
            ),
        )
        statement = (
            sa.update(JOBS)
            .where(JOBS.c.job_id == job_id, claimable, *self._job_scope())
            .values(
                status=str(JobStatus.RUNNING),
                attempts=JOBS.c.attempts + 1,
                lease_owner=owner,
                lease_expires_at=lease_until,
                started_at=sa.func.coalesce(JOBS.c.started_at, now),
                version=JOBS.c.version + 1,
                updated_at=now,
            )
            .returning(*JOBS.c)
        )
        return self._changed(statement, job_id)

    def _changed(self, statement: sa.Update, job_id: str) -> Job | None:
        """Run a conditional ``UPDATE ... RETURNING``: the job it changed, ``None`` when the
        condition did not hold, ``NotFound`` when there is no such job."""
        with self._write() as conn:
            row = conn.execute(statement).mappings().first()
            if row is None:
                one(conn, JOBS, "job_id", job_id, "job", self._tenant)
                return None
        return _to_job(row)

    def add_webhook_delivery(self, delivery: WebhookDelivery) -> WebhookDelivery:
        with self._write() as conn:
            one(conn, JOBS, "job_id", delivery.job_id, "job", self._tenant)
            conn.execute(
                sa.insert(DELIVERIES).values(
                    job_id=delivery.job_id,
                    attempt=delivery.attempt,
                    url=delivery.url,
                    status_code=delivery.status_code,
                    error=delivery.error,
                    duration=delivery.duration,
                    created_at=delivery.created_at,
                )
            )
        return delivery

    def list_webhook_deliveries(self, job_id: str) -> list[WebhookDelivery]:
        query = (
            sa.select(DELIVERIES)
            .where(DELIVERIES.c.job_id == job_id)
            .order_by(DELIVERIES.c.attempt, DELIVERIES.c.id)
        )
        if self._tenant is not None:
            of_tenant = sa.select(JOBS.c.job_id).where(*self._job_scope())
            query = query.where(DELIVERIES.c.job_id.in_(of_tenant))
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            WebhookDelivery(
                r["job_id"],
                r["attempt"],
                r["url"],
                r["status_code"],
                r["error"],
                r["duration"],
                r["created_at"],
            )
            for r in rows
        ]


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, JobStatus) else value


def _job_values(job: Job) -> dict[str, Any]:
    return {
        "tenant": job.tenant,
        "job_id": job.job_id,
        "kind": str(job.kind),
        "status": str(job.status),
        "request": job.request,
        "avatar_id": job.avatar_id,
        "progress": job.progress,
        "result": job.result,
        "error": job.error,
        "webhook_url": job.webhook_url,
        "webhook_status": None if job.webhook_state is None else str(job.webhook_state),
        "attempts": job.attempts,
        "lease_owner": job.lease_owner,
        "lease_expires_at": job.lease_expires_at,
        "version": job.version,
        "created_at": job.created_at,
        "updated_at": job.updated_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def _to_job(row: sa.RowMapping) -> Job:
    webhook = row["webhook_status"]
    return Job(
        job_id=row["job_id"],
        kind=JobKind(row["kind"]),
        request=row["request"],
        status=JobStatus(row["status"]),
        avatar_id=row["avatar_id"],
        progress=float(row["progress"]),
        result=row["result"],
        error=row["error"],
        webhook_url=row["webhook_url"],
        webhook_state=None if webhook is None else WebhookState(webhook),
        attempts=row["attempts"],
        lease_owner=row["lease_owner"],
        lease_expires_at=row["lease_expires_at"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        tenant=row["tenant"],
    )
