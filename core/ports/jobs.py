"""Job ports: job persistence, the queue that hands job ids to workers, and webhook sending."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol, runtime_checkable

from avatar_service.core.jobs import Job, JobFilter, JobStatus, JobUpdate, WebhookDelivery
from avatar_service.core.records import (
    Page,
)
from avatar_service.core.tenancy import TenantScope


@runtime_checkable
class JobStore(Protocol):
    """Optional ``Store`` capability: persistence of render jobs and their webhook deliveries.

    - ``create_job`` of an existing id raises ``Conflict``; ``get_job`` of a missing one
      ``NotFound``.
    - Tenancy as for ``Store``: ``scoped_jobs(tenant)`` is a view acting in ``tenant`` (job
      ids are unique across tenants; the cross-tenant view reads, claims and updates any job
      by id, and creates none).
    - ``list_jobs`` follows the ``Store`` listing rules (oldest first, ``limit``, opaque
      ``cursor``) and keeps the jobs matching every non-``None`` field of ``where``.
    - ``update_job`` applies ``change`` atomically only while the job's status is in
      ``statuses`` (``None``: any) and, when ``owner`` is given, its lease is held by
      ``owner``; it returns the updated job (version + 1), or ``None`` when the condition
      did not hold. A missing job raises ``NotFound``.
    - ``claim_job`` atomically starts the job for ``owner`` until ``lease_until`` when it is
      queued, or running under a lease that expired before ``now``: status running, attempts
      + 1, ``started_at`` set on the first claim. Otherwise it returns ``None`` and changes
      nothing; of concurrent claims at most one wins.
    - ``add_webhook_delivery`` records one attempt (its job must exist: ``NotFound``);
      ``list_webhook_deliveries`` returns a job's attempts in the order they were made.
    """

    def scoped_jobs(self, tenant: TenantScope) -> JobStore: ...
    def create_job(self, job: Job) -> Job: ...
    def get_job(self, job_id: str) -> Job: ...
    def list_jobs(
        self, *, where: JobFilter | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page[Job]: ...
    def update_job(
        self,
        job_id: str,
        change: JobUpdate,
        *,
        statuses: frozenset[JobStatus] | None = None,
        owner: str | None = None,
    ) -> Job | None: ...
    def claim_job(
        self, job_id: str, owner: str, *, lease_until: datetime, now: datetime
    ) -> Job | None: ...
    def add_webhook_delivery(self, delivery: WebhookDelivery) -> WebhookDelivery: ...
    def list_webhook_deliveries(self, job_id: str) -> list[WebhookDelivery]: ...


JobHandler = Callable[[str], None]
"""Runs one job by id to its end; it never raises for a job's own failure."""


@runtime_checkable
class JobQueue(Protocol):
    """Hands job ids to workers; the job's state lives in the ``JobStore``, never here.

    - ``enqueue(job_id)`` returns once the id is handed over. Delivery is at least once: an id
      may reach a handler more than once (the handler is idempotent), and a worker that dies
      mid-job has its job handed to another (distributed queues) or resumed at start-up from
      the store (in-process queues).
    - ``in_process``: ``True`` when the workers run inside the serving process (the API starts
      them); ``False`` when separate ``avatar worker`` processes run them.
    - ``start(handler, concurrency)`` runs ``handler(job_id)`` for delivered ids in up to
      ``concurrency`` threads of this process and returns at once; ``close()`` stops taking
      work, waits briefly for running handlers, releases connections, and may be called twice.
    - ``depth()`` is how many ids wait (best effort); ``check()`` as for every port.
    """

    in_process: bool

    def enqueue(self, job_id: str) -> None: ...
    def start(self, handler: JobHandler, concurrency: int) -> None: ...
    def depth(self) -> int: ...
    def close(self) -> None: ...
    def check(self) -> None: ...


@runtime_checkable
class WebhookSender(Protocol):
    """POSTs a webhook: ``post(url, body, headers, timeout)`` returns the response's HTTP
    status (any status: the caller decides what counts as delivered); no response at all
    (refused, unresolvable, timed out after ``timeout`` seconds) raises ``Unavailable``
    without the network's reason (clients read the delivery records). Redirects are not
    followed. A sender that connects itself applies its ``DestinationPolicy`` to the resolved
    addresses, connects only to an admitted one and raises ``RefusedDestination`` when none is
    (``core/webhook_targets.py``)."""

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int: ...

    def check(self) -> None: ...
