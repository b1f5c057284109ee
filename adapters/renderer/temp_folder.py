"""The folder renders keep their temporary audio and video in, under the data folder (never
the system's temporary folder), so that what a killed render leaves behind is found and
removed by ``avatar gc`` (``LeftoverSource``)."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from avatar_service.core.ports import Leftover, LeftoverSource

WHERE = "temp"
PREFIX = "avatar-"
"""Every temporary file made here starts with this; nothing else in the folder is touched."""


class TempFolder(LeftoverSource):
    """Temporary files of renders in ``path`` (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def new_file(self, kind: str, suffix: str) -> Path:
        """A new empty file ``avatar-<kind>-<random><suffix>`` that the caller deletes."""
        self.path.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f"{PREFIX}{kind}-", suffix=suffix, dir=self.path)
        os.close(fd)
        return Path(name)

    def leftovers(self, older_than: datetime) -> list[Leftover]:
        found = []
        try:
            entries = list(os.scandir(self.path))
        except FileNotFoundError:
            return []
        for entry in entries:
            if not entry.name.startswith(PREFIX) or not entry.is_file(follow_symlinks=False):
                continue
            stat = entry.stat(follow_symlinks=False)
            modified = datetime.fromtimestamp(stat.st_mtime, UTC)
            if modified <= older_than:
                found.append(Leftover(WHERE, entry.name, stat.st_size, modified))
        return sorted(found, key=lambda item: item.path)

    def remove_leftover(self, item: Leftover) -> bool:
        if item.where != WHERE or "/" in item.path or not item.path.startswith(PREFIX):
            return False
        try:
            (self.path / item.path).unlink()
        except FileNotFoundError:
            return False
        return True
