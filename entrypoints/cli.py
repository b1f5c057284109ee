"""The ``avatar`` command line: parse arguments, call the use cases, format the result.

This module holds the operations commands (serve, plugins, config, doctor) and imports every
other command module so that ``main`` has them all.
"""

from __future__ import annotations

import errno
import json
import signal
import socket
from collections.abc import Iterator, Mapping
from dataclasses import asdict
from types import FrameType
from typing import Any

import click
import uvicorn

from avatar_service.core.errors import AvatarServiceError, Invalid, Unavailable
from avatar_service.entrypoints import (
    cli_assets,  # noqa: F401  (registers its commands)
    cli_db,  # noqa: F401  (registers its commands)
    cli_jobs,  # noqa: F401  (registers its commands)
    cli_keys,  # noqa: F401  (registers its commands)
    cli_render,  # noqa: F401  (registers its commands)
    cli_speech,  # noqa: F401  (registers its commands)
)
from avatar_service.entrypoints.adapter_options import (
    describe_options,
    option_notes,
    option_tables,
    plugin_options,
    settings_with_options,
)
from avatar_service.entrypoints.bootstrap import Container, adapter_names
from avatar_service.entrypoints.cli_base import (
    EXIT_FAILURE,
    CliState,
    echo_table,
    emit_json,
    json_option,
    main,
    pass_state,
)
from avatar_service.entrypoints.cli_db import check_schema
from avatar_service.entrypoints.cli_doctor import check_tools
from avatar_service.entrypoints.cli_keys import check_exposure
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import build_registry, describe_plugins, make_plugin_manager

__all__ = ["main"]

APP_FACTORY = "avatar_service.entrypoints.http.app:app_from_environment"


# -- operations -----------------------------------------------------------------------------


@main.command()
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
) -> None:  # fmt: skip
    """Run the HTTP API with uvicorn.

    The configured adapter names and their options are checked first: an unknown name or a bad
    option exits with code 2 before anything starts. With no API key configured or stored,
    only a loopback address is served unless AVATAR_ALLOW_ANONYMOUS=true (docs/security.md).
    """
    settings = state.settings()
    host, port = host or settings.server.host, port or settings.server.port
    check_port_free(host, port)
    check_adapter_names(settings)
    check_schema(settings)
    check_exposure(settings, host)
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


UVICORN_STARTUP_FAILURE = 3


def _run_uvicorn(
    settings: Settings, host: str, port: int, reload: bool, workers: int | None
) -> None:
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


def check_port_free(host: str, port: int) -> None:
    """Raise ``Unavailable`` when another program listens on ``host:port``, before anything
    starts. Other bind problems (an address of another machine) are uvicorn's to report."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise Invalid(f"--host {host!r} does not resolve ({exc.strerror})", field="host") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise Unavailable(
                    f"port {port} on {host} is in use by another program: stop it, or serve on "
                    "another port with --port (or AVATAR_SERVER__PORT)"
                ) from None


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def check_adapter_names(settings: Settings) -> None:
    """Raise ``UnknownAdapter`` unless a plugin registered every configured adapter name, and
    ``InvalidOptions`` when one's options do not validate; no adapter is built."""
    registry = build_registry(make_plugin_manager())
    for port, name in adapter_names(settings).items():
        registry.options_of(port, name, settings)


@main.command()
@json_option
@pass_state
def plugins(state: CliState, as_json: bool) -> None:
    """List plugins and the adapters each one registered.

    Shows each plugin's distribution, version, hooks and adapter names per port, and the
    typed options of its adapters (AVATAR_OPTIONS__<NAME>__*): type, default, current value.
    """
    pm = make_plugin_manager()
    registry = build_registry(pm)
    infos, options = describe_plugins(pm, registry), describe_options(registry, state.settings())
    if as_json:
        emit_json(
            {"plugins": [{**asdict(i), "options": plugin_options(options, i.name)} for i in infos]}
        )
        return
    for info in infos:
        origin = f" (from {info.distribution})" if info.distribution else ""
        click.echo(f"{info.name} {info.version or 'unknown version'}{origin}")
        rows = [[port, ", ".join(names)] for port, names in info.registered.items()]
        echo_table([*rows, ["hooks", ", ".join(info.hooks) or "none"]], indent="  ")
        for title, option_rows in option_tables(options, info.name):
            click.echo(f"  {title}")
            echo_table(option_rows, indent="    ")


