"""The error contract of every command: each ``AvatarServiceError``, ``PluginError`` and
settings validation error ends as one ``error: <message>`` line on stderr and exit code 2 (bad
input or configuration) or 1 (a dependency failed at run time); never a traceback. A reader
that closes standard output early (``avatar ... | head``) ends the command quietly with status
141, as it ends any Unix tool."""

from __future__ import annotations

import os
import select
import sys
from collections.abc import Sequence
from typing import Any

import click

from avatar_service.core.errors import (
    AvatarServiceError,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PreconditionFailed,
    TooLarge,
)

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_READER_GONE = 141
"""128 + SIGPIPE: what a shell reports for a tool whose reader closed the pipe."""


def reported_errors() -> tuple[type[Exception], ...]:
    """The errors that end as one ``error:`` line. Imported when one is raised: listing the
    commands must not load the plugin machinery or pydantic."""
    import pydantic

    from avatar_service.plugins.registry import PluginError

    return AvatarServiceError, PluginError, pydantic.ValidationError


def usage_errors() -> tuple[type[Exception], ...]:
    """Errors the caller fixes by changing the command or the configuration (exit 2)."""
    import pydantic

    from avatar_service.plugins.registry import PluginError

    return (
        PluginError,
        pydantic.ValidationError,
        Invalid,
        NotFound,
        TooLarge,
        Conflict,
        PreconditionFailed,
        Forbidden,
    )


def error_message(exc: Exception) -> str:
    """The error as one line."""
    import pydantic

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
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click's own (--help, usage): ``main`` reports them
        except BrokenPipeError as exc:
            if not stdout_closed():
                click.echo(f"error: {exc}", err=True)
                ctx.exit(EXIT_FAILURE)
            # Later writes, the interpreter's final flush among them, go nowhere.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(EXIT_READER_GONE)
        except OSError as exc:  # a file or the terminal failed at run time
            click.echo(f"error: {exc}", err=True)
            ctx.exit(EXIT_FAILURE)
        except Exception as exc:
            if not isinstance(exc, reported_errors()):
                raise
            click.echo(f"error: {error_message(exc)}", err=True)
            ctx.exit(EXIT_USAGE if isinstance(exc, usage_errors()) else EXIT_FAILURE)

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


def stdout_closed() -> bool:
    """Whether standard output is a pipe or socket whose reader has gone (polled, not
    written: the broken pipe that was raised may have been a child's)."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return False  # replaced by an in-memory stream
    if not hasattr(select, "poll"):
        return False
    poller = select.poll()
    poller.register(descriptor, select.POLLOUT)
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


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
