"""What a command loads before it runs: listing the commands, or a command's options, loads
no heavy library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = (
    "numpy",
    "litestar",
    "sqlalchemy",
    "sqlmodel",
    "onnxruntime",
    "piper",
    "pydantic",
    "pydantic_settings",
    "structlog",
    "uvicorn",
    "pluggy",
    "soundfile",
    "prometheus_client",
)


def loaded_after(code: str) -> list[str]:
    """The ``HEAVY`` modules loaded by a fresh interpreter running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    modules = json.loads(done.stdout.splitlines()[-1])
    return [name for name in HEAVY if name in modules]


def test_listing_the_commands_loads_no_heavy_library() -> None:
    code = (
        "import sys\nfrom avatar_service.entrypoints.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    )
    assert loaded_after(code) == []


@pytest.mark.parametrize("command", ["render", "jobs ls", "lipsync", "db upgrade", "serve"])
def test_a_command_help_loads_no_heavy_library(command: str) -> None:
    args = [*command.split(), "--help"]
    code = (
        "from avatar_service.entrypoints.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass"
    )
    assert loaded_after(code) == []


def test_a_one_shot_command_loads_no_web_stack_database_or_log_renderer(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVATAR_")}
    mocks = {"tts": "mock", "aligner": "mock", "store": "memory", "blobs": "memory"}
    env.update({f"AVATAR_{port.upper()}": name for port, name in mocks.items()})
    code = (
        "from avatar_service.entrypoints.cli import main\n"
        "try:\n    main(['lipsync', 'hello there', '--json'])\nexcept SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "import json, sys\nprint(json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=tmp_path,
        env=env,
    )
    modules = set(json.loads(done.stdout.splitlines()[-1]))
    unused = {"litestar", "uvicorn", "sqlalchemy", "structlog", "onnxruntime", "prometheus_client"}
    assert modules & unused == set()


def test_listing_the_commands_loads_no_domain_module_and_no_url_library() -> None:
    """A command's options are declared without the domain modules they check against (the
    cue formats, viseme sets, speech types load when a command runs), nor ``urllib.request``
    (some standard modules pull it in: it cost 80 ms of every start)."""
    code = (
        "from avatar_service.entrypoints.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "import json, sys\nprint(json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    modules = json.loads(done.stdout.splitlines()[-1])
    core = {name for name in modules if name.startswith("avatar_service.core.")}
    assert core <= {"avatar_service.core.errors", "avatar_service.core.tenancy"}
    assert "urllib.request" not in modules
