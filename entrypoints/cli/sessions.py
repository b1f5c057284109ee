"""``avatar sessions ls|rm``: live sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from avatar_service.entrypoints.cli.avatars import iso_time
from avatar_service.entrypoints.cli.output import echo_table, emit_json, json_option, page_options
from avatar_service.entrypoints.cli.state import CliState, pass_state

if TYPE_CHECKING:
    from avatar_service.core.records import Session


def session_dict(session: Session) -> dict[str, Any]:
    return {
        "session_id": session.session_id,
        "avatar_id": session.avatar_id,
        "metadata": session.metadata,
        "created_at": iso_time(session.created_at),
    }


@click.group()
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
        + [[s.session_id, s.avatar_id, iso_time(s.created_at) or ""] for s in page.items]
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


COMMANDS = (sessions,)
