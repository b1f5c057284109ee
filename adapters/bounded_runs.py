"""A bound on how many onnxruntime model runs go at once, shared by the neural voice and the
phone models.

Each run holds its activations in onnxruntime's arena, which keeps the most ever held at once:
bounding the runs keeps that, and so the process's memory, fixed under any load."""

from __future__ import annotations

import os
import threading
from typing import Any


def default_concurrency() -> int:
    """Twice the CPU cores Python sees (in a container under a CPU quota, the host's)."""
    return 2 * (os.cpu_count() or 1)


def run_bound(concurrency: int | None) -> threading.BoundedSemaphore:
    """A semaphore of ``concurrency`` runs (``None``: ``default_concurrency()``)."""
    if concurrency is not None and concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    return threading.BoundedSemaphore(concurrency or default_concurrency())


class BoundedSession:
    """An onnxruntime session whose ``run`` waits while ``runs`` (a semaphore that may be
    shared by several sessions) is exhausted; everything else is the session's own."""

    def __init__(self, session: Any, runs: threading.Semaphore) -> None:
        self._session = session
        self._runs = runs

    def run(self, *args: Any, **kwargs: Any) -> Any:
        with self._runs:
            return self._session.run(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)
