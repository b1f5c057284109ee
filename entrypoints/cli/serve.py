"""``avatar serve``: the HTTP API with uvicorn, after the start-up checks of
``bootstrap.preflight``."""

from __future__ import annotations

import signal
from types import FrameType
from typing import TYPE_CHECKING

import click

from avatar_service.core.errors import Unavailable
from avatar_service.entrypoints.cli.state import CliState, pass_state

if TYPE_CHECKING:
    from avatar_service.entrypoints.settings import Settings

APP_FACTORY = "avatar_service.entrypoints.http.app:app_from_environment"
UVICORN_STARTUP_FAILURE = 3


@click.command()
@click.option("--host", help="Address to bind [default: AVATAR_SERVER__HOST or 127.0.0.1].")
@click.option(
    "--port", type=click.IntRange(1, 65535), help="Port [default: AVATAR_SERVER__PORT or 8000]."
)
@click.option(
    "--reload/--no-reload", default=False, help="Restart when the code changes (development)."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Worker processes [default: AVATAR_SERVER__WORKERS or 1].",
)
@pass_state
def serve(
    state: CliState, host: str | None, port: int | None, reload: bool, workers: int | None
) -> None:
    """Run the HTTP API with uvicorn.

    The configured adapter names and their options are checked first: an unknown name or a bad
    option exits with code 2 before anything starts. With no API key configured or stored,
    only a loopback address is served unless AVATAR_ALLOW_ANONYMOUS=true (docs/security.md).
    """
    from avatar_service.entrypoints.bootstrap import preflight

    state.logging_now()  # a server logs as it goes
    settings = state.settings()
    host, port = host or settings.server.host, port or settings.server.port
    server = settings.server.model_copy(update={"host": host, "port": port})
    preflight(settings.model_copy(update={"server": server}))
    # uvicorn drains in-flight requests on SIGTERM, then re-raises the signal; a stop that was
    # asked for is a clean one, so it ends the process with status 0 instead of the signal.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    try:
        _run_uvicorn(settings, host, port, reload, workers)
    except SystemExit as exc:
        if exc.code == UVICORN_STARTUP_FAILURE:  # it logged why; say it in one line too
            message = f"the server could not start on {host}:{port} (see the log above)"
            raise Unavailable(message) from None
        raise


def _run_uvicorn(
    settings: Settings, host: str, port: int, reload: bool, workers: int | None
) -> None:
    import uvicorn

    from avatar_service.entrypoints.http.timeouts import HeaderTimeoutProtocol  # the web stack

    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        reload=reload,
        workers=1 if reload else (workers or settings.server.workers),
        log_config=None,
        access_log=False,  # the app logs one access line per request, with its request id
        log_level=settings.log.level,
        http=HeaderTimeoutProtocol,  # AVATAR_SERVER__HEADER_TIMEOUT
        timeout_keep_alive=settings.server.keep_alive_timeout,
    )


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


COMMANDS = (serve,)
