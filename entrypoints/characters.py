"""The built-in characters (``renderer/presets/characters.json``, shipped with the renderer
package data): id -> ``{"name", "description", "state"}``. Rendering with one of these ids
creates that avatar on first use."""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from typing import Any

PACKAGE = "avatar_service.renderer_js"
RELATIVE = Path("presets") / "characters.json"


def characters_file() -> Path:
    """The installed package data, else the source checkout's copy."""
    spec = importlib.util.find_spec(PACKAGE)
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / RELATIVE).is_file():
            return Path(location) / RELATIVE
    return Path(__file__).resolve().parents[1] / "renderer" / RELATIVE


@functools.cache
def load_characters() -> dict[str, dict[str, Any]]:
    """The characters, or none when the file is missing or unreadable (rendering still works
    with stored avatars)."""
    try:
        data = json.loads(characters_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return (
        {str(k): v for k, v in data.items() if isinstance(v, dict)}
        if isinstance(data, dict)
        else {}
    )
