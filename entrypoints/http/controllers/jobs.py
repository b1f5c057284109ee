"""Render jobs: status, listing, cancellation and webhook deliveries. Jobs are created by the
render routes with ``"async": true`` or ``Prefer: respond-async``."""

from __future__ import annotations

from typing import TypeVar

from litestar import Controller, delete, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from avatar_service.core.errors import Invalid
from avatar_service.core.jobs import JobFilter, JobKind, JobStatus
from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.problems import problem_specs
from avatar_service.entrypoints.http.schemas.jobs import (
    DeliveryListResponse,
    JobListResponse,
    JobResponse,
    to_delivery_list,
    to_job_list,
    to_job_response,
)

E = TypeVar("E", JobStatus, JobKind)


class JobController(Controller):
    path = "/v1/jobs"
    tags = ("jobs",)

    @get("/", operation_id="listJobs", sync_to_thread=True, responses=problem_specs(400, 422))
    def list_jobs(
        self,
        container: NamedDependency[Container],
        status: FromQuery[str | None] = None,
        kind: FromQuery[str | None] = None,
        avatar_id: FromQuery[str | None] = None,
        limit: FromQuery[int] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> JobListResponse:
        """One page of jobs, oldest first, filtered by status, kind and avatar_id.

        422: an unknown status (queued, running, done, failed, cancelled) or kind (sequence,
        animation), a bad limit or cursor.
        """
        where = JobFilter(
            status=_choice(JobStatus, status, "status"),
            kind=_choice(JobKind, kind, "kind"),
            avatar_id=avatar_id,
        )
        page = container.jobs.list_jobs(where, limit=limit, cursor=cursor)
        return to_job_list(page)

    @get("/{job_id:str}", operation_id="getJob", sync_to_thread=True, responses=problem_specs(404))
    def get_job(self, job_id: FromPath[str], container: NamedDependency[Container]) -> JobResponse:
        """The job's status: queued, running with progress, done with the result (video_url),
        failed with a problem, or cancelled."""
        return to_job_response(container.jobs.get(job_id))

    @delete(
        "/{job_id:str}",
        operation_id="cancelJob",
        status_code=200,
        sync_to_thread=True,
        responses=problem_specs(404, 409),
    )
    def cancel_job(
        self, job_id: FromPath[str], container: NamedDependency[Container]
    ) -> JobResponse:
        """Cancel a queued or running job (a running render stops at its next progress step).

        409: the job already finished (done, failed or cancelled).
        """
        return to_job_response(container.jobs.cancel(job_id))

    @get(
        "/{job_id:str}/deliveries",
        operation_id="listJobDeliveries",
        sync_to_thread=True,
        responses=problem_specs(404),
    )
    def deliveries(
        self, job_id: FromPath[str], container: NamedDependency[Container]
    ) -> DeliveryListResponse:
        """Every webhook delivery attempt made for the job, oldest first."""
        return to_delivery_list(job_id, container.jobs.deliveries(job_id))


def _choice(enum: type[E], value: str | None, field: str) -> E | None:
    if value is None:
        return None
    try:
        return enum(value)
    except ValueError:
        options = ", ".join(member.value for member in enum)
        raise Invalid(f"{field} must be one of {options}", field=field) from None
