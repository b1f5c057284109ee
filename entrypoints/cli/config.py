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
    Adapters' typed options (`options.<adapter>.<option>`) are followed by `# type, default`.
    """
    from avatar_service.entrypoints.adapter_options import (
        describe_options,
        option_notes,
        settings_with_options,
    )
    from avatar_service.plugins.manager import build_registry, make_plugin_manager

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


COMMANDS = (config,)
