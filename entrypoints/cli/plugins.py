"""``avatar plugins``: every plugin and the adapters it registered."""

from __future__ import annotations

from dataclasses import asdict

import click

from avatar_service.entrypoints.cli.output import echo_table, emit_json, json_option


@click.command()
@json_option
def plugins(as_json: bool) -> None:
    """List plugins and the adapters each one registered.

    Shows each plugin's distribution, version, hooks and adapter names per port.
    """
    from avatar_service.plugins.manager import build_registry, describe_plugins, make_plugin_manager

    pm = make_plugin_manager()
    infos = describe_plugins(pm, build_registry(pm))
    if as_json:
        emit_json({"plugins": [asdict(info) for info in infos]})
        return
    for info in infos:
        origin = f" (from {info.distribution})" if info.distribution else ""
        click.echo(f"{info.name} {info.version or 'unknown version'}{origin}")
        rows = [[port, ", ".join(names)] for port, names in info.registered.items()]
        echo_table([*rows, ["hooks", ", ".join(info.hooks) or "none"]], indent="  ")


COMMANDS = (plugins,)
