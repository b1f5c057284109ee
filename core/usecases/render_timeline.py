"""Timeline pieces of a render: an animation's gestures over silence, and a request's own
viseme cues and expression changes checked against the audio (``Invalid`` naming the field)."""

from __future__ import annotations

from collections.abc import Sequence

from avatar_service.core.avatar import Expression
from avatar_service.core.errors import Invalid
from avatar_service.core.speech import Timeline, VisemeCue
from avatar_service.core.usecases.render_requests import Animation
from avatar_service.core.visemes import OCULUS_VISEMES

GESTURE_EVERY = {
    Animation.BLINK: ("blink", 1.2),
    Animation.NOD: ("nod", 1.6),
    Animation.HEAD_SHAKE: ("shake", 1.8),
}
"""The gesture an animation repeats and its period in seconds (``idle`` has none)."""


def animation_timeline(name: Animation, duration: float) -> Timeline:
    """Silence over ``duration`` with the animation's gesture repeated through it."""
    gestures: tuple[tuple[float, str], ...] = ()
    if name in GESTURE_EVERY:
        gesture, every = GESTURE_EVERY[name]
        first = min(0.3, duration / 2)  # a short clip still shows its gesture, inside it
        count = max(1, int((duration - first) // every) + 1)
        gestures = tuple((round(first + i * every, 6), gesture) for i in range(count))
    return Timeline(duration, (VisemeCue("sil", 0.0, duration),), gestures=gestures)


def check_cues(cues: Sequence[VisemeCue], duration: float) -> tuple[VisemeCue, ...]:
    previous = 0.0
    for cue in cues:
        if cue.viseme not in OCULUS_VISEMES:
            raise Invalid(f"cue viseme {cue.viseme!r} is not an oculus viseme", field="cues")
        if cue.start < previous - 1e-6 or cue.end < cue.start or cue.end > duration + 1e-3:
            raise Invalid(
                "cues must be ordered, non-overlapping and within the audio", field="cues"
            )
        previous = cue.end
    return tuple(cues)


def check_expressions(
    changes: Sequence[tuple[float, str]], duration: float
) -> tuple[tuple[float, str], ...]:
    checked = []
    for start, name in changes:
        try:
            expression = Expression(name)
        except ValueError:
            options = ", ".join(e.value for e in Expression)
            raise Invalid(f"expressions must be one of {options}", field="expressions") from None
        if not 0 <= start <= duration:
            raise Invalid("an expression starts outside the audio", field="expressions")
        checked.append((float(start), str(expression)))
    return tuple(sorted(checked))
