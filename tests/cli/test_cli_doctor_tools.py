"""``avatar doctor``'s tool probes: found or not, version, and whether an adapter needs it."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from support import MOCK, require

from avatar_service.entrypoints.cli.tools import check_tools, ffmpeg_command
from avatar_service.entrypoints.settings import Settings


def test_a_missing_tool_says_how_to_fix_it() -> None:
    settings = Settings(node_path="/nonexistent/node", ffmpeg_path="/nonexistent/ffmpeg")
    for tool in check_tools(settings):
        assert not tool.ok
        assert tool.path is None
        assert "not found" in tool.detail
        assert "PATH" in tool.hint  # NODE_PATH / FFMPEG_PATH


def test_tools_are_required_only_by_the_node_renderer() -> None:
    assert not any(t.required for t in check_tools(Settings(renderer=MOCK)))
    assert all(t.required for t in check_tools(Settings(renderer="node")))


def test_installed_node_reports_its_version() -> None:
    require(shutil.which("node"), "Node.js is not installed")
    node = next(t for t in check_tools(Settings()) if t.name == "node")
    assert node.path == shutil.which("node")
    assert node.detail.startswith("v")


def test_a_tool_that_fails_its_version_call_is_not_ok(tmp_path: Path) -> None:
    broken = tmp_path / "node"
    broken.write_text(f"#!{sys.executable}\nimport sys\nsys.exit(3)\n")
    broken.chmod(0o755)
    node = next(t for t in check_tools(Settings(node_path=str(broken))) if t.name == "node")
    assert not node.ok
    assert "3" in node.detail


def test_old_node_is_not_ok(tmp_path: Path) -> None:
    old = tmp_path / "node"
    old.write_text(f"#!{sys.executable}\nprint('v18.19.0')\n")
    old.chmod(0o755)
    node = next(t for t in check_tools(Settings(node_path=str(old))) if t.name == "node")
    assert not node.ok
    assert "too old" in node.detail


def test_ffmpeg_path_setting_wins() -> None:
    assert (
        ffmpeg_command(Settings(ffmpeg_path="/opt/ffmpeg/bin/ffmpeg")) == "/opt/ffmpeg/bin/ffmpeg"
    )
