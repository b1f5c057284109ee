"""The fixture plugin distribution (``tests/fixtures/avatar-sine-voice``), installed into the
test environment once, before any test process starts (see ``tests/conftest.py``)."""

from __future__ import annotations

import importlib
import importlib.metadata
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

SINE_PLUGIN = Path(__file__).parent / "fixtures" / "avatar-sine-voice"


def install_sine_plugin() -> str:
    """The installed version of ``avatar-sine-voice``, installing it (editable, no
    dependencies) into this environment first when it is missing."""
    try:
        return importlib.metadata.version("avatar-sine-voice")
    except importlib.metadata.PackageNotFoundError:
        pass
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "-e"]
    subprocess.run([*command, str(SINE_PLUGIN)], check=True, timeout=300)
    # An editable install works through a .pth file, read only at interpreter start: read it now.
    site.addsitedir(sysconfig.get_paths()["purelib"])
    importlib.invalidate_caches()
    return importlib.metadata.version("avatar-sine-voice")
