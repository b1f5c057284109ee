"""API keys: scopes, the key format, hashing and constant-time verification (stdlib only).

A stored key reads ``ak_<id>_<secret>``: ``id`` is 12 lowercase hex digits (public, the row to
look up), ``secret`` 43 URL-safe base64 characters (256 random bits). Only a salted HMAC-SHA256
of the secret is kept. A slow password hash is unnecessary: the secret is random, not chosen
by a person, so it cannot be guessed from a dictionary.

Keys configured in the environment (``AVATAR_API_KEYS``) are any string of 16 to 512 printable
characters without spaces, commas or colons; they are hashed once at start-up.

Scopes nest: ``admin`` implies ``write``, which implies ``read``. Every key belongs to one
tenant (``core.tenancy``; ``DEFAULT_TENANT`` when it names none).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from avatar_service.core.errors import Invalid
from avatar_service.core.tenancy import DEFAULT_TENANT, check_tenant

KEY_PREFIX = "ak_"
_STORED_KEY = re.compile(r"ak_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
_ENV_KEY = re.compile(r"[!-~]{16,512}")
ENV_DEFAULT_SCOPE = "write"
"""The scope of an ``AVATAR_API_KEYS`` entry that names none."""


class Scope(IntEnum):
    """What a key may do; a higher scope includes every lower one."""

    READ = 1
    WRITE = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, name: str) -> Scope:
        try:
            return cls[name.strip().upper()]
        except KeyError:
            raise Invalid(
                f"unknown scope {name.strip()!r}: use read, write or admin", field="scopes"
            ) from None


def highest_scope(names: Iterable[str]) -> Scope:
    """The scope ``names`` grant together (``read,write`` -> ``write``); ``Invalid`` when empty
    or when one is unknown."""
    scopes = [Scope.parse(name) for name in names if name.strip()]
    if not scopes:
        raise Invalid("name at least one scope: read, write or admin", field="scopes")
    return max(scopes)


def implied_scopes(scope: Scope) -> tuple[str, ...]:
    """``write`` -> ``("read", "write")``: every scope ``scope`` grants, lowest first."""
    return tuple(s.label for s in Scope if s <= scope)


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A stored key: everything but its secret. ``revoked_at`` set: it authenticates nothing."""

    key_id: str
    name: str
    scope: Scope
    salt: str
    secret_hash: str
    created_at: datetime
    revoked_at: datetime | None = None
    tenant: str = DEFAULT_TENANT

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request authenticated as, and the tenant its key belongs to."""

    key_id: str
    name: str
    scope: Scope
    tenant: str = DEFAULT_TENANT

    def may(self, needed: Scope) -> bool:
        return self.scope >= needed


@dataclass(frozen=True, slots=True)
class EnvKey:
    """A key from ``AVATAR_API_KEYS``: only its digest is kept."""

    key_id: str
    digest: bytes
    scope: Scope
    tenant: str = DEFAULT_TENANT


def hash_secret(secret: str, salt: str) -> str:
    """Hex HMAC-SHA256 of ``secret`` keyed with ``salt``."""
    return hmac.new(salt.encode(), secret.encode(), hashlib.sha256).hexdigest()


def new_stored_key(
    name: str, scope: Scope, created_at: datetime, tenant: str = DEFAULT_TENANT
) -> tuple[ApiKey, str]:
    """A fresh key record of ``tenant`` and its full secret string (shown once, never
    stored)."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    record = ApiKey(
        key_id,
        name,
        scope,
        salt,
        hash_secret(secret, salt),
        created_at,
        tenant=check_tenant(tenant),
    )
    return record, f"{KEY_PREFIX}{key_id}_{secret}"


def split_stored_key(raw: str) -> tuple[str, str] | None:
    """``(id, secret)`` of a string in the stored-key format, else ``None``."""
    match = _STORED_KEY.fullmatch(raw)
    return (match.group(1), match.group(2)) if match else None


def matches(record: ApiKey, secret: str) -> bool:
    """Whether ``secret`` is ``record``'s, compared in constant time."""
    return hmac.compare_digest(hash_secret(secret, record.salt), record.secret_hash)


def _digest(raw: str) -> bytes:
    return hashlib.sha256(raw.encode()).digest()


def parse_env_keys(value: str) -> tuple[EnvKey, ...]:
    """The keys of an ``AVATAR_API_KEYS`` value.

    Either a list separated by commas or whitespace of ``KEY``, ``KEY:SCOPE`` or
    ``KEY:SCOPE:TENANT`` (scope ``read``, ``write`` or ``admin``; empty or none: ``write``;
    tenant none: ``DEFAULT_TENANT``; ``KEY::TENANT`` names a tenant with the default scope),
    or a JSON list of such strings and of objects ``{"key": "...", "scope": "read",
    "tenant": "acme"}``. ``Invalid`` (field ``api_keys``) names the entry's position, never
    the key.
    """
    text = value.strip()
    if not text:
        return ()
    entries: list[tuple[str, str, str]] = []
    if text.startswith("["):
        try:
            items = json.loads(text)
        except ValueError:
            raise Invalid("AVATAR_API_KEYS is not valid JSON", field="api_keys") from None
        if not isinstance(items, list):
            raise Invalid("AVATAR_API_KEYS must be a JSON list", field="api_keys")
        for item in items:
            if isinstance(item, dict):
                entries.append(
                    (
                        str(item.get("key", "")),
                        str(item.get("scope") or ""),
                        str(item.get("tenant") or ""),
                    )
                )
            else:
                entries.append(_split_entry(str(item)))
    else:
        entries = [_split_entry(item) for item in re.split(r"[,\s]+", text) if item]
    return tuple(
        _env_key(n, key, scope, tenant) for n, (key, scope, tenant) in enumerate(entries, start=1)
    )


def _split_entry(item: str) -> tuple[str, str, str]:
    """``KEY[:SCOPE[:TENANT]]`` -> its three parts (missing ones empty); a key has no colon,
    so any further colon stays in the tenant part and makes it invalid."""
    key, _, rest = item.partition(":")
    scope, _, tenant = rest.partition(":")
    return key, scope, tenant


def _env_key(position: int, key: str, scope: str, tenant: str = "") -> EnvKey:
    if not _ENV_KEY.fullmatch(key) or any(c in key for c in ",:"):
        raise Invalid(
            f"AVATAR_API_KEYS entry {position}: a key is 16-512 printable characters without "
            "spaces, commas or colons",
            field="api_keys",
        )
    try:
        granted = Scope.parse(scope or ENV_DEFAULT_SCOPE)
    except Invalid:
        raise Invalid(
            f"AVATAR_API_KEYS entry {position}: the scope must be read, write or admin",
            field="api_keys",
        ) from None
    try:
        owner = check_tenant(tenant) if tenant else DEFAULT_TENANT
    except Invalid:
        raise Invalid(
            f"AVATAR_API_KEYS entry {position}: a tenant is 1-64 lowercase letters, digits, "
            "'_' or '-'",
            field="api_keys",
        ) from None
    return EnvKey(f"env-{position}", _digest(key), granted, owner)


def match_env_key(keys: Iterable[EnvKey], raw: str) -> EnvKey | None:
    """The configured key equal to ``raw``; every key is compared (constant time each)."""
    presented = _digest(raw)
    found: EnvKey | None = None
    for key in keys:
        if hmac.compare_digest(key.digest, presented):
            found = key
    return found
