"""The ``avatar`` command group and what every command module shares: settings and container
on first use, the error-to-exit-code rule, JSON and table output.

Every ``AvatarServiceError``, ``PluginError`` and settings validation error ends as one
``error: <message>`` line on stderr and exit code 2 (bad input or configuration) or 1 (a
dependency failed at run time); never a traceback. Command modules (``cli_*.py``) attach their
commands to ``main``; ``cli.py`` imports them all.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
import pydantic
from dotenv import dotenv_values

from avatar_service.core.errors import (
    AvatarServiceError,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PreconditionFailed,
    TooLarge,
)
from avatar_service.core.tenancy import DEFAULT_TENANT, acting_scope
from avatar_service.entrypoints.bootstrap import Container, bootstrap
from avatar_service.entrypoints.logging import configure_logging
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.registry import PluginError

LOG_LEVELS = ("debug", "info", "warning", "error")
EXIT_FAILURE = 1
EXIT_USAGE = 2
USAGE_ERRORS: tuple[type[Exception], ...] = (
    PluginError, pydantic.ValidationError, Invalid, NotFound, TooLarge, Conflict,
    PreconditionFailed, Forbidden,
)  # fmt: skip
"""Errors the caller fixes by changing the command or the configuration (exit 2)."""

F = TypeVar("F", bound=Callable[..., Any])


def error_message(exc: Exception) -> str:
    """The error as one line."""
    if isinstance(exc, AvatarServiceError):
        text = exc.message
    elif isinstance(exc, pydantic.ValidationError):
        text = "invalid settings: " + "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        )
    else:
        text = str(exc)
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


class AvatarGroup(click.Group):
    """A group that turns every error into one ``error:`` line and an exit code: the
    service's errors, click's usage errors (its own multi-line output is replaced), file
    errors and interruptions."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (AvatarServiceError, PluginError, pydantic.ValidationError) as exc:
            click.echo(f"error: {error_message(exc)}", err=True)
            ctx.exit(EXIT_USAGE if isinstance(exc, USAGE_ERRORS) else EXIT_FAILURE)
        except OSError as exc:  # a file or the terminal failed at run time
            click.echo(f"error: {exc}", err=True)
            ctx.exit(EXIT_FAILURE)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            click.echo(f"error: {click_error_message(exc)}", err=True)
            sys.exit(EXIT_USAGE if isinstance(exc, click.UsageError) else exc.exit_code)
        except click.Abort:
            click.echo("error: interrupted", err=True)
            sys.exit(EXIT_FAILURE)
        sys.exit(code if isinstance(code, int) else 0)


def click_error_message(exc: click.ClickException) -> str:
    """Click's error as one line that names the fix: ``--help`` of the command at fault."""
    text = " ".join(line.strip() for line in exc.format_message().splitlines() if line.strip())
    text = text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
    if isinstance(exc, click.UsageError):
        command = exc.ctx.command_path if exc.ctx is not None else "avatar"
        hint = f"`{command} --help` lists the arguments and options"
        if isinstance(exc, click.NoSuchOption) and exc.possibilities:
            hint = f"did you mean {' or '.join(sorted(exc.possibilities))}? " + hint
        return f"{text.rstrip('.')}; {hint}"
    return text


@dataclass
class CliState:
    """Settings and container, built on first use (so ``--help`` needs neither)."""

    _settings: Settings | None = None
    _container: Container | None = None
    tenant: str | None = None
    """``--tenant``: the tenant commands act in (``*``: read across tenants)."""
    _discard: bool = False

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings()
            configure_logging(self._settings)
        return self._settings

    def container(self) -> Container:
        if self._container is None:
            settings = self.settings()
            if self._discard:
                settings = discarding(settings)
            container = bootstrap(settings)
            # The operator's CLI acts as an admin: any tenant, or '*' to read across them.
            scope = acting_scope(DEFAULT_TENANT, True, self.tenant)
            self._container = container.for_tenant(scope)
        return self._container

    def discard_records(self, keep: bool) -> None:
        """Unless ``keep``, the container (not built yet) holds records and blobs in memory,
        so a one-shot command writes nothing but the output it was asked for."""
        assert self._container is None, "decide before the container is built"
        self._discard = not keep


