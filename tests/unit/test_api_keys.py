"""API keys in the core: the key format, scopes, the AVATAR_API_KEYS format, hashing,
constant-time verification and when authentication is required."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Any

import pytest

from avatar_service.adapters.store.memory import MemoryStore
from avatar_service.core import auth
from avatar_service.core.auth import (
    Scope,
    highest_scope,
    implied_scopes,
    new_stored_key,
    parse_env_keys,
    split_stored_key,
)
from avatar_service.core.errors import Invalid, Unavailable
from avatar_service.core.usecases.keys import KeyUseCases

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_new_key_has_the_documented_format_and_only_its_hash_is_kept() -> None:
    record, secret = new_stored_key("ci", Scope.WRITE, NOW)
    parts = split_stored_key(secret)
    assert parts is not None and parts[0] == record.key_id
    assert secret.startswith(f"ak_{record.key_id}_") and len(parts[1]) == 43
    assert parts[1] not in repr(record)
    assert record.secret_hash == auth.hash_secret(parts[1], record.salt)
    other, _ = new_stored_key("ci", Scope.WRITE, NOW)
    assert other.salt != record.salt and other.key_id != record.key_id


@pytest.mark.parametrize("text", ["ak_123_x", "ak_zzzzzzzzzzzz_" + "a" * 43, "bearer", ""])
def test_other_strings_are_not_stored_keys(text: str) -> None:
    assert split_stored_key(text) is None


def test_scopes_nest_and_parse() -> None:
    assert highest_scope(["read", "write"]) is Scope.WRITE
    assert highest_scope([" ADMIN "]) is Scope.ADMIN
    assert implied_scopes(Scope.ADMIN) == ("read", "write", "admin")
    for bad in (["root"], [], [" "]):
        with pytest.raises(Invalid) as caught:
            highest_scope(bad)
        assert caught.value.field == "scopes"


@pytest.mark.parametrize(
    ("value", "scopes"),
    [
        ("k1-0123456789abcdef", [Scope.WRITE]),
        ("k1-0123456789abcdef:read, k2-0123456789abcdef:admin", [Scope.READ, Scope.ADMIN]),
        ("k1-0123456789abcdef\nk2-0123456789abcdef:read", [Scope.WRITE, Scope.READ]),
        (
            '["k1-0123456789abcdef:read", {"key": "k2-0123456789abcdef", "scope": "admin"}]',
            [Scope.READ, Scope.ADMIN],
        ),
        ("  ", []),
    ],
)
def test_env_keys_parse_in_both_formats(value: str, scopes: list[Scope]) -> None:
    assert [key.scope for key in parse_env_keys(value)] == scopes


@pytest.mark.parametrize(
    ("value", "owners"),
    [
        ("k1-0123456789abcdef", [("write", "default")]),
        (
            "k1-0123456789abcdef:read:acme, k2-0123456789abcdef::globex",
            [("read", "acme"), ("write", "globex")],
        ),
        (
            '["k1-0123456789abcdef:admin:acme", '
            '{"key": "k2-0123456789abcdef", "scope": "read", "tenant": "globex"}, '
            '{"key": "k3-0123456789abcdef"}]',
            [("admin", "acme"), ("read", "globex"), ("write", "default")],
        ),
    ],
)
def test_env_keys_may_name_a_tenant(value: str, owners: list[tuple[str, str]]) -> None:
    assert [(k.scope.label, k.tenant) for k in parse_env_keys(value)] == owners


def test_a_key_authenticates_as_its_tenant() -> None:
    keys = KeyUseCases(MemoryStore(), parse_env_keys("k1-0123456789abcdef:read:acme"))
    principal = keys.authenticate("k1-0123456789abcdef")
    assert principal is not None and principal.tenant == "acme"
    _record, secret = keys.create("ci", ["write"], "globex")
    stored = keys.authenticate(secret)
    assert stored is not None and stored.tenant == "globex"
    with pytest.raises(Invalid):
        keys.create("ci", ["write"], "Not A Tenant")


@pytest.mark.parametrize(
    "value",
    [
        "short",
        "k1-0123456789abcdef:root",
        "[not json",
        '{"key": "x"}',
        "[1]",
        "k1-0123456789abcdef:read:Acme",
        "k1-0123456789abcdef:read:a:b",
    ],
)
def test_bad_env_keys_are_invalid_without_echoing_the_key(value: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_env_keys(value)
    assert caught.value.field == "api_keys"
    assert "0123456789abcdef" not in caught.value.message


def test_verification_compares_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    store = MemoryStore()
    keys = KeyUseCases(store, parse_env_keys("env-0123456789abcdef:read other-0123456789abcdef"))
    _, secret = keys.create("ci", ["write"])
    assert keys.authenticate(secret) is not None
    assert len(calls) == 1
    calls.clear()
    principal = keys.authenticate("env-0123456789abcdef")
    assert principal is not None and principal.scope is Scope.READ
    assert len(calls) == 2, "every configured key is compared, not only up to the match"


def test_authentication_answers_none_for_unknown_malformed_and_revoked_keys() -> None:
    keys = KeyUseCases(MemoryStore())
    record, secret = keys.create("ci", ["read"])
    assert keys.authenticate(secret) is not None
    assert keys.authenticate("ak_000000000000_" + "a" * 43) is None
    assert keys.authenticate(secret[:-1] + ("B" if secret[-1] != "B" else "C")) is None
    assert keys.authenticate("anything") is None
    keys.revoke(record.key_id)
    assert keys.authenticate(secret) is None


def test_required_once_keys_exist_and_after_all_are_revoked() -> None:
    now = [0.0]
    store = MemoryStore()
    keys = KeyUseCases(store, clock=lambda: now[0])
    assert not keys.required()
    other_process = KeyUseCases(store)  # e.g. `avatar keys create` writing the same store
    record, _ = other_process.create("ci", ["read"])
    assert not keys.required(), "the negative answer is kept for a second"
    now[0] = 1.5
    assert keys.required()
    other_process.revoke(record.key_id)
    assert keys.required()
    assert KeyUseCases(None, parse_env_keys("env-0123456789abcdef")).required()


def test_managing_keys_without_a_key_store_is_unavailable() -> None:
    keys = KeyUseCases(None)
    assert not keys.required()
    with pytest.raises(Unavailable, match="AVATAR_API_KEYS"):
        keys.create("ci", ["read"])
    with pytest.raises(Invalid):
        KeyUseCases(MemoryStore()).create(" ", ["read"])
