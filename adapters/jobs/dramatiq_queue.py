"""The distributed job queue: Dramatiq on Redis.

A message carries only the job id. Dramatiq acknowledges it after the handler returns; a worker
process that dies holding messages stops sending heartbeats, and after ``dead_worker_seconds``
the broker's maintenance puts its unacknowledged messages back on the queue for another worker.
A handler that raises (the store was unreachable, say) is retried with exponential backoff up
to ``max_retries`` times.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import Retries

from avatar_service.core.errors import Invalid, Unavailable
from avatar_service.core.ports import JobHandler, JobQueue

ACTOR_NAME = "avatar_run_job"


class DramatiqJobQueue(JobQueue):
    """``JobQueue`` over a Dramatiq ``RedisBroker``; ``start`` makes this process a worker."""

    PLUGIN_NAME = "dramatiq"
    in_process = False

    def __init__(
        self,
        redis_url: str,
        *,
        namespace: str = "avatar",
        queue_name: str = "jobs",
        dead_worker_seconds: float = 60.0,
        maintenance_chance: int = 1000,
        max_retries: int = 5,
        poll_ms: int = 100,
    ) -> None:
        if dead_worker_seconds <= 0 or poll_ms < 1:
            raise Invalid("dead_worker_seconds and poll_ms must be positive", field="jobs")
        self._url = redis_url
        self._queue_name = queue_name
        self._namespace = namespace
        self._poll_ms = poll_ms
        self._broker = RedisBroker(  # type: ignore[no-untyped-call]
            url=redis_url,
            namespace=namespace,
            heartbeat_timeout=int(dead_worker_seconds * 1000),
            maintenance_chance=maintenance_chance,
            middleware=[Retries(max_retries=max_retries, min_backoff=1000, max_backoff=60_000)],
        )
        self._handler: JobHandler | None = None
        self._actor: dramatiq.Actor[[str], None] = dramatiq.Actor(
            self._handle,
            broker=self._broker,
            actor_name=ACTOR_NAME,
            queue_name=queue_name,
            priority=0,
            options={},
        )
        self._worker: dramatiq.Worker | None = None
        self._lock = threading.Lock()

    def enqueue(self, job_id: str) -> None:
        if not job_id:
            raise Invalid("a job id is needed", field="job_id")
        try:
            self._actor.send(job_id)
        except redis.RedisError as exc:
            raise self._unavailable(exc) from None

    def start(self, handler: JobHandler, concurrency: int) -> None:
        if concurrency < 1:
            raise Invalid("concurrency must be at least 1", field="concurrency")
        with self._lock:
            if self._worker is not None:
                return
            self._handler = handler
            self._worker = dramatiq.Worker(
                self._broker, worker_threads=concurrency, worker_timeout=self._poll_ms
            )
            self._worker.start()

    def depth(self) -> int:
        try:
            return int(self._broker.client.llen(f"{self._namespace}:{self._queue_name}"))
        except redis.RedisError as exc:
            raise self._unavailable(exc) from None

    def close(self) -> None:
        with self._lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop(timeout=10_000)
        self._broker.close()

    def check(self) -> None:
        try:
            self._broker.client.ping()
        except redis.RedisError as exc:
            raise self._unavailable(exc) from None

    def _handle(self, job_id: str) -> None:
        handler = self._handler
        if handler is None:  # a process that only sends never consumes; guard all the same
            raise RuntimeError("this process runs no jobs (no worker was started)")
        handler(job_id)

    def _unavailable(self, exc: Any) -> Unavailable:
        where = urlsplit(self._url).hostname or self._url
        return Unavailable(
            f"the job queue's Redis at {where} is not reachable: {exc}; check "
            "REDIS_URL (or AVATAR_REDIS_URL) and that Redis is running",
            retry_after=5,
        )
