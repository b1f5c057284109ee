"""Installs the fixture plugin distribution (tests/fixtures/avatar-sine-voice) when missing."""

from __future__ import annotations

import importlib
import importlib.metadata
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

SINE_PLUGIN = Path(__file__).parents[1] / "fixtures" / "avatar-sine-voice"


@pytest.fixture(scope="session")
def sine_plugin_installed() -> str:
    """The installed version of ``avatar-sine-voice``, installing it into this environment first."""
    try:
        return importlib.metadata.version("avatar-sine-voice")
    except importlib.metadata.PackageNotFoundError:
        pass
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "-e",
        str(SINE_PLUGIN),
    ]
    subprocess.run(command, check=True, timeout=300)
    # An editable install works through a .pth file, read only at interpreter start: read it now.
    site.addsitedir(sysconfig.get_paths()["purelib"])
    importlib.invalidate_caches()
    return importlib.metadata.version("avatar-sine-voice")
