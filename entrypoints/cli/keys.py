"""``avatar keys create|ls|revoke``: API keys kept in the store (docs/security.md). Without
any, ``avatar serve`` listens only on a loopback address (``bootstrap.preflight``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from avatar_service.core.tenancy import DEFAULT_TENANT
from avatar_service.entrypoints.cli.output import echo_table, emit_json, json_option
from avatar_service.entrypoints.cli.state import CliState, pass_state

if TYPE_CHECKING:
    from avatar_service.core.auth import ApiKey


def _key_json(key: ApiKey) -> dict[str, Any]:
    from avatar_service.core.auth import implied_scopes

    return {
        "key_id": key.key_id,
        "name": key.name,
        "scopes": list(implied_scopes(key.scope)),
        "tenant": key.tenant,
        "created_at": key.created_at.isoformat(),
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


@click.group()
def keys() -> None:
    """Manage API keys kept in the store (secrets are stored hashed).

    Keys in AVATAR_API_KEYS are configuration and are not listed here.
    """


@keys.command("create")
@click.option("--name", required=True, help="What the key is for (shown by `avatar keys ls`).")
@click.option(
    "--scopes",
    default="read,write",
    show_default=True,
    help="read, write and/or admin, comma-separated (admin implies write implies read).",
)
@click.option(
    "--tenant",
    default=DEFAULT_TENANT,
    show_default=True,
    help="The tenant the key acts in: what it creates belongs to it, and it sees nothing of "
    "other tenants (an admin key may name another one per request: docs/security.md).",
)
@json_option
@pass_state
def create_key(state: CliState, name: str, scopes: str, tenant: str, as_json: bool) -> None:
    """Create a key and print its secret (shown this once only)."""
    from avatar_service.core.auth import implied_scopes

    record, secret = state.container().keys.create(name, scopes.split(","), tenant)
    if as_json:
        emit_json({**_key_json(record), "key": secret})
        return
    click.echo(secret)
    click.echo(
        f"created key {record.key_id} ({record.name!r}, scopes "
        f"{', '.join(implied_scopes(record.scope))}, tenant {record.tenant}); the secret above "
        "is not shown again",
        err=True,
    )


@keys.command("ls")
@json_option
@pass_state
def list_keys(state: CliState, as_json: bool) -> None:
    """List stored keys, revoked ones included (never their secrets)."""
    from avatar_service.core.auth import implied_scopes

    found = state.container().keys.list()
    if as_json:
        emit_json({"keys": [_key_json(key) for key in found], "count": len(found)})
        return
    if not found:
        click.echo("no stored keys")
        return
    rows = [["ID", "NAME", "SCOPES", "TENANT", "CREATED", "STATUS"]]
    for key in found:
        status = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
        scopes = ",".join(implied_scopes(key.scope))
        created = f"{key.created_at:%Y-%m-%d %H:%M}"
        rows.append([key.key_id, key.name, scopes, key.tenant, created, status])
    echo_table(rows)


@keys.command("revoke")
@click.argument("key_id")
@json_option
@pass_state
def revoke_key(state: CliState, key_id: str, as_json: bool) -> None:
    """Revoke a key: it authenticates nothing from now on (the record stays)."""
    record = state.container().keys.revoke(key_id)
    if as_json:
        emit_json(_key_json(record))
        return
    click.echo(f"revoked key {record.key_id} ({record.name!r})")


COMMANDS = (keys,)
