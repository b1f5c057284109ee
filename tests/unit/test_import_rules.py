"""The house rules hold (import-linter), and the check really fails when core imports an adapter."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
FOLDERS = ("core", "adapters", "plugins", "entrypoints", "contracts")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on ``tree/avatar_service`` only: ``-S`` keeps any installed copy out."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tree), sysconfig.get_paths()["purelib"]])
    code = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"
    return subprocess.run(
        [sys.executable, "-S", "-c", code, str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    package = tmp_path / "avatar_service"
    for folder in FOLDERS:
        shutil.copytree(
            ROOT / folder, package / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    return tmp_path


def test_the_source_tree_keeps_every_rule(tree: Path) -> None:
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_core_importing_an_adapter_breaks_the_rule(tree: Path) -> None:
    ports = tree / "avatar_service" / "core" / "ports" / "speech.py"
    ports.write_text(ports.read_text() + "\nimport avatar_service.adapters.tts  # noqa\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "core is pure" in result.stdout and "BROKEN" in result.stdout


def test_core_importing_a_framework_breaks_the_rule(tree: Path) -> None:
    visemes = tree / "avatar_service" / "core" / "visemes.py"
    visemes.write_text(visemes.read_text() + "\nimport litestar  # noqa\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "core is pure" in result.stdout
    assert "BROKEN" in result.stdout
