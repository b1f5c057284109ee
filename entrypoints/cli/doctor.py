"""``avatar doctor``: are the configured adapters, node and ffmpeg usable, and which voice
speaks by default."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import click

from avatar_service.core.errors import AvatarServiceError
from avatar_service.entrypoints.cli.errors import EXIT_FAILURE
from avatar_service.entrypoints.cli.output import echo_table, emit_json, json_option
from avatar_service.entrypoints.cli.state import CliState, pass_state

if TYPE_CHECKING:
    from avatar_service.entrypoints.container import Container


@click.command()
@json_option
@pass_state
def doctor(state: CliState, as_json: bool) -> None:
    """Check the configured adapters, node and ffmpeg, and name the default voice.

    Exits 1 when an adapter, or a tool a configured adapter needs, is not usable; a tool no
    configured adapter needs is only a warning. A fallback to espeak-ng (no neural voice
    installed) is a warning.
    """
    from avatar_service.entrypoints.cli import tools as external_tools

    container = state.container()
    checks = container.check()
    tools = external_tools.check_tools(state.settings())
    voice = voice_report(container)
    ok = all(check.ok for check in checks) and all(t.ok for t in tools if t.required)
    if as_json:
        emit_json(
            {
                "ok": ok,
                "adapters": [asdict(c) for c in checks],
                "tools": [asdict(t) for t in tools],
                "voice": voice,
            }
        )
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


COMMANDS = (doctor,)
