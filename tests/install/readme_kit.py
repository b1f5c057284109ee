"""What the install tests share: the README's install as an object."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ReadmeInstall:
    """``bin``: the fresh virtualenv's bin folder (``bin / "avatar"``); ``env``: the
    environment to run its commands with (no ``AVATAR_*`` from outside but
    ``AVATAR_DATA_DIR``, a temporary folder); ``cwd``: an empty working folder."""

    bin: Path
    env: dict[str, str]
    cwd: Path
    source: Path

    def avatar(self, *args: str, timeout: float = 300.0) -> subprocess.CompletedProcess[str]:
        """``avatar ARGS`` of the install, output captured."""
        return subprocess.run(
            [str(self.bin / "avatar"), *args],
            env=self.env,
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
