"""Reading a free-text render prompt: the words the built-in renderer understands become pose
changes ("smiling" -> happy, "eyes closed" -> blink, "looking left" -> gaze); every other word
is reported back as ignored, so a caller knows what had no effect."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from avatar_service.core.avatar import Expression, Pose

MAX_PROMPT_CHARS = 1000

_EXPRESSION_WORDS: dict[str, Expression] = {
    **dict.fromkeys(
        (
            "smile",
            "smiling",
            "smiles",
            "happy",
            "joyful",
            "cheerful",
            "laughing",
            "glad",
            "grinning",
            "delighted",
            "friendly",
        ),
        Expression.HAPPY,
    ),
    **dict.fromkeys(
        ("sad", "unhappy", "crying", "sorrowful", "gloomy", "upset", "frowning"), Expression.SAD
    ),
    **dict.fromkeys(
        ("surprised", "shocked", "astonished", "amazed", "startled", "wow"), Expression.SURPRISED
    ),
    **dict.fromkeys(("angry", "mad", "furious", "annoyed", "grumpy", "cross"), Expression.ANGRY),
    **dict.fromkeys(
        ("thinking", "thoughtful", "pondering", "curious", "wondering", "puzzled"),
        Expression.THINKING,
    ),
    **dict.fromkeys(("neutral", "calm", "serious", "relaxed"), Expression.NEUTRAL),
}
_PHRASES: tuple[tuple[re.Pattern[str], dict[str, object]], ...] = (
    (re.compile(r"\b(eyes? (closed|shut)|blinking|winking|sleeping)\b"), {"blink": 1.0}),
    (re.compile(r"\blook(ing|s)? (to the )?left\b"), {"gaze_x": -0.8}),
    (re.compile(r"\blook(ing|s)? (to the )?right\b"), {"gaze_x": 0.8}),
    (re.compile(r"\blook(ing|s)? up(wards?)?\b"), {"gaze_y": -0.8}),
    (re.compile(r"\blook(ing|s)? down(wards?)?\b"), {"gaze_y": 0.8}),
    (re.compile(r"\b(head )?tilt(ed|ing)?( head)?( to the)? left\b"), {"head_tilt": -10.0}),
    (re.compile(r"\b(head )?tilt(ed|ing)?( head)?( to the)?( right)?\b"), {"head_tilt": 10.0}),
    (re.compile(r"\b(talking|speaking|mouth open|open mouth|singing)\b"), {"viseme": "aa"}),
)
_STOPWORDS = frozenset(
    (
        "a",
        "an",
        "the",
        "and",
        "or",
        "with",
        "of",
        "to",
        "in",
        "on",
        "at",
        "is",
        "are",
        "be",
        "very",
        "slightly",
        "bit",
        "little",
        "face",
        "avatar",
        "person",
        "character",
        "portrait",
        "while",
        "their",
        "his",
        "her",
        "its",
        "looking",
        "look",
        "head",
        "eyes",
        "mouth",
    )
)
_WORD = re.compile(r"[a-z']+")


@dataclass(frozen=True, slots=True)
class PromptReading:
    """What a prompt changes (``changes``: pose field -> value) and the words it ignored."""

    changes: dict[str, object] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()

    @property
    def warnings(self) -> tuple[str, ...]:
        if not self.ignored:
            return ()
        return (
            "the renderer ignored these prompt words (it understands expressions, gaze, blink, "
            f"head tilt and talking): {', '.join(self.ignored)}",
        )

    def apply(self, pose: Pose) -> Pose:
        """``pose`` with the prompt's changes, except fields the pose already sets."""
        defaults = Pose()
        wanted = {
            name: value
            for name, value in self.changes.items()
            if getattr(pose, name) == getattr(defaults, name)
        }
        return replace(pose, **wanted) if wanted else pose  # type: ignore[arg-type]


def read_prompt(prompt: str) -> PromptReading:
    """Map the prompt's words to pose changes; unknown words come back in ``ignored``."""
    text = prompt.lower()[:MAX_PROMPT_CHARS]
    changes: dict[str, object] = {}
    used: set[str] = set()
    for pattern, change in _PHRASES:
        match = pattern.search(text)
        if match:
            for key, value in change.items():
                changes.setdefault(key, value)
            used.update(_WORD.findall(match.group(0)))
    ignored: list[str] = []
    for word in _WORD.findall(text):
        expression = _EXPRESSION_WORDS.get(word)
        if expression is not None:
            changes.setdefault("expression", expression)
        elif word not in used and word not in _STOPWORDS and word not in ignored:
            ignored.append(word)
    return PromptReading(changes, tuple(ignored))