DISCARDING_ADAPTERS = {"store": "memory", "blobs": "memory", "jobs": "embedded"}


def discarding(settings: Settings) -> Settings:
    """``settings`` for a one-shot command that keeps nothing: records and blobs in memory,
    and a render's temporary files in a folder of this process, removed when it exits."""
    temp = Path(tempfile.mkdtemp(prefix="avatar-"))
    atexit.register(shutil.rmtree, temp, ignore_errors=True)
    storage = settings.storage.model_copy(update={"temp_dir": temp})
    return settings.model_copy(update={**DISCARDING_ADAPTERS, "storage": storage})


"""Adapters of a one-shot command run without ``--keep``."""


def keep_option(f: F) -> F:
    return click.option(
        "--keep",
        is_flag=True,
        help="Also store what is made (audio, renders, records) in AVATAR_DATA_DIR, as the "
        "service does; by default only the output is written.",
    )(f)


pass_state = click.make_pass_decorator(CliState, ensure=True)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(f)


def voice_option(f: F) -> F:
    return click.option("--voice", help="Voice id (see `avatar voices`); default: the engine's.")(f)


def writable_output(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """Option callback: an output file must be creatable (its folder exists and is writable),
    checked before any work is done; ``-`` (stdout) passes."""
    if value is None or str(value) == "-":
        return value
    folder = value.parent
    if value.is_dir():
        raise click.BadParameter(f"{value} is a folder: give a file name", ctx, param)
    if not folder.is_dir():
        raise click.BadParameter(
            f"folder {folder} does not exist: create it or write elsewhere", ctx, param
        )
    if not os.access(folder, os.W_OK) or (value.exists() and not os.access(value, os.W_OK)):
        raise click.BadParameter(f"{value} is not writable: write elsewhere", ctx, param)
    return value


def write_failed(path: Path, exc: OSError) -> click.ClickException:
    """A write that failed at run time (disk full, ...): one line, exit 1."""
    return click.ClickException(f"cannot write {path}: {exc.strerror or exc}")


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def echo_table(rows: Sequence[Sequence[str]], indent: str = "") -> None:
    """Rows as left-aligned columns."""
    if not rows:
        return
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        click.echo(indent + line.rstrip())


def load_env_file(path: Path) -> None:
    """Put the file's variables into the environment; variables already set win. Going through
    the environment lets uvicorn's worker processes see them too."""
    for key, value in dotenv_values(path).items():
        if value is not None:
            os.environ.setdefault(key, value)


@click.group("avatar", cls=AvatarGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="avatar-service", prog_name="avatar")
@click.option(
    "--env-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Load settings from this .env file (variables already in the environment win).",
)
@click.option(
    "--log-level",
    type=click.Choice(LOG_LEVELS, case_sensitive=False),
    help="Log level (overrides AVATAR_LOG__LEVEL).",
)
@click.option(
    "--tenant",
    metavar="TENANT",
    help="Act in this tenant's records and files (default: the default tenant); '*' reads "
    "across every tenant.",
)
@click.pass_context
def main(
    ctx: click.Context, env_file: Path | None, log_level: str | None, tenant: str | None
) -> None:
    """Talking-avatar engine: serve the HTTP API, make speech and timings, inspect the set-up.

    Settings come from AVATAR_* environment variables and ./.env (see `avatar config`). Data
    (database, assets, audio, renders, voices) lives in AVATAR_DATA_DIR (default ./data) for
    `serve` and every command; `say`, `render`, `speak`, `lipsync` and `align` write only their
    output unless given --keep.
    """
    if env_file is not None:
        load_env_file(env_file)
    if log_level is not None:
        os.environ["AVATAR_LOG__LEVEL"] = log_level.lower()
    ctx.obj = CliState(tenant=tenant)
