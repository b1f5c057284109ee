"""The embedded job queue: worker threads inside the serving process.

Ids wait in memory only; the jobs themselves are in the store, and the serving process resumes
every queued or running one when it starts (``JobUseCases.serve``), so a restart loses none.
"""

from __future__ import annotations

import logging
import queue
import threading

from avatar_service.core.errors import Invalid
from avatar_service.core.ports import JobHandler, JobQueue

log = logging.getLogger(__name__)

_STOP = ""


class EmbeddedJobQueue(JobQueue):
    """``JobQueue`` on a ``queue.Queue`` and ``concurrency`` daemon threads."""

    PLUGIN_NAME = "embedded"
    in_process = True

    def __init__(self, shutdown_grace: float = 5.0) -> None:
        self._ids: queue.Queue[str] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False
        self._grace = shutdown_grace

    def enqueue(self, job_id: str) -> None:
        if not job_id:
            raise Invalid("a job id is needed", field="job_id")
        self._ids.put(job_id)

    def start(self, handler: JobHandler, concurrency: int) -> None:
        if concurrency < 1:
            raise Invalid("concurrency must be at least 1", field="concurrency")
        with self._lock:
            if self._threads or self._closed:
                return
            for number in range(concurrency):
                thread = threading.Thread(
                    target=self._work, args=(handler,), name=f"avatar-job-{number}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def depth(self) -> int:
        return self._ids.qsize()

    def close(self) -> None:
        """Stop the threads once their current job ends; jobs still running after the grace
        period are left to their lease (resumed by the next start)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            threads = list(self._threads)
        for _ in threads:
            self._ids.put(_STOP)
        for thread in threads:
            thread.join(timeout=self._grace / max(1, len(threads)))

    def check(self) -> None:
        return None

    def _work(self, handler: JobHandler) -> None:
        while True:
            job_id = self._ids.get()
            if job_id == _STOP or self._closed:  # ids left behind stay queued in the store
                return
            try:
                handler(job_id)
            except Exception:  # the handler records job failures; this is a store outage
                log.exception("job %s could not be run", job_id)
