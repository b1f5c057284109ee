"""Builds the job use cases from settings: the store's ``JobStore`` capability, the queue, the
webhook sender, and the policy (lease, webhook secret, retries, public render URLs)."""

from __future__ import annotations

from collections.abc import Callable

from avatar_service.core.ports import JobQueue, JobStore, Store, WebhookSender
from avatar_service.core.usecases.jobs import JobPolicy, JobUseCases
from avatar_service.core.usecases.rendering import RenderUseCases
from avatar_service.core.usecases.webhook_delivery import DeliveryPolicy
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.registry import PluginError


def job_policy(settings: Settings) -> JobPolicy:
    job = settings.job
    secret = job.webhook_secret.get_secret_value() if job.webhook_secret is not None else None
    return JobPolicy(
        lease_seconds=job.lease_seconds,
        default_webhook_url=job.webhook_url or None,
        render_url=job.public_url.rstrip("/") + "/v1/renders/{render_id}",
        delivery=DeliveryPolicy(
            secret=secret or None,
            max_attempts=job.webhook_attempts,
            backoff_base=job.webhook_backoff,
            timeout=job.webhook_timeout,
            destinations=job.webhook_destinations(),
        ),
        max_active_per_tenant=job.max_active_per_tenant,
        max_active=job.max_active,
        full_retry_after=job.full_retry_after,
    )


def build_jobs(
    settings: Settings,
    store: Store,
    queue: JobQueue,
    webhooks: WebhookSender,
    rendering: RenderUseCases,
    rendering_for: Callable[[str], RenderUseCases] | None = None,
) -> JobUseCases:
    """Raises ``PluginError`` when the configured store cannot keep jobs. ``rendering_for``
    gives the render use cases of a tenant (jobs render in their submitter's tenant)."""
    if not isinstance(store, JobStore):
        raise PluginError(
            f"the store {settings.store!r} cannot keep render jobs (it lacks JobStore); "
            "use AVATAR_STORE=sqlmodel or memory"
        )
    return JobUseCases(
        store,
        store,
        queue,
        rendering,
        webhooks,
        job_policy(settings),
        rendering_for=rendering_for,
    )


def start_embedded_workers(jobs: JobUseCases, settings: Settings) -> bool:
    """When the queue runs jobs inside this process (``embedded``), resume the stored jobs and
    start its workers; return whether it did (separate ``avatar worker`` processes otherwise)."""
    if not jobs.queue.in_process:
        return False
    jobs.serve(settings.job.concurrency)
    return True
