"""``avatar db upgrade|downgrade|current|history``: schema migrations (Alembic) of the
database at DATABASE_URL."""

from __future__ import annotations

from typing import Any

import click

from avatar_service.entrypoints.cli.output import echo_table, emit_json, json_option
from avatar_service.entrypoints.cli.state import CliState, pass_state


@click.group()
def db() -> None:
    """Database schema migrations (Alembic) for DATABASE_URL.

    The service upgrades the schema on start in development; with AVATAR_ENV=production it
    refuses to start on a stale schema: run `avatar db upgrade` first.
    """


@db.command()
@click.argument("revision", default="head")
@pass_state
def upgrade(state: CliState, revision: str) -> None:
    """Upgrade the schema to REVISION (default: head)."""
    from avatar_service.entrypoints.bootstrap import schema_migrator

    migrator = schema_migrator(state.settings())
    try:
        before = migrator.current()
        migrator.upgrade(revision)
        click.echo(f"schema: {before or 'empty'} -> {migrator.current()}")
    finally:
        migrator.close()


@db.command()
@click.argument("revision")
@pass_state
def downgrade(state: CliState, revision: str) -> None:
    """Downgrade the schema to REVISION (`base`: drop every table; `-1`: one step)."""
    from avatar_service.entrypoints.bootstrap import schema_migrator

    migrator = schema_migrator(state.settings())
    try:
        before = migrator.current()
        migrator.downgrade(revision)
        click.echo(f"schema: {before or 'empty'} -> {migrator.current() or 'empty'}")
    finally:
        migrator.close()


@db.command()
@json_option
@pass_state
def current(state: CliState, as_json: bool) -> None:
    """Show the schema's revision and whether it is the head this version needs."""
    from avatar_service.entrypoints.bootstrap import schema_migrator

    migrator = schema_migrator(state.settings())
    try:
        revision, head = migrator.current(), migrator.head()
    finally:
        migrator.close()
    if as_json:
        emit_json({"current": revision, "head": head, "at_head": revision == head})
        return
    status = "at head" if revision == head else f"behind head {head}: run `avatar db upgrade`"
    click.echo(f"{revision or 'empty'} ({status})")


@db.command()
@json_option
def history(as_json: bool) -> None:
    """List the migrations, newest first."""
    from avatar_service.entrypoints.bootstrap import schema_migrator

    revisions = schema_migrator().history()
    if as_json:
        emit_json({"revisions": [vars_of(r) for r in revisions]})
        return
    rows = [
        [
            r.down_revision or "<base>",
            "->",
            r.revision,
            "(head)" if r.is_head else "",
            r.message.splitlines()[0] if r.message else "",
        ]
        for r in revisions
    ]
    echo_table(rows)


def vars_of(revision: Any) -> dict[str, Any]:
    return {
        "revision": revision.revision,
        "down_revision": revision.down_revision,
        "message": revision.message,
        "is_head": revision.is_head,
    }


COMMANDS = (db,)
