"""The ``avatar`` command line: parse arguments, call the use cases, format the result.

One module per command group; each defines its commands and ``main`` here adds them. Settings,
the container and anything heavy (numpy, the web stack, the database, the speech engines) are
loaded only by the command that runs, so ``avatar --help`` starts at once. Errors follow one
contract (``errors.py``): one ``error: <message>`` line on stderr, exit 2 or 1.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from avatar_service.entrypoints.cli import (
    assets,
    avatars,
    backup,
    config,
    db,
    doctor,
    garbage,
    jobs,
    keys,
    plugins,
    render,
    renderer,
    serve,
    sessions,
    speech,
    voices,
    worker,
)
from avatar_service.entrypoints.cli.errors import AvatarGroup
from avatar_service.entrypoints.cli.state import CliState

__all__ = ["main"]

LOG_LEVELS = ("debug", "info", "warning", "error")


def load_env_file(path: Path) -> None:
    """Put the file's variables into the environment; variables already set win. Going through
    the environment lets uvicorn's worker processes see them too."""
    from dotenv import dotenv_values

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


for _module in (
    serve,
    plugins,
    config,
    doctor,
    speech,
    voices,
    render,
    renderer,
    assets,
    db,
    avatars,
    sessions,
    garbage,
    backup,
    jobs,
    worker,
    keys,
):
    for _command in _module.COMMANDS:
        main.add_command(_command)
