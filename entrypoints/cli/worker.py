"""``avatar worker``: a process that runs render jobs from the distributed queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from avatar_service.core.errors import AvatarServiceError, Invalid
from avatar_service.entrypoints.cli.state import CliState, pass_state

if TYPE_CHECKING:
    from types import FrameType


@click.command()
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    help="Jobs run at once [default: AVATAR_JOB__CONCURRENCY or 2].",
)
@pass_state
def worker(state: CliState, concurrency: int | None) -> None:
    """Run render jobs from the distributed queue until SIGTERM or Ctrl-C.

    Needs AVATAR_JOBS=dramatiq (with REDIS_URL) and the database and blob store the API uses;
    start as many as you like, on any machine. With the embedded queue `avatar serve` runs the
    jobs itself.
    """
    import logging
    import os
    import platform
    import signal
    import threading

    log = logging.getLogger(__name__)
    state.logging_now()  # a worker logs as it goes
    container = state.container()
    settings = container.settings
    if container.jobs.queue.in_process:
        raise Invalid(
            f"AVATAR_JOBS={settings.jobs} runs jobs inside `avatar serve`; set "
            "AVATAR_JOBS=dramatiq (and REDIS_URL) to run separate workers",
            field="jobs",
        )
    container.jobs.queue.check()
    threads = concurrency or settings.job.concurrency
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        container.jobs.start_workers(threads)
        click.echo(
            f"worker {platform.node()}:{os.getpid()}: {threads} thread(s) on the "
            f"{settings.jobs} queue {settings.job.namespace}:{settings.job.queue}",
            err=True,
        )
        # A job whose message never reached the queue would wait for ever: sweep for them.
        while not stop.wait(settings.job.lease_seconds):
            try:
                container.jobs.requeue_stranded(settings.job.lease_seconds)
            except AvatarServiceError as exc:
                log.warning("could not sweep for stranded jobs: %s", exc.message)
        click.echo("stopping: finishing running jobs (others go back to the queue)", err=True)
    finally:
        container.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


COMMANDS = (worker,)
