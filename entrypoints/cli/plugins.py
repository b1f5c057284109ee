"""``avatar plugins``: every plugin and the adapters it registered."""

from __future__ import annotations

from dataclasses import asdict

import click

from avatar_service.entrypoints.cli.output import echo_table, emit_json, json_option
from avatar_service.entrypoints.cli.state import CliState, pass_state


@click.command()
@json_option
@pass_state
def plugins(state: CliState, as_json: bool) -> None:
    """List plugins and the adapters each one registered.

    Shows each plugin's distribution, version, hooks and adapter names per port, and the
    typed options of its adapters (AVATAR_OPTIONS__<NAME>__*): type, default, current value.
    """
    from avatar_service.entrypoints.adapter_options import (
        describe_options,
        option_tables,
        plugin_options,
    )
    from avatar_service.plugins.manager import build_registry, describe_plugins, make_plugin_manager

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


COMMANDS = (plugins,)
