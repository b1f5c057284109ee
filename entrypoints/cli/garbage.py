"""``avatar gc``: blobs no record names, records whose blob is gone, and what killed processes
left behind."""

from __future__ import annotations

from datetime import timedelta

import click

from avatar_service.entrypoints.cli.output import emit_json, json_option
from avatar_service.entrypoints.cli.state import CliState, pass_state


@click.command()
@click.option("--apply", is_flag=True, help="Delete the orphans (default: only list them).")
@click.option(
    "--min-age",
    type=click.FloatRange(min=0),
    default=3600.0,
    show_default=True,
    help="Seconds a blob must be old before it can be an orphan (its row may be on its way).",
)
@json_option
@pass_state
def gc(state: CliState, apply: bool, min_age: float, as_json: bool) -> None:
    """Find blobs no record names, records whose blob is gone, and files killed uploads and
    renders left (partial data, temporary audio and video), in every tenant; --apply removes
    them."""
    report = state.container().gc.collect(apply=apply, min_age=timedelta(seconds=min_age))
    if as_json:
        orphans = [
            {
                "kind": o.kind,
                "namespace": str(o.namespace),
                "name": o.name,
                "record_id": o.record_id,
                "tenant": o.tenant,
            }
            for o in report.orphans
        ] + [
            {
                "kind": "leftover",
                "namespace": item.where,
                "name": item.path,
                "record_id": None,
                "tenant": None,
                "size": item.size,
            }
            for item in report.leftovers
        ]
        emit_json({"applied": report.applied, "removed": report.removed, "orphans": orphans})
        return
    for o in report.orphans:
        what = f"record {o.record_id} (blob missing)" if o.kind == "record" else "blob (no record)"
        click.echo(f"{o.namespace}/{o.name}: {what}, tenant {o.tenant}")
    for item in report.leftovers:
        click.echo(f"{item.where}/{item.path}: left by a killed process ({item.size} bytes)")
    total = len(report.orphans) + len(report.leftovers)
    if report.applied:
        click.echo(f"removed {report.removed} of {total} orphans")
    else:
        click.echo(f"{total} orphans (dry run: pass --apply to remove them)")


COMMANDS = (gc,)
