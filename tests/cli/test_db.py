"""``avatar db|avatars|sessions|gc|export|import`` on the SQL store (a SQLite file in ./data)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from avatar_service.adapters.store.sqlmodel import schema
from avatar_service.adapters.store.sqlmodel.factory import open_store
from avatar_service.adapters.store.sqlmodel.store import SqlModelStore
from avatar_service.contracts import _records as make
from avatar_service.entrypoints.cli import main

DEFAULT_DB = Path("data") / "avatar.db"


@pytest.fixture(autouse=True)
def sql_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVATAR_STORE", "sqlmodel")  # DATABASE_URL: the default, ./data/avatar.db


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(main, list(args), catch_exceptions=False)


def run_json(runner: CliRunner, *args: str) -> Any:
    result = run(runner, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _store(url: str = f"sqlite:///{DEFAULT_DB}") -> SqlModelStore:
    return open_store(url)


def test_db_upgrade_current_history_downgrade(runner: CliRunner) -> None:
    head = schema.head_revision()
    assert run_json(runner, "db", "current") == {"current": None, "head": head, "at_head": False}
    assert DEFAULT_DB.is_file(), "the default SQLite file (and ./data) is created on first use"
    upgraded = run(runner, "db", "upgrade")
    assert upgraded.exit_code == 0 and f"empty -> {head}" in upgraded.stdout
    assert run_json(runner, "db", "current")["at_head"] is True
    assert "(head)" in run(runner, "db", "history").stdout
    assert run_json(runner, "db", "history")["revisions"][0]["revision"] == head
    assert run(runner, "db", "downgrade", "base").exit_code == 0
    assert run_json(runner, "db", "current")["current"] is None


def test_unknown_revision_is_one_error_line(runner: CliRunner) -> None:
    result = run(runner, "db", "upgrade", "nope")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot migrate to 'nope'")


def test_production_refuses_a_stale_schema_and_names_the_command(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVATAR_ENV", "production")
    refused = run(runner, "avatars", "ls")
    assert refused.exit_code == 1
    assert "avatar db upgrade" in refused.stderr
    assert "Traceback" not in refused.output
    assert run(runner, "db", "upgrade").exit_code == 0
    assert run(runner, "avatars", "ls").exit_code == 0


def test_development_upgrades_on_first_use(runner: CliRunner) -> None:
    assert run_json(runner, "avatars", "ls") == {"avatars": [], "next_cursor": None}
    assert run_json(runner, "db", "current")["at_head"] is True


def test_avatars_and_sessions_ls_show_rm(runner: CliRunner) -> None:
    store = _store()
    ada = make.avatar(store, avatar_id="ada")
    make.avatar(store, avatar_id="bob")
    session = make.session(store, ada.avatar_id, topic="t")
    store.close()
    listed = run_json(runner, "avatars", "ls", "--limit", "1")
    assert [a["avatar_id"] for a in listed["avatars"]] == ["ada"]
    following = run_json(runner, "avatars", "ls", "--cursor", listed["next_cursor"])
    assert [a["avatar_id"] for a in following["avatars"]] == ["bob"]
    assert "ada" in run(runner, "avatars", "ls").stdout
    assert json.loads(run(runner, "avatars", "show", "ada").stdout)["version"] == 1
    sessions = run_json(runner, "sessions", "ls", "--avatar", "ada")["sessions"]
    assert [s["metadata"] for s in sessions] == [{"topic": "t"}]
    assert run(runner, "sessions", "rm", session.session_id).exit_code == 0
    assert run_json(runner, "sessions", "ls")["sessions"] == []
    removed = run(runner, "avatars", "rm", "ada")
    assert "deleted avatar ada: 1 sessions" in removed.stdout
    missing = run(runner, "avatars", "show", "ada")
    assert missing.exit_code == 2 and missing.stderr.startswith("error: no avatar 'ada'")


def test_gc_lists_by_default_and_removes_with_apply(runner: CliRunner) -> None:
    store = _store()
    avatar = make.avatar(store)
    audio = make.audio(store, avatar.avatar_id)  # its blob was never written: an orphan row
    store.close()
    dry = run_json(runner, "gc", "--min-age", "0")
    assert dry["applied"] is False
    assert dry["orphans"] == [
        {
            "kind": "record",
            "namespace": "audios",
            "name": audio.blob_name,
            "record_id": audio.audio_id,
            "tenant": "default",
        }
    ]
    assert "dry run" in run(runner, "gc").stdout
    applied = run_json(runner, "gc", "--apply", "--min-age", "0")
    assert applied["removed"] == 1
    assert run_json(runner, "gc")["orphans"] == []


def test_export_then_import_into_another_database(runner: CliRunner, tmp_path: Path) -> None:
    store = _store()
    ada = make.avatar(store, avatar_id="ada")
    store.update_avatar("ada", name="Ada v2")
    session = make.session(store, ada.avatar_id, k=1)
    make.preset(store, {"hair_style": "bun"})
    make.audio(store, ada.avatar_id, session.session_id)
    make.render(store, ada.avatar_id)
    store.close()
    assert run(runner, "export", "-o", "dump.json").exit_code == 0
    dump = json.loads(Path("dump.json").read_text())
    assert [len(dump[k]) for k in ("avatars", "presets", "sessions", "audios", "renders")] == [
        1,
        1,
        1,
        1,
        1,
    ]
    other = f"sqlite:///{tmp_path / 'other.db'}"
    imported = CliRunner(env={"DATABASE_URL": other}).invoke(
        main, ["import", "dump.json", "--json"], catch_exceptions=False
    )
    assert json.loads(imported.stdout)["created"]["avatars"] == 1
    again = CliRunner(env={"DATABASE_URL": other}).invoke(main, ["import", "dump.json", "--json"])
    kinds = ("avatars", "presets", "sessions", "audios", "renders")
    assert json.loads(again.stdout)["skipped"] == dict.fromkeys(kinds, 1)
    copy = _store(other)
    assert copy.get_avatar("ada") == _store().get_avatar("ada")


def test_import_of_a_file_that_is_not_a_dump_is_one_error_line(runner: CliRunner) -> None:
    Path("bad.json").write_text("{not json")
    result = run(runner, "import", "bad.json")
    assert result.exit_code == 2 and result.stderr.startswith("error: bad.json is not JSON")
    Path("other.json").write_text('{"format": "x"}')
    assert "not an avatar-service dump" in run(runner, "import", "other.json").stderr


def test_serve_in_production_refuses_a_stale_schema_before_starting(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVATAR_ENV", "production")
    result = run(runner, "serve", "--port", "1")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: the database schema is at revision none")
    assert "run `avatar db upgrade`" in result.stderr


def test_the_tenant_option_scopes_commands_and_star_reads_across(runner: CliRunner) -> None:
    store = _store()
    make.avatar(store.scoped("acme"), avatar_id="ada")
    make.avatar(store, avatar_id="bob")
    store.close()
    assert [a["avatar_id"] for a in run_json(runner, "avatars", "ls")["avatars"]] == ["bob"]
    acme = run_json(runner, "--tenant", "acme", "avatars", "ls")["avatars"]
    assert [a["avatar_id"] for a in acme] == ["ada"]
    every = run_json(runner, "--tenant", "*", "avatars", "ls")["avatars"]
    assert sorted(a["avatar_id"] for a in every) == ["ada", "bob"]
    refused = run(runner, "--tenant", "*", "avatars", "rm", "ada")
    assert refused.exit_code == 2 and "needs one tenant" in refused.stderr
    assert run(runner, "--tenant", "acme", "avatars", "rm", "ada").exit_code == 0


def test_gc_finds_what_a_killed_upload_and_render_left(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVATAR_BLOBS", "fsspec")  # blobs under ./data, as served by default
    partial = Path("data/assets/blobs/ab/ab" + "0" * 30)  # data no manifest names
    partial.parent.mkdir(parents=True)
    partial.write_bytes(b"x" * 4096)
    temp = Path("data/tmp/avatar-render-k1ll3d.mp4")  # a killed render's video
    temp.parent.mkdir(parents=True)
    temp.write_bytes(b"v")
    dry = run_json(runner, "gc", "--min-age", "0")
    left = sorted((o["namespace"], o["name"]) for o in dry["orphans"] if o["kind"] == "leftover")
    assert left == [("assets", str(partial.relative_to("data/assets"))), ("temp", temp.name)]
    assert partial.exists() and temp.exists()
    assert "2 orphans (dry run" in run(runner, "gc", "--min-age", "0").stdout
    assert run_json(runner, "gc", "--apply", "--min-age", "0")["removed"] == 2
    assert not partial.exists() and not temp.exists()
