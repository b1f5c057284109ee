"""A warm pool of ``node render.js --worker`` processes speaking NDJSON (see
``renderer/src/worker.js``), one job at a time per worker.

- Admission is bounded: ``size`` jobs run and at most ``queue`` wait; one more raises
  ``Unavailable`` with ``retry_after``. A job waiting longer than ``max_wait`` for a worker
  raises ``Unavailable`` too.
- A job over its ``timeout`` kills the worker's process group (its ffmpeg included), a fresh
  worker takes its place, and ``TimedOut`` is raised.
- A worker that dies mid-job is replaced and its job fails with ``Unavailable``.
- Workers start on first use and stay up until ``close()``.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import IO, Any

import structlog

from avatar_service.core.errors import TimedOut, Unavailable

Message = dict[str, Any]
_EOF: Message = {"type": "eof"}
_STDERR_LINES = 20
_LEVELS = ("debug", "info", "warning", "error")


renderer_log = structlog.get_logger("avatar_service.renderer")


def _relay_log_line(text: str) -> None:
    """Log a worker's structured stderr line (``{"level": ..., "event": ..., ...}``) here,
    with its fields (``request_id`` among them); other lines stay in the stderr tail only."""
    try:
        fields = json.loads(text)
    except ValueError:
        return
    if not isinstance(fields, dict) or fields.get("level") not in _LEVELS:
        return
    level = fields.pop("level")
    event = str(fields.pop("event", "renderer message"))
    getattr(renderer_log, level)(event, **{str(k): v for k, v in fields.items()})


class WorkerDied(Exception):
    """The worker's stdout closed before it answered."""


class WorkerTimeout(Exception):
    """The worker did not answer in time."""


class Worker:
    """One worker process; ``run`` sends a job and waits for its answer."""

    def __init__(self, argv: list[str], env: Mapping[str, str]) -> None:
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env),
            start_new_session=True,  # own process group: kill takes ffmpeg too
        )
        self._messages: queue.Queue[Message] = queue.Queue()
        self._stderr: deque[str] = deque(maxlen=_STDERR_LINES)
        assert self.process.stdout is not None and self.process.stderr is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()
        threading.Thread(target=self._drain, args=(self.process.stderr,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        for line in stream:
            try:
                message = json.loads(line)
            except ValueError:
                self._stderr.append(line.decode(errors="replace").rstrip())
                continue
            if isinstance(message, dict):
                self._messages.put(message)
        self._messages.put(_EOF)

    def _drain(self, stream: IO[bytes]) -> None:
        for line in stream:
            text = line.decode(errors="replace").rstrip()
            self._stderr.append(text)
            if text.startswith("{"):
                _relay_log_line(text)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def stderr_tail(self) -> str:
        return " | ".join(line for line in self._stderr if line)[-500:]

    def run(
        self, job: Message, timeout: float, progress: Callable[[Message], None] | None = None
    ) -> Message:
        """The worker's final message for ``job`` (``result`` or ``error``); progress messages go
        to ``progress``. Raises ``WorkerTimeout`` or ``WorkerDied``."""
        deadline = time.monotonic() + timeout
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(job).encode() + b"\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise WorkerDied(str(exc)) from None
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WorkerTimeout
            try:
                message = self._messages.get(timeout=remaining)
            except queue.Empty:
                raise WorkerTimeout from None
            if message is _EOF:
                self._messages.put(_EOF)
                raise WorkerDied(self.stderr_tail() or f"exit code {self.process.wait()}")
            if message.get("id") != job["id"]:
                continue  # "ready", or a late answer to a job given up on
            if message.get("type") == "progress":
                if progress is not None:
                    progress(message)
                continue
            return message

    def kill(self) -> None:
        """Kill the worker and everything it started; never raises."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.wait(timeout=5)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            with contextlib.suppress(Exception):
                if stream is not None:
                    stream.close()


class WorkerPool:
    """``size`` workers made by ``spawn``, at most ``queue`` jobs waiting for one."""

    def __init__(
        self, spawn: Callable[[], Worker], size: int, queue_bound: int, max_wait: float
    ) -> None:
        if size < 1 or queue_bound < 0:
            raise ValueError("size must be >= 1 and queue_bound >= 0")
        self._spawn = spawn
        self.size = size
        self.queue_bound = queue_bound
        self._max_wait = max_wait
        self._admission = threading.BoundedSemaphore(size + queue_bound)
        self._idle: queue.LifoQueue[Worker | None] = queue.LifoQueue()
        for _ in range(size):
            self._idle.put(None)  # started on first use
        self._all: set[Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._waiting = self._busy = self._restarts = 0

    def run(
        self, job: Message, timeout: float, progress: Callable[[Message], None] | None = None
    ) -> Message:
        """Run ``job`` on a free worker (see the module docstring for the failure modes)."""
        if not self._admission.acquire(blocking=False):
            raise Unavailable(
                f"the renderer is busy ({self.size} rendering, {self.queue_bound} waiting); "
                "retry shortly",
                retry_after=max(1.0, min(timeout, 5.0)),
            )
        try:
            self._count(waiting=1)
            try:
                worker = self._idle.get(timeout=self._max_wait)
            except queue.Empty:
                raise Unavailable(
                    f"no renderer worker became free within {self._max_wait:g} s",
                    retry_after=max(1.0, min(timeout, 5.0)),
                ) from None
            finally:
                self._count(waiting=-1)
            self._count(busy=1)
            keep: Worker | None = None
            try:
                worker = worker if worker is not None and worker.alive else self._start()
                try:
                    answer = worker.run(job, timeout, progress)
                except WorkerTimeout:
                    self._discard(worker)
                    keep = self._replacement()
                    raise TimedOut(f"rendering took over {timeout:g} s and was stopped") from None
                except WorkerDied as exc:
                    self._discard(worker)
                    keep = self._replacement()
                    raise Unavailable(
                        f"a renderer worker died ({exc}); it was replaced, retry the request",
                        retry_after=1.0,
                    ) from None
                keep = worker
                return answer
            finally:
                self._idle.put(keep)
                self._count(busy=-1)
        finally:
            self._admission.release()

    def _start(self) -> Worker:
        if self._closed:
            raise Unavailable("the renderer is shut down")
        try:
            worker = self._spawn()
        except OSError as exc:
            raise Unavailable(f"cannot start a renderer worker: {exc}") from None
        with self._lock:
            self._all.add(worker)
        return worker

    def _replacement(self) -> Worker | None:
        """A fresh worker to keep the pool warm, or ``None`` (the next job starts one)."""
        try:
            return self._start()
        except Unavailable:
            return None

    def _discard(self, worker: Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
            if not self._closed:
                self._restarts += 1

    def _count(self, *, waiting: int = 0, busy: int = 0) -> None:
        with self._lock:
            self._waiting += waiting
            self._busy += busy

    def stats(self) -> dict[str, int]:
        """``waiting`` (jobs queued for a worker), ``busy`` (jobs running), ``restarts``
        (workers killed after a timeout or a death, since start), ``size``."""
        with self._lock:
            return {
                "waiting": self._waiting,
                "busy": self._busy,
                "restarts": self._restarts,
                "size": self.size,
            }

    def workers(self) -> list[Worker]:
        with self._lock:
            return list(self._all)

    def close(self) -> None:
        """Kill every worker; later jobs raise ``Unavailable``."""
        self._closed = True
        for worker in self.workers():
            self._discard(worker)
