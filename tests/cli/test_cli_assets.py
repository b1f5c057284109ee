"""``avatar assets`` on the real fsspec store (./data under the test's empty directory)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from avatar_service.entrypoints.cli import main


@pytest.fixture(autouse=True)
def fsspec_blobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVATAR_BLOBS", "fsspec")
    monkeypatch.setenv("AVATAR_STORAGE__FSYNC", "false")


def test_put_ls_get_rm_round_trip(runner: CliRunner, tmp_path: Path) -> None:
    data = bytes(range(256)) * 5000
    (tmp_path / "clip.bin").write_bytes(data)
    put = runner.invoke(main, ["assets", "put", "clip.bin", "--name", "media/clip.bin", "--json"])
    assert put.exit_code == 0, put.output
    assert json.loads(put.output)["checksum"] == hashlib.sha256(data).hexdigest()
    listed = runner.invoke(main, ["assets", "ls", "--json", "--prefix", "media/"])
    assert [a["asset_id"] for a in json.loads(listed.output)["assets"]] == ["media/clip.bin"]
    get = runner.invoke(main, ["assets", "get", "media/clip.bin", "-o", "copy.bin"])
    assert get.exit_code == 0, get.output
    assert (tmp_path / "copy.bin").read_bytes() == data
    assert runner.invoke(main, ["assets", "rm", "media/clip.bin"]).exit_code == 0
    assert json.loads(runner.invoke(main, ["assets", "ls", "--json"]).output)["count"] == 0


def test_put_shows_a_progress_bar_when_asked(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.bin").write_bytes(b"x" * 3_000_000)
    result = runner.invoke(main, ["assets", "put", "a.bin", "--progress"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("put a.bin")  # click draws the bar itself only on a tty


def test_put_names_the_asset_after_the_sanitised_file_name(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "my photo (1).png").write_bytes(b"\x89PNG\r\n\x1a\n")
    result = runner.invoke(main, ["assets", "put", "my photo (1).png", "--json"])
    assert json.loads(result.output)["asset_id"] == "my photo _1_.png"
    assert json.loads(result.output)["type"] == "image"


def test_existing_name_needs_overwrite(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one")
    assert runner.invoke(main, ["assets", "put", "a.txt"]).exit_code == 0
    again = runner.invoke(main, ["assets", "put", "a.txt"])
    assert again.exit_code == 2
    assert again.output.startswith("error: ") and "already exists" in again.output
    assert runner.invoke(main, ["assets", "put", "a.txt", "--overwrite"]).exit_code == 0


def test_get_refuses_to_replace_a_file_without_force(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one")
    runner.invoke(main, ["assets", "put", "a.txt"])
    result = runner.invoke(main, ["assets", "get", "a.txt"])
    assert result.exit_code == 2 and "--force" in result.output
    assert runner.invoke(main, ["assets", "get", "a.txt", "--force"]).exit_code == 0
    stdout = runner.invoke(main, ["assets", "get", "a.txt", "-o", "-"])
    assert stdout.output == "one"


@pytest.mark.parametrize("name", ["../etc/passwd", "/abs", "a\\b", "%2e%2e/x"])
def test_unsafe_names_are_one_line_errors(runner: CliRunner, tmp_path: Path, name: str) -> None:
    (tmp_path / "a.txt").write_text("one")
    for args in (["put", "a.txt", "--name", name], ["get", name], ["rm", name]):
        result = runner.invoke(main, ["assets", *args])
        assert result.exit_code == 2, result.output
        assert result.output.startswith("error: unsafe blob name")
        assert "Traceback" not in result.output


def test_missing_asset_is_an_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["assets", "rm", "nothing.txt"])
    assert (result.exit_code, result.output.splitlines()[0][:6]) == (2, "error:")


def test_the_default_blob_store_is_fsspec_under_data(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AVATAR_BLOBS")
    (tmp_path / "a.txt").write_text("one")
    assert runner.invoke(main, ["assets", "put", "a.txt"]).exit_code == 0
    assert (tmp_path / "data" / "assets" / "index" / "a.txt.json.").is_file()
    config = json.loads(runner.invoke(main, ["config", "--json"]).output)
    assert config["blobs"] == "fsspec"
