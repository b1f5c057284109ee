"""``avatar keys create|ls|revoke`` on a SQLite store, and the start-up rule of ``avatar serve``:
no key, no non-loopback address unless anonymous access is allowed."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner, Result

from avatar_service.core.auth import split_stored_key
from avatar_service.entrypoints import cli


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli.main, list(args), catch_exceptions=False)


@pytest.fixture
def sqlite_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVATAR_STORE", "sqlmodel")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///./data/keys.db")


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    return calls


@pytest.mark.usefixtures("sqlite_store")
def test_create_prints_the_secret_once_and_ls_never_shows_it(runner: CliRunner) -> None:
    created = run(runner, "keys", "create", "--name", "ci", "--scopes", "read,write")
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    parts = split_stored_key(secret)
    assert parts is not None, secret
    key_id, raw_secret = parts
    assert "not shown again" in created.stderr
    listed = run(runner, "keys", "ls")
    assert key_id in listed.stdout and "ci" in listed.stdout and "read,write" in listed.stdout
    assert raw_secret not in listed.output
    as_json = json.loads(run(runner, "keys", "ls", "--json").stdout)
    assert as_json["count"] == 1
    (key,) = as_json["keys"]
    assert key == {**key, "key_id": key_id, "name": "ci", "scopes": ["read", "write"]}
    assert raw_secret not in json.dumps(as_json)


@pytest.mark.usefixtures("sqlite_store")
def test_revoke_marks_the_key_and_keeps_it_listed(runner: CliRunner) -> None:
    created = json.loads(run(runner, "keys", "create", "--name", "ops", "--json").stdout)
    revoked = run(runner, "keys", "revoke", created["key_id"])
    assert revoked.exit_code == 0 and created["key_id"] in revoked.stdout
    listed = json.loads(run(runner, "keys", "ls", "--json").stdout)["keys"]
    assert [k["key_id"] for k in listed] == [created["key_id"]]
    assert listed[0]["revoked_at"] is not None
    assert "revoked" in run(runner, "keys", "ls").stdout


@pytest.mark.usefixtures("sqlite_store")
def test_bad_scopes_and_unknown_ids_are_one_error_line(runner: CliRunner) -> None:
    bad = run(runner, "keys", "create", "--name", "x", "--scopes", "read,root")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: unknown scope 'root'")
    missing = run(runner, "keys", "revoke", "000000000000")
    assert missing.exit_code == 2 and "no API key" in missing.stderr


@pytest.mark.parametrize("keys", [None, "[]", ",", "  "])
def test_serve_refuses_a_public_address_without_keys(
    runner: CliRunner,
    uvicorn_calls: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    keys: str | None,
) -> None:
    if keys is not None:  # set, but naming no key
        monkeypatch.setenv("AVATAR_API_KEYS", keys)
    result = run(runner, "serve", "--host", "0.0.0.0")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: refusing to listen on 0.0.0.0 without API keys")
    assert "AVATAR_ALLOW_ANONYMOUS=true" in line
    assert uvicorn_calls == []


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10"])
def test_serve_on_a_public_address_with_anonymous_allowed_starts(
    runner: CliRunner,
    uvicorn_calls: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    host: str,
) -> None:
    monkeypatch.setenv("AVATAR_ALLOW_ANONYMOUS", "true")
    assert run(runner, "serve", "--host", host).exit_code == 0
    assert uvicorn_calls[0]["host"] == host


@pytest.mark.usefixtures("sqlite_store")
def test_serve_on_a_public_address_with_a_stored_key_starts(
    runner: CliRunner, uvicorn_calls: list[dict[str, Any]]
) -> None:
    assert run(runner, "serve", "--host", "0.0.0.0").exit_code == 2
    run(runner, "keys", "create", "--name", "prod")
    assert run(runner, "serve", "--host", "0.0.0.0").exit_code == 0
    assert len(uvicorn_calls) == 1


def test_serve_on_loopback_without_keys_warns_and_starts(
    runner: CliRunner, uvicorn_calls: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        result = run(runner, "serve", "--host", "127.0.0.1")
    assert result.exit_code == 0
    assert len(uvicorn_calls) == 1
    assert "serving without API keys" in result.stderr + caplog.text


@pytest.mark.usefixtures("sqlite_store")
def test_a_key_created_for_a_tenant_says_so(runner: CliRunner) -> None:
    created = json.loads(
        run(runner, "keys", "create", "--name", "acme", "--tenant", "acme", "--json").stdout
    )
    assert created["tenant"] == "acme"
    assert "acme" in run(runner, "keys", "ls").stdout.splitlines()[1]
    bad = run(runner, "keys", "create", "--name", "x", "--tenant", "Not/A/Tenant")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: a tenant is")
