"""Avatar appearance and pose: validated value objects with explicit dict (JSON) mappings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any, TypeVar

from avatar_service.core.errors import Invalid
from avatar_service.core.visemes import OCULUS_VISEMES

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
E = TypeVar("E", bound=StrEnum)


class HairStyle(StrEnum):
    SHORT = "short"
    LONG = "long"
    BOB = "bob"
    CURLY = "curly"
    BUN = "bun"
    PONYTAIL = "ponytail"
    BUZZ = "buzz"
    BALD = "bald"


class BrowStyle(StrEnum):
    NATURAL = "natural"
    THICK = "thick"
    THIN = "thin"
    ARCHED = "arched"


class ClothingStyle(StrEnum):
    TSHIRT = "tshirt"
    SHIRT = "shirt"
    HOODIE = "hoodie"
    BLAZER = "blazer"


class Accessory(StrEnum):
    GLASSES = "glasses"
    SUNGLASSES = "sunglasses"
    EARRINGS = "earrings"
    HEADPHONES = "headphones"
    HAT = "hat"


class VoiceGender(StrEnum):
    FEMALE = "female"
    MALE = "male"


_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})?$")


class Expression(StrEnum):
    NEUTRAL = "neutral"
    HAPPY = "happy"
    SAD = "sad"
    SURPRISED = "surprised"
    ANGRY = "angry"
    THINKING = "thinking"


def _color(value: Any, name: str, *, allow_transparent: bool = False) -> str:
    if allow_transparent and value == "transparent":
        return "transparent"
    if not isinstance(value, str) or not _HEX.match(value):
        allowed = "a #rrggbb colour" + (" or 'transparent'" if allow_transparent else "")
        raise Invalid(f"{name} must be {allowed}, got {value!r}", field=name)
    return value.lower()


def _enum(kind: type[E], value: Any, name: str) -> E:
    try:
        return kind(value)
    except ValueError:
        options = ", ".join(member.value for member in kind)
        raise Invalid(f"{name} must be one of {options}; got {value!r}", field=name) from None


def _number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"{name} must be a number, got {value!r}", field=name)
    if not low <= value <= high:
        raise Invalid(f"{name} must be between {low} and {high}, got {value}", field=name)
    return float(value)


@dataclass(frozen=True, slots=True)
class AvatarState:
    """How an avatar looks. Every field is validated on construction (``Invalid`` names it)."""

    skin_tone: str = "#e0ac69"
    hair_style: HairStyle = HairStyle.SHORT
    hair_color: str = "#3b2a1a"
    eye_color: str = "#4a6fa5"
    brow_style: BrowStyle = BrowStyle.NATURAL
    clothing_style: ClothingStyle = ClothingStyle.TSHIRT
    clothing_color: str = "#2f5d8a"
    accessories: tuple[Accessory, ...] = ()
    background: str = "#eef2f7"
    background_to: str | None = None
    expression: Expression = Expression.NEUTRAL
    voice_gender: VoiceGender | None = None
    """The voice the avatar wants: ``female``, ``male`` or ``None`` (any)."""
    voice_language: str | None = None
    """Language of the voice it wants (``en``, ``en-gb``); ``None``: any."""

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if self.voice_gender is not None:
            set_(self, "voice_gender", _enum(VoiceGender, self.voice_gender, "state.voice_gender"))
        if self.voice_language is not None and (
            not isinstance(self.voice_language, str) or not _LANGUAGE.match(self.voice_language)
        ):
            raise Invalid(
                f"state.voice_language must be a language code such as en or en-gb, "
                f"got {self.voice_language!r}",
                field="state.voice_language",
            )
        for name in ("skin_tone", "hair_color", "eye_color", "clothing_color"):
            set_(self, name, _color(getattr(self, name), f"state.{name}"))
        set_(
            self, "background", _color(self.background, "state.background", allow_transparent=True)
        )
        if self.background_to is not None:
            set_(self, "background_to", _color(self.background_to, "state.background_to"))
        set_(self, "hair_style", _enum(HairStyle, self.hair_style, "state.hair_style"))
        set_(self, "brow_style", _enum(BrowStyle, self.brow_style, "state.brow_style"))
        set_(
            self,
            "clothing_style",
            _enum(ClothingStyle, self.clothing_style, "state.clothing_style"),
        )
        set_(self, "expression", _enum(Expression, self.expression, "state.expression"))
        if not isinstance(self.accessories, list | tuple):
            raise Invalid("state.accessories must be a list", field="state.accessories")
        items = tuple(_enum(Accessory, a, "state.accessories") for a in self.accessories)
        if len(set(items)) != len(items):
            raise Invalid("state.accessories lists an item twice", field="state.accessories")
        set_(self, "accessories", items)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AvatarState:
        """Build from JSON-like data; unknown keys are ``Invalid`` (typos must not pass)."""
        if not isinstance(data, Mapping):
            raise Invalid("state must be an object", field="state")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise Invalid(
                f"unknown state field(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}",
                field=f"state.{unknown[0]}",
            )
        return cls(**dict(data))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["accessories"] = [str(a) for a in self.accessories]
        return {k: (str(v) if isinstance(v, StrEnum) else v) for k, v in data.items()}

    def merged(self, changes: Mapping[str, Any]) -> AvatarState:
        """A copy with ``changes`` applied as an RFC 7396 merge patch (``None`` resets a field)."""
        data = self.to_dict()
        defaults = AvatarState().to_dict()
        for key, value in changes.items():
            data[key] = defaults.get(key) if value is None else value
        return AvatarState.from_dict(data)


@dataclass(frozen=True, slots=True)
class Pose:
    """One frame's pose: an ``oculus`` viseme, blink (0 open .. 1 shut), expression override,
    gaze (-1..1 each axis) and head tilt in degrees (-20..20)."""

    viseme: str = "sil"
    blink: float = 0.0
    expression: Expression | None = None
    gaze_x: float = 0.0
    gaze_y: float = 0.0
    head_tilt: float = 0.0

    def __post_init__(self) -> None:
        if self.viseme not in OCULUS_VISEMES:
            raise Invalid(
                f"pose.viseme must be one of {', '.join(OCULUS_VISEMES)}; got {self.viseme!r}",
                field="pose.viseme",
            )
        set_ = object.__setattr__
        set_(self, "blink", _number(self.blink, "pose.blink", 0.0, 1.0))
        set_(self, "gaze_x", _number(self.gaze_x, "pose.gaze_x", -1.0, 1.0))
        set_(self, "gaze_y", _number(self.gaze_y, "pose.gaze_y", -1.0, 1.0))
        set_(self, "head_tilt", _number(self.head_tilt, "pose.head_tilt", -20.0, 20.0))
        if self.expression is not None:
            set_(self, "expression", _enum(Expression, self.expression, "pose.expression"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Pose:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise Invalid(f"unknown pose field(s) {', '.join(unknown)}", field=f"pose.{unknown[0]}")
        return cls(**dict(data))
