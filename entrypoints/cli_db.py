"""Persistence commands: ``avatar db ...`` (migrations), ``avatar avatars|sessions ...``,
``avatar gc``, ``avatar export`` / ``avatar import``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from avatar_service.core.errors import Invalid
from avatar_service.core.records import Avatar, Session
from avatar_service.entrypoints.cli_base import (
    CliState,
    echo_table,
    emit_json,
    json_option,
    main,
    pass_state,
    writable_output,
)
from avatar_service.entrypoints.settings import Settings


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _engine(state: CliState) -> Any:
    """The SQL engine for DATABASE_URL; the schema is not checked (these commands move it)."""
    from avatar_service.adapters.store.sqlmodel.engine import create_engine

    return create_engine(state.settings().database_url.get_secret_value())


# -- db -------------------------------------------------------------------------------------


@main.group()
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
    from avatar_service.adapters.store.sqlmodel import schema

    engine = _engine(state)
    try:
        before = schema.current_revision(engine)
        schema.upgrade(engine, revision)
        click.echo(f"schema: {before or 'empty'} -> {schema.current_revision(engine)}")
    finally:
        engine.dispose()


@db.command()
@click.argument("revision")
@pass_state
def downgrade(state: CliState, revision: str) -> None:
    """Downgrade the schema to REVISION (`base`: drop every table; `-1`: one step)."""
    from avatar_service.adapters.store.sqlmodel import schema

    engine = _engine(state)
    try:
        before = schema.current_revision(engine)
        schema.downgrade(engine, revision)
        click.echo(f"schema: {before or 'empty'} -> {schema.current_revision(engine) or 'empty'}")
    finally:
        engine.dispose()


@db.command()
@json_option
@pass_state
def current(state: CliState, as_json: bool) -> None:
    """Show the schema's revision and whether it is the head this version needs."""
    from avatar_service.adapters.store.sqlmodel import schema

    engine = _engine(state)
    try:
        revision, head = schema.current_revision(engine), schema.head_revision()
    finally:
        engine.dispose()
    if as_json:
        emit_json({"current": revision, "head": head, "at_head": revision == head})
        return
    status = "at head" if revision == head else f"behind head {head}: run `avatar db upgrade`"
    click.echo(f"{revision or 'empty'} ({status})")


@db.command()
@json_option
def history(as_json: bool) -> None:
    """List the migrations, newest first."""
    from avatar_service.adapters.store.sqlmodel import schema

    revisions = schema.history()
    if as_json:
        emit_json({"revisions": [vars_of(r) for r in revisions]})
        return
    rows = [
        [r.down_revision or "<base>", "->", r.revision, "(head)" if r.is_head else "",
         r.message.splitlines()[0] if r.message else ""]
        for r in revisions
    ]  # fmt: skip
    echo_table(rows)


def vars_of(revision: Any) -> dict[str, Any]:
    return {
        "revision": revision.revision, "down_revision": revision.down_revision,
        "message": revision.message, "is_head": revision.is_head,
    }  # fmt: skip


# -- avatars and sessions -------------------------------------------------------------------


def avatar_dict(avatar: Avatar) -> dict[str, Any]:
    return {
        "avatar_id": avatar.avatar_id, "name": avatar.name, "state": avatar.state.to_dict(),
        "version": avatar.version, "created_at": _time(avatar.created_at),
        "updated_at": _time(avatar.updated_at),
    }  # fmt: skip


def session_dict(session: Session) -> dict[str, Any]:
    return {
        "session_id": session.session_id, "avatar_id": session.avatar_id,
        "metadata": session.metadata, "created_at": _time(session.created_at),
    }  # fmt: skip


def page_options(f: Any) -> Any:
    f = click.option("--cursor", help="next_cursor of the previous page.")(f)
    return click.option(
        "--limit", type=click.IntRange(1, 500), default=50, show_default=True, help="Page size."
    )(f)


@main.group()
def avatars() -> None:
    """List, show and delete stored avatars."""


@avatars.command("ls")
@page_options
@json_option
@pass_state
def avatars_ls(state: CliState, limit: int, cursor: str | None, as_json: bool) -> None:
    """List avatars, oldest first."""
    page = state.container().avatars.list_avatars(limit=limit, cursor=cursor)
    if as_json:
        emit_json(
            {"avatars": [avatar_dict(a) for a in page.items], "next_cursor": page.next_cursor}
        )
        return
    echo_table(
        [["AVATAR_ID", "NAME", "VERSION", "CREATED"]]
        + [[a.avatar_id, a.name, str(a.version), _time(a.created_at) or ""] for a in page.items]
    )
    if page.next_cursor:
        click.echo(f"more: --cursor {page.next_cursor}")


@avatars.command("show")
@click.argument("avatar_id")
@pass_state
def avatars_show(state: CliState, avatar_id: str) -> None:
    """Print one avatar as JSON."""
    emit_json(avatar_dict(state.container().avatars.get_avatar(avatar_id)))


@avatars.command("rm")
@click.argument("avatar_id")
@pass_state
def avatars_rm(state: CliState, avatar_id: str) -> None:
    """Delete an avatar with its sessions, audio and renders (rows and blobs)."""
    deleted = state.container().avatars.delete_avatar(avatar_id)
    click.echo(
        f"deleted avatar {avatar_id}: {len(deleted.sessions)} sessions, "
        f"{len(deleted.audios)} audios, {len(deleted.renders)} renders"
    )


@main.group()
def sessions() -> None:
    """List and delete sessions."""


@sessions.command("ls")
@click.option("--avatar", "avatar_id", help="Only this avatar's sessions.")
@page_options
@json_option
@pass_state
def sessions_ls(
    state: CliState, avatar_id: str | None, limit: int, cursor: str | None, as_json: bool
) -> None:
    """List live sessions, oldest first."""
    page = state.container().avatars.list_sessions(avatar_id=avatar_id, limit=limit, cursor=cursor)
    if as_json:
        emit_json(
            {"sessions": [session_dict(s) for s in page.items], "next_cursor": page.next_cursor}
        )
        return
    echo_table(
        [["SESSION_ID", "AVATAR_ID", "CREATED"]]
        + [[s.session_id, s.avatar_id, _time(s.created_at) or ""] for s in page.items]
    )
    if page.next_cursor:
        click.echo(f"more: --cursor {page.next_cursor}")


@sessions.command("rm")
@click.argument("session_id")
@pass_state
def sessions_rm(state: CliState, session_id: str) -> None:
    """Delete a session with its audio and renders (rows and blobs)."""
    deleted = state.container().avatars.delete_session(session_id)
    click.echo(
        f"deleted session {session_id}: {len(deleted.audios)} audios, "
        f"{len(deleted.renders)} renders"
    )


# -- gc, export, import ---------------------------------------------------------------------


@main.command()
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
            {"kind": o.kind, "namespace": str(o.namespace), "name": o.name,
             "record_id": o.record_id, "tenant": o.tenant}
            for o in report.orphans
        ] + [
            {"kind": "leftover", "namespace": item.where, "name": item.path, "record_id": None,
             "tenant": None, "size": item.size}
            for item in report.leftovers
        ]  # fmt: skip
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


@main.command("export")
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


@main.command("import")
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


def check_schema(settings: Settings) -> None:
    """For `avatar serve` in production: a stale schema is one ``error:`` line naming
    `avatar db upgrade` (``Unavailable``) before the server starts."""
    if settings.store != "sqlmodel" or settings.env != "production":
        return
    from avatar_service.adapters.store.sqlmodel.factory import open_store

    open_store(settings.database_url.get_secret_value(), upgrade_allowed=False).close()
