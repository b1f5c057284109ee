"""``avatar export`` and ``avatar import``: every record as one JSON dump, and back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from avatar_service.core.errors import Invalid
from avatar_service.entrypoints.cli.output import emit_json, json_option, writable_output
from avatar_service.entrypoints.cli.state import CliState, pass_state


@click.command("export")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=writable_output,
    help="File [default: stdout].",
)
@pass_state
def export_(state: CliState, output: Path | None) -> None:
    """Write every record (avatars, presets, sessions, audio, renders) as one JSON dump."""
    text = json.dumps(state.container().backup.export(), indent=2, ensure_ascii=False)
    if output is None:
        click.echo(text)
        return
    output.write_text(text + "\n", encoding="utf-8")
    click.echo(f"wrote {output}", err=True)


@click.command("import")
@click.argument("dump", type=click.File("r", encoding="utf-8"))
@json_option
@pass_state
def import_(state: CliState, dump: Any, as_json: bool) -> None:
    """Load a dump made by `avatar export` (DUMP `-`: stdin); existing ids are skipped."""
    try:
        data = json.load(dump)
    except json.JSONDecodeError as exc:
        raise Invalid(f"{getattr(dump, 'name', 'dump')} is not JSON: {exc}", field="dump") from None
    report = state.container().backup.load(data)
    if as_json:
        emit_json({"created": report.created, "skipped": report.skipped})
        return
    for kind, count in report.created.items():
        click.echo(f"{kind}: {count} created, {report.skipped[kind]} skipped (already there)")


COMMANDS = (export_, import_)
