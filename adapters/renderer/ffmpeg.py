"""Where ffmpeg is: ``FFMPEG_PATH`` when set, else the binary shipped in the imageio-ffmpeg
wheel, else ``ffmpeg`` on ``PATH``."""

from __future__ import annotations

import importlib
import shutil

FFMPEG_HINT = "pip install imageio-ffmpeg, install ffmpeg, or set FFMPEG_PATH to its executable"


def locate_ffmpeg(explicit: str | None = None) -> str | None:
    """The ffmpeg executable to run, or ``None`` when there is none.

    An explicit path is used as given if it resolves (``shutil.which`` accepts a name or path).
    """
    if explicit:
        return shutil.which(explicit)
    try:
        module = importlib.import_module("imageio_ffmpeg")
        path = str(module.get_ffmpeg_exe())
    except (ImportError, RuntimeError, OSError):
        path = None
    if path and shutil.which(path):
        return path
    return shutil.which("ffmpeg")
