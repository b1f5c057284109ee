"""`avatar say`, `avatar render` and `avatar renderer` on the Node renderer (mock speech,
in-memory store)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import unavailable

from avatar_service.adapters.renderer.node_package import resolve
from avatar_service.contracts._media import image_size, sniff_format
from avatar_service.core.errors import Unavailable
from avatar_service.entrypoints.cli import main

try:  # found now, from the directory pytest started in: the tests run in empty directories
    RENDERER_DIR = resolve("node", None, None).node_modules.parent
except Unavailable as exc:  # pragma: no cover - the tox env runs npm ci first
    unavailable(f"node renderer not set up: {exc.message}", module=True)


@pytest.fixture(autouse=True)
def node_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVATAR_RENDERER", "node")
    monkeypatch.setenv("AVATAR_NODE_RENDERER__WORKERS", "1")
    monkeypatch.setenv("AVATAR_NODE_RENDERER__DIR", str(RENDERER_DIR))


def test_say_writes_a_talking_mp4(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "hello.mp4"
    result = runner.invoke(
        main, ["say", "Hello there", "-o", str(out), "--size", "96", "--fps", "10"]
    )
    assert result.exit_code == 0, result.output
    assert sniff_format(out.read_bytes()[:16]) == "mp4"
    assert f"wrote {out}" in result.stdout


def test_say_json_reports_the_video_and_honours_the_format_option(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "hello.out"
    result = runner.invoke(
        main,
        [
            "say",
            "Hi",
            "-o",
            str(out),
            "--format",
            "gif",
            "--size",
            "64x48",
            "--fps",
            "8",
            "--avatar",
            "leo",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert (body["format"], body["width"], body["height"]) == ("gif", 64, 48)
    assert body["frames"] == round(body["duration"] * 8)
    assert image_size(out.read_bytes())[1:] == (64, 48)


def test_render_writes_a_frame_and_warns_about_ignored_prompt_words(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "frame.png"
    result = runner.invoke(
        main, ["render", "-o", str(out), "--size", "80x60", "--prompt", "smiling at a unicorn"]
    )
    assert result.exit_code == 0, result.output
    assert image_size(out.read_bytes()) == ("png", 80, 60)
    assert "unicorn" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["say", "Hi", "-o", "x.mp4", "--size", "big"], "size must be"),
        (["say", "Hi", "-o", "x.mp4", "--size", "8"], "width must be between"),
        (["say", "Hi", "-o", "x.avi"], "format must be one of"),
        (["say", "Hi", "-o", "x.mp4", "--avatar", "nobody"], "nobody"),
        (["render", "-o", "noext"], "--format"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(
    runner: CliRunner, args: list[str], message: str
) -> None:
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_missing_node_is_a_clear_runtime_error(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NODE_PATH", "/nonexistent/node")
    result = runner.invoke(main, ["render", "-o", "frame.png"])
    assert result.exit_code == 1
    assert "node not found" in result.stderr
    assert "NODE_PATH" in result.stderr


def test_renderer_install_explains_a_missing_npm(runner: CliRunner) -> None:
    result = runner.invoke(main, ["renderer", "install", "--npm", "/nonexistent/npm"])
    assert result.exit_code == 1
    assert "npm not found" in result.stderr
