"""A reader that stops early (``avatar ... | head``) ends the command quietly, as it ends any
Unix tool: no ``error:`` line, no traceback, exit status 141 (128 + SIGPIPE)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from avatar_service.entrypoints.cli.errors import EXIT_FAILURE, AvatarGroup

CLOSED_BY_READER = 141


def run_into_closed_pipe(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the command writes a byte
    try:
        return subprocess.run(
            [sys.executable, "-m", "avatar_service.entrypoints.cli", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            cwd=cwd,
            env={**os.environ, "AVATAR_DATA_DIR": str(cwd / "data")},
        )
    finally:
        os.close(write_end)


def test_output_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    done = run_into_closed_pipe(["config"], tmp_path)
    assert "error" not in done.stderr.lower()
    assert "Traceback" not in done.stderr
    assert done.returncode == CLOSED_BY_READER


def test_a_broken_pipe_that_is_not_stdout_is_still_an_error() -> None:
    """A child's pipe (ffmpeg's, say) that breaks is a failure, not a reader going away."""

    @click.command()
    def feeds_a_child() -> None:
        raise BrokenPipeError(32, "Broken pipe")

    group = AvatarGroup(commands={"feed": feeds_a_child})
    result = CliRunner().invoke(group, ["feed"])
    assert result.exit_code == EXIT_FAILURE
    assert result.stderr == "error: [Errno 32] Broken pipe\n"
