"""``avatar avatars ls|show|rm``: stored avatars."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from avatar_service.entrypoints.cli.output import echo_table, emit_json, json_option, page_options
from avatar_service.entrypoints.cli.state import CliState, pass_state

if TYPE_CHECKING:
    from avatar_service.core.records import Avatar


def iso_time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def avatar_dict(avatar: Avatar) -> dict[str, Any]:
    return {
        "avatar_id": avatar.avatar_id,
        "name": avatar.name,
        "state": avatar.state.to_dict(),
        "version": avatar.version,
        "created_at": iso_time(avatar.created_at),
        "updated_at": iso_time(avatar.updated_at),
    }


@click.group()
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
        + [[a.avatar_id, a.name, str(a.version), iso_time(a.created_at) or ""] for a in page.items]
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


COMMANDS = (avatars,)
