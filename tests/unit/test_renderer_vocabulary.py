"""The Node renderer speaks core's vocabulary: the enums and defaults of
``renderer/src/schema.js`` (and the gestures of ``motion.js``) equal ``core/avatar.py``'s, so a
value core accepts is never one the renderer refuses, nor the other way round."""

from __future__ import annotations

import json
import shutil
import subprocess
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from support import require

from avatar_service.core.avatar import (
    Accessory,
    AvatarState,
    BrowStyle,
    ClothingStyle,
    Expression,
    HairStyle,
    Pose,
    VoiceGender,
)
from avatar_service.core.usecases.render_timeline import GESTURE_EVERY
from avatar_service.core.usecases.rendering import CONTENT_TYPES
from avatar_service.core.visemes import OCULUS_VISEMES

SOURCE = Path(__file__).resolve().parents[2] / "renderer" / "src"
# Imports the modules as the renderer does and prints what they export (functions drop out).
PRINT_EXPORTS = """
const [schema, motion] = await Promise.all(process.argv.slice(1).map((url) => import(url)));
process.stdout.write(JSON.stringify({ ...schema, GESTURES: Object.keys(motion.GESTURES) }));
"""
RENDERER_ONLY_STATE = {"title"}
"""State the renderer draws that core does not keep (a caption set per render)."""


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    node = shutil.which("node")
    require(node, "Node.js is not installed")
    assert node is not None
    urls = [(SOURCE / name).as_uri() for name in ("schema.js", "motion.js")]
    done = subprocess.run(
        [node, "--input-type=module", "-e", PRINT_EXPORTS, *urls],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    exports: dict[str, Any] = json.loads(done.stdout)
    return exports


def _values(kind: type[StrEnum]) -> list[str]:
    return [member.value for member in kind]


@pytest.mark.parametrize(
    ("export", "kind"),
    [
        ("HAIR_STYLES", HairStyle),
        ("BROW_STYLES", BrowStyle),
        ("CLOTHING_STYLES", ClothingStyle),
        ("ACCESSORIES", Accessory),
        ("EXPRESSIONS", Expression),
        ("VOICE_GENDERS", VoiceGender),
    ],
)
def test_each_enum_lists_cores_values(
    schema: dict[str, Any], export: str, kind: type[StrEnum]
) -> None:
    assert sorted(schema[export]) == sorted(_values(kind))
    assert len(set(schema[export])) == len(schema[export])


def test_the_visemes_are_cores_oculus_set(schema: dict[str, Any]) -> None:
    assert sorted(schema["VISEMES"]) == sorted(OCULUS_VISEMES)
    assert sorted(schema["MOUTHS"]) == sorted(OCULUS_VISEMES)


def test_the_default_state_is_cores(schema: dict[str, Any]) -> None:
    drawn = {k: v for k, v in schema["DEFAULT_STATE"].items() if k not in RENDERER_ONLY_STATE}
    assert {**drawn, **schema["VOICE_PREFERENCES"]} == AvatarState().to_dict()


def test_the_default_pose_agrees_with_cores_on_every_field_core_has(
    schema: dict[str, Any],
) -> None:
    core = {name: getattr(Pose(), name) for name in Pose.__dataclass_fields__}
    assert {k: schema["DEFAULT_POSE"][k] for k in core} == core


def test_the_formats_are_the_ones_core_stores(schema: dict[str, Any]) -> None:
    assert sorted(schema["IMAGE_FORMATS"] + schema["VIDEO_FORMATS"]) == sorted(CONTENT_TYPES)


def test_every_gesture_core_schedules_is_one_the_renderer_plays(schema: dict[str, Any]) -> None:
    scheduled = {gesture for gesture, _every in GESTURE_EVERY.values()}
    assert scheduled <= set(schema["GESTURES"])