@main.command()
@json_option
@pass_state
def config(state: CliState, as_json: bool) -> None:
    """Show the effective settings, secrets masked.

    Text output is one `key = value` line per setting, nested keys dotted; `data_dir` is
    AVATAR_DATA_DIR, the folder the locations not set explicitly are inside (stderr names it).
    Adapters' typed options (`options.<adapter>.<option>`) are followed by `# type, default`.
    """
    settings = state.settings()
    options = describe_options(build_registry(make_plugin_manager()), settings)
    data, notes = settings_with_options(settings, options), option_notes(options)
    if not as_json:
        where = settings.data_dir.resolve()
        click.echo(f"data: {where} (AVATAR_DATA_DIR; database, assets, audio, renders)", err=True)
    if as_json:
        emit_json(data)
        return
    for key, value in flatten(data):
        note = f"  # {notes[key]}" if key in notes else ""
        click.echo(f"{key} = {value if isinstance(value, str) else json.dumps(value)}{note}")


def flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        if isinstance(value, Mapping) and value:
            yield from flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


@main.command()
@json_option
@pass_state
def doctor(state: CliState, as_json: bool) -> None:
    """Check the configured adapters, node and ffmpeg, and name the default voice.

    Exits 1 when an adapter, or a tool a configured adapter needs, is not usable; a tool no
    configured adapter needs is only a warning. A fallback to espeak-ng (no neural voice
    installed) is a warning.
    """
    container = state.container()
    checks = container.check()
    tools = check_tools(state.settings())
    voice = voice_report(container)
    ok = all(check.ok for check in checks) and all(t.ok for t in tools if t.required)
    if as_json:
        emit_json({
            "ok": ok, "adapters": [asdict(c) for c in checks], "tools": [asdict(t) for t in tools],
            "voice": voice,
        })  # fmt: skip
    else:
        click.echo("voice")
        rows = [["", "default", str(voice["default"] or "none")]]
        rows += [["WARN", "", notice] for notice in voice["notices"]]
        echo_table(rows, indent="  ")
        click.echo("adapters")
        echo_table(
            [["OK" if c.ok else "FAIL", c.port, c.adapter, c.detail] for c in checks], indent="  "
        )
        click.echo("tools")
        rows = []
        for tool in tools:
            if tool.ok:
                rows.append(["OK", tool.name, f"{tool.detail} ({tool.path})"])
                continue
            optional = "" if tool.required else "; a warning only: no configured adapter needs it"
            rows.append(["MISSING", tool.name, tool.detail + optional])
            rows.append(["", "", f"fix: {tool.hint}"])
        echo_table(rows, indent="  ")
        click.echo("all configured adapters are usable" if ok else "problems found (see above)")
    if not ok:
        raise click.exceptions.Exit(EXIT_FAILURE)


def voice_report(container: Container) -> dict[str, Any]:
    """The default voice (``id (engine, neural|formant, exact|aligned timings)``) and the
    notices of the voices; a voice that cannot be resolved is a notice, never a crash."""
    try:
        default = container.speech.default_voice()
        notices = list(container.speech.notices())
    except AvatarServiceError as exc:
        return {"default": None, "notices": [exc.message]}
    described = None
    if default is not None:
        kind = "neural" if default.neural else "formant"
        described = f"{default.voice_id} ({default.engine}, {kind}, {default.timing} timings)"
    return {"default": described, "notices": notices}


# -- speech ---------------------------------------------------------------------------------


if __name__ == "__main__":
    main()
