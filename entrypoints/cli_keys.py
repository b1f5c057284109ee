"""``avatar keys create|ls|revoke``: API keys kept in the store (docs/security.md), and the rule
``avatar serve`` applies before it listens: no keys, no non-loopback address (unless
``AVATAR_ALLOW_ANONYMOUS=true``)."""

from __future__ import annotations

import ipaddress
from typing import Any

import click
import structlog

from avatar_service.core.auth import ApiKey, implied_scopes, parse_env_keys
from avatar_service.core.errors import Invalid
from avatar_service.core.ports import KeyStore
from avatar_service.core.tenancy import DEFAULT_TENANT
from avatar_service.entrypoints.cli_base import (
    CliState,
    echo_table,
    emit_json,
    json_option,
    main,
    pass_state,
)
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import build_registry, make_plugin_manager

log = structlog.get_logger("avatar_service.serve")


def _key_json(key: ApiKey) -> dict[str, Any]:
    return {
        "key_id": key.key_id, "name": key.name, "scopes": list(implied_scopes(key.scope)),
        "tenant": key.tenant,
        "created_at": key.created_at.isoformat(),
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }  # fmt: skip


@main.group()
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


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def stored_keys_exist(settings: Settings) -> bool:
    """Whether the configured store holds (or once held) any key; no other adapter is built."""
    store = build_registry(make_plugin_manager()).create("store", settings.store, settings)
    try:
        return isinstance(store, KeyStore) and store.has_keys()
    finally:
        close = getattr(store, "close", None)
        if callable(close):
            close()


def check_exposure(settings: Settings, host: str) -> None:
    """Refuse (``Invalid``, field ``host``) to serve a non-loopback ``host`` with no key
    configured or stored, unless anonymous access is allowed; warn when serving anonymously."""
    # The service's own reading of the setting: "[]" or "," configure no key.
    if parse_env_keys(settings.api_keys.get_secret_value()) or stored_keys_exist(settings):
        return
    if is_loopback(host):
        log.warning(
            "serving without API keys: any local process may call every route",
            host=host,
            fix="set AVATAR_API_KEYS or run `avatar keys create`",
        )
        return
    if not settings.allow_anonymous:
        raise Invalid(
            f"refusing to listen on {host} without API keys: set AVATAR_API_KEYS or run "
            "`avatar keys create`, or set AVATAR_ALLOW_ANONYMOUS=true to serve anonymously",
            field="host",
        )
    log.warning("serving anonymously on a non-loopback address", host=host)
