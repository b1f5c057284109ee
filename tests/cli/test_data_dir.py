"""One data location: ``AVATAR_DATA_DIR`` holds the database, blobs and voices of ``serve`` and
of every command; the one-shot media commands write only their output unless ``--keep``."""

from __future__ import annotations

import json
import os
import wave
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from avatar_service.entrypoints import cli
from avatar_service.entrypoints.settings import Settings


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


SQLITE_JOURNALS = ("-wal", "-shm")
"""SQLite's write-ahead log and its index: there while a connection is open, part of the
database, not something a command stored."""


def files_under(folder: Path) -> list[str]:
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and not p.name.endswith(SQLITE_JOURNALS)
    )


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real store and blob store (SQLite, files) in ``AVATAR_DATA_DIR``; mock speech and
    rendering."""
    monkeypatch.setenv("AVATAR_STORE", "sqlmodel")
    monkeypatch.setenv("AVATAR_BLOBS", "fsspec")
    folder = tmp_path / "somewhere" / "data"
    monkeypatch.setenv("AVATAR_DATA_DIR", str(folder))
    return folder


def test_every_location_follows_the_data_dir_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVATAR_DATA_DIR", "/srv/avatar")
    monkeypatch.setenv("AUDIOS_DIR", "s3://bucket/audios")
    settings = Settings(_env_file=None)
    assert settings.database_url.get_secret_value() == "sqlite:////srv/avatar/avatar.db"
    assert settings.assets_dir == "/srv/avatar/assets"
    assert settings.renders_dir == "/srv/avatar/renders"
    assert settings.audios_dir == "s3://bucket/audios"
    assert settings.speech.piper_voices_dir == Path("/srv/avatar/voices")


def test_the_default_data_dir_is_dot_data() -> None:
    settings = Settings(_env_file=None)
    assert settings.database_url.get_secret_value() == "sqlite:///./data/avatar.db"
    assert settings.assets_dir == "./data/assets"
    assert settings.speech.piper_voices_dir == Path("./data/voices")


def test_help_and_config_name_the_data_dir(data_dir: Path) -> None:
    assert "AVATAR_DATA_DIR" in run("--help").stdout
    shown = run("config")
    assert f"data_dir = {data_dir}" in shown.stdout
    assert "AVATAR_DATA_DIR" in shown.stderr
    assert json.loads(run("config", "--json").stdout)["data_dir"] == str(data_dir)


@pytest.mark.parametrize(
    ("args", "output"),
    [
        (("speak", "hello there", "-o", "out.wav"), "out.wav"),
        (("lipsync", "hello there", "--json"), None),
        (("say", "hello there", "-o", "out.gif", "--size", "32", "--fps", "5"), "out.gif"),
        (("render", "-o", "frame.png", "--size", "32"), "frame.png"),
        (("phonemes", "hello"), None),
        (("voices",), None),
    ],
)
def test_one_shot_commands_write_only_their_output(
    data_dir: Path, args: tuple[str, ...], output: str | None
) -> None:
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert not data_dir.exists()
    assert sorted(os.listdir(".")) == ([output] if output else [])


def test_align_writes_nothing(data_dir: Path) -> None:
    with wave.open("take.wav", "wb") as take:
        take.setnchannels(1), take.setsampwidth(2), take.setframerate(16000)
        take.writeframes(b"\x00\x01" * 16000)
    result = run("align", "take.wav", "hello")
    assert result.exit_code == 0, result.output
    assert not data_dir.exists()
    assert os.listdir(".") == ["take.wav"]


def test_keep_stores_into_the_data_dir_where_admin_commands_see_it(data_dir: Path) -> None:
    kept = run("render", "-o", "frame.png", "--size", "32", "--keep")
    assert kept.exit_code == 0, kept.output
    assert (data_dir / "avatar.db").is_file()
    assert any(name.startswith("renders/") for name in files_under(data_dir))
    dump = json.loads(run("export").stdout)
    assert len(dump["renders"]) == 1 and dump["avatars"][0]["avatar_id"] == "ava"
    assert "0 orphans" in run("gc").stdout
    assert run("keys", "create", "--name", "ops").exit_code == 0
    assert run("db", "current").exit_code == 0
    assert not Path("data").exists()  # nothing in the working folder's ./data


def test_a_stored_avatar_renders_without_keep(data_dir: Path) -> None:
    made = run("render", "-o", "a.png", "--size", "32", "--keep")
    assert made.exit_code == 0, made.output
    dump = json.loads(run("export").stdout)
    avatar = {**dump["avatars"][0], "avatar_id": "av_mine", "name": "Mine"}
    Path("mine.json").write_text(json.dumps({**dump, "avatars": [avatar], "renders": []}))
    imported = run("import", "mine.json")
    assert imported.exit_code == 0, imported.output
    before = files_under(data_dir)
    mine = run("render", "-o", "b.png", "--avatar", "av_mine", "--size", "32")
    assert mine.exit_code == 0, mine.output
    assert Path("b.png").is_file()
    assert files_under(data_dir) == before
    missing = run("render", "-o", "c.png", "--avatar", "av_nobody")
    assert missing.exit_code == 2 and "av_nobody" in missing.stderr
