"""``avatar config``: the effective settings, secrets masked."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import click

from avatar_service.entrypoints.cli.output import emit_json, json_option
from avatar_service.entrypoints.cli.state import CliState, pass_state


@click.command()
@json_option
@pass_state
def config(state: CliState, as_json: bool) -> None:
    """Show the effective settings, secrets masked.

    Text output is one `key = value` line per setting, nested keys dotted; `data_dir` is
    AVATAR_DATA_DIR, the folder the locations not set explicitly are inside (stderr names it).
    """
    settings = state.settings()
    data = settings.public_dict()
    if not as_json:
        where = settings.data_dir.resolve()
        click.echo(f"data: {where} (AVATAR_DATA_DIR; database, assets, audio, renders)", err=True)
    if as_json:
        emit_json(data)
        return
    for key, value in flatten(data):
        click.echo(f"{key} = {value if isinstance(value, str) else json.dumps(value)}")


def flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        if isinstance(value, Mapping) and value:
            yield from flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


COMMANDS = (config,)
