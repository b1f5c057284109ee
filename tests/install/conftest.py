"""The project installed as a new user installs it: the README's start command, run verbatim
(read from README.md) in a fresh copy of the source tree, so a fresh virtualenv with no extras
and ``npm ci`` of the renderer. The tests drive that install's ``avatar`` command and server,
never this test environment's packages.

``readme_install`` is the install; ``readme_server`` is its ``avatar serve`` on a free port.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from readme_kit import ReadmeInstall

REPO = Path(__file__).resolve().parents[2]
INSTALL_TIMEOUT = 1200.0
"""Seconds the README's install may take (pip and npm download on a cold cache)."""
START_TIMEOUT = 90.0
"""Seconds ``avatar serve`` may take to answer ``/health``."""
NOT_COPIED = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".tox",
    "node_modules",
    "data",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
)
"""What a fresh clone does not have."""
SERVE_SUFFIX = re.compile(r"\s*&&\s*\.venv/bin/avatar serve\s*$")


def readme_start_command(readme: Path) -> str:
    """The README's "Start the service" command without its final ``avatar serve``."""
    text = readme.read_text(encoding="utf-8")
    match = re.search(r"\*\*Start the service\*\*.*?```sh\n(.*?)\n```", text, re.S)
    assert match, "README.md has no 'Start the service' command"
    command = match.group(1).strip()
    install, count = SERVE_SUFFIX.subn("", command)
    assert count == 1, f"the start command does not end with '&& .venv/bin/avatar serve': {command}"
    return install


def clean_environment() -> dict[str, str]:
    """This process's environment without its virtualenv, Python path or service settings."""
    drop = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PIP_REQUIRE_VIRTUALENV")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AVATAR_") and key not in drop
    }
    ours = os.environ.get("VIRTUAL_ENV")
    if ours:  # this test environment's bin must not shadow the system python3
        parts = env.get("PATH", "").split(os.pathsep)
        env["PATH"] = os.pathsep.join(p for p in parts if not p.startswith(ours))
    return env


@pytest.fixture(scope="session")
def readme_install() -> Iterator[ReadmeInstall]:
    """The README's install in a fresh copy of the source tree (built once per session), in a
    folder of its own: pytest's temporary folders are pruned by other pytest runs of the same
    user, which must not remove an install in use."""
    root = Path(tempfile.mkdtemp(prefix="avatar-readme-install-"))
    try:
        yield _install(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _install(root: Path) -> ReadmeInstall:
    source = root / "avatar-service"
    shutil.copytree(REPO, source, ignore=NOT_COPIED, symlinks=True)
    command = readme_start_command(source / "README.md")
    env = clean_environment()
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, (
        f"{command!r} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    work = root / "work"
    work.mkdir()
    bin_dir = source / ".venv" / "bin"
    env = {
        **env,
        "AVATAR_DATA_DIR": str(root / "data"),
        "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}",
    }
    return ReadmeInstall(bin=bin_dir, env=env, cwd=work, source=source)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def readme_server(readme_install: ReadmeInstall) -> Iterator[str]:
    """``avatar serve`` of the install on a free loopback port: its base URL."""
    port = free_port()
    log = readme_install.cwd / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(readme_install.bin / "avatar"), "serve", "--port", str(port)],
            env=readme_install.env,
            cwd=readme_install.cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"avatar serve did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
