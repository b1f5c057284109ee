"""Delivering a finished job's webhook: signed, retried with exponential backoff a bounded
number of times, every attempt recorded.

An attempt's record says what the receiver answered, "refused: private address" when the
destination policy refused every address of the receiver (no retry follows), or that the
receiver could not be reached, never why: the records are visible to clients, and a
connection error that told a refused port from a filtered one would make the service a port
scanner of whatever it can reach."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from avatar_service.core.errors import Invalid, Unavailable
from avatar_service.core.jobs import FINISHED, Job, JobUpdate, WebhookDelivery, WebhookState
from avatar_service.core.ports import JobStore, WebhookSender
from avatar_service.core.records import utcnow
from avatar_service.core.webhook_targets import (
    REFUSED_PRIVATE,
    DestinationPolicy,
    RefusedDestination,
)
from avatar_service.core.webhooks import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, sign

log = logging.getLogger(__name__)

REFUSED = "refused: "
UNREACHABLE = "the receiver could not be reached (no connection, or no answer in time)"


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    secret: str | None = None
    """Signing secret; a job cannot ask for a webhook without one."""
    max_attempts: int = 5
    backoff_base: float = 1.0
    """Seconds before the second attempt; each later wait doubles."""
    timeout: float = 10.0
    """Seconds to wait for the receiver's answer, per attempt."""
    destinations: DestinationPolicy = field(default_factory=DestinationPolicy)
    """Which destinations a webhook may have (checked when a job is submitted; the sender
    applies the same policy to the resolved addresses)."""


def job_event(job: Job) -> dict[str, Any]:
    """The public view of a job: the webhook body and the HTTP/CLI representation."""
    return {
        "job_id": job.job_id,
        "kind": str(job.kind),
        "status": str(job.status),
        "progress": job.progress,
        "avatar_id": job.avatar_id,
        "result": job.result,
        "error": job.error,
        "attempts": job.attempts,
        "webhook_url": job.webhook_url,
        "webhook_state": None if job.webhook_state is None else str(job.webhook_state),
        "created_at": job.created_at.isoformat(),
        "updated_at": job.updated_at.isoformat(),
        "started_at": None if job.started_at is None else job.started_at.isoformat(),
        "finished_at": None if job.finished_at is None else job.finished_at.isoformat(),
        "tenant": job.tenant,
    }


class WebhookDeliverer:
    """Sends a finished job's final status to its ``webhook_url`` once it is pending."""

    def __init__(
        self,
        store: JobStore,
        sender: WebhookSender,
        policy: DeliveryPolicy,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._store = store
        self._sender = sender
        self._policy = policy
        self._sleep = sleep

    def deliver(self, job: Job) -> WebhookState | None:
        """POST the job's final status until a 2xx answer or ``max_attempts`` attempts; record
        each attempt and the outcome on the job. Nothing to do (not finished, no webhook, or
        already settled) returns the job's webhook state unchanged."""
        if not job.status.finished or job.webhook_state is not WebhookState.PENDING:
            return job.webhook_state
        assert job.webhook_url is not None
        body = json.dumps(
            {"type": f"job.{job.status}", "job": job_event(job)}, separators=(",", ":")
        ).encode()
        done = len(self._store.list_webhook_deliveries(job.job_id))
        state = WebhookState.FAILED
        last_error: str | None = None
        # The bound counts attempts an earlier, interrupted worker made too.
        for attempt in range(done + 1, self._policy.max_attempts + 1):
            if attempt > 1:
                self._sleep(self._policy.backoff_base * 2 ** (attempt - 2))
            delivery = self._attempt(job, body, attempt)
            self._store.add_webhook_delivery(delivery)
            if delivery.ok:
                state = WebhookState.DELIVERED
                break
            last_error = delivery.error
            if delivery.status_code is None and (delivery.error or "").startswith(REFUSED):
                break  # the policy will refuse it again: no point in knocking
        self._store.update_job(job.job_id, JobUpdate(webhook_state=state), statuses=FINISHED)
        if state is WebhookState.FAILED:
            log.warning("webhook of job %s given up: %s", job.job_id, last_error)
        return state

    def _attempt(self, job: Job, body: bytes, attempt: int) -> WebhookDelivery:
        assert job.webhook_url is not None and self._policy.secret is not None
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(self._policy.secret, body, int(time.time())),
            EVENT_HEADER: f"job.{job.status}",
            DELIVERY_HEADER: f"{job.job_id}.{job.status}",
        }
        started = time.monotonic()
        status, error = None, None
        try:
            self._policy.destinations.target(job.webhook_url)  # stored before a policy change
            status = self._sender.post(job.webhook_url, body, headers, self._policy.timeout)
            if not 200 <= status < 300:
                error = f"the receiver answered HTTP {status}"
        except RefusedDestination:
            error = REFUSED_PRIVATE
        except Invalid as exc:
            error = f"{REFUSED}{exc.message}"
        except Unavailable:
            error = UNREACHABLE
        return WebhookDelivery(
            job.job_id,
            attempt,
            job.webhook_url,
            status,
            error,
            time.monotonic() - started,
            created_at=utcnow(),
        )
