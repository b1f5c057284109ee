"""Scoring a ``rhubarb`` timeline against true phones, as ``bench recognise`` and
``bench human`` report it: lips closed within 40 ms of each bilabial onset, an open shape at
each vowel's midpoint, shapes held over three or more phones that need different shapes, rest
shown mid-speech, and shapes shown against the true phones' own timeline."""

from __future__ import annotations

from collections.abc import Sequence

from avatar_service.contracts.truth_corpus import TruthClip
from avatar_service.contracts.truth_timing import TruthPhone
from avatar_service.core.phonemes import base_symbol
from avatar_service.core.speech import TimedPhoneme, VisemeCue
from avatar_service.core.visemes import build_timeline, viseme_for

VOWELS = set("iɪeɛæaɑɒɔoʊuʌəɜɝɚy")
WINDOW = 0.04


def closed_at(cues: Sequence[VisemeCue], t: float) -> bool:
    return any(c.viseme in "AX" and c.start < t + WINDOW and c.end > t - WINDOW for c in cues)


def open_at(cues: Sequence[VisemeCue], phone: TruthPhone) -> bool:
    middle = (phone.onset + phone.end) / 2
    cue = next((c for c in cues if c.start <= middle < c.end), None)
    if cue is None:
        return False
    return cue.viseme in "CDEF" or (cue.viseme == "B" and base_symbol(phone.symbol)[:1] in "iɪy")


def rest_at(cues: Sequence[VisemeCue], phone: TruthPhone) -> bool:
    middle = (phone.onset + phone.end) / 2
    return any(c.viseme == "X" and c.start <= middle < c.end for c in cues)


def true_timeline(clip: TruthClip) -> list[VisemeCue]:
    """The true phones through the service's timeline."""
    phones = [TimedPhoneme(p.symbol, p.onset, p.end) for p in clip.phones]
    return build_timeline(phones, clip.duration, "rhubarb")


def held_too_long(
    cues: Sequence[VisemeCue], phones: Sequence[TruthPhone]
) -> list[tuple[VisemeCue, list[TruthPhone]]]:
    """Cues that span three or more whole true phones needing different shapes, each with
    those phones."""
    held = []
    for cue in cues:
        inside = [p for p in phones if p.onset >= cue.start and p.end <= cue.end]
        shapes = {viseme_for(p.symbol, "rhubarb") for p in inside}
        if len(inside) >= 3 and len(shapes) > 1:
            held.append((cue, inside))
    return held


class Tally:
    def __init__(self) -> None:
        self.bilabials = self.closed = self.vowels = self.opened = self.held = 0
        self.phones = self.rested = 0
        self.cues = self.true_cues = 0
        self.held_at: list[str] = []

    def add(self, clip: TruthClip, cues: Sequence[VisemeCue]) -> None:
        self.cues += len(cues)
        self.true_cues += len(true_timeline(clip))
        for phone in clip.phones:
            self.phones += 1
            self.rested += rest_at(cues, phone)
            symbol = base_symbol(phone.symbol)
            if symbol in ("p", "b", "m"):
                self.bilabials += 1
                self.closed += closed_at(cues, phone.onset)
            elif symbol[:1] in VOWELS:
                self.vowels += 1
                self.opened += open_at(cues, phone)
        for cue, inside in held_too_long(cues, clip.phones):
            self.held += 1
            needed = " ".join(f"{p.symbol}:{viseme_for(p.symbol, 'rhubarb')}" for p in inside)
            self.held_at.append(
                f"{clip.condition.label} | {clip.text} | {cue.viseme} "
                f"{cue.start:.3f}-{cue.end:.3f} s over {needed}"
            )

    def row(self, label: str) -> str:
        return (
            f"{label:<34} lips closed {self.closed / max(1, self.bilabials):6.1%} "
            f"({self.bilabials:3d})  open at vowels {self.opened / max(1, self.vowels):6.1%} "
            f"({self.vowels:3d})  held over 3+ phones {self.held:3d}  "
            f"rest mid-speech {self.rested / max(1, self.phones):5.1%}  "
            f"shapes shown x{self.cues / max(1, self.true_cues):.2f}"
        )

    def held_rows(self, most: int = 12) -> str:
        """Where shapes were held (condition | sentence | shape and span over the true phones
        with the shape each needs), at most ``most`` of them."""
        rows = [f"  held: {where}" for where in self.held_at[:most]]
        if len(self.held_at) > most:
            rows.append(f"  held: ... and {len(self.held_at) - most} more")
        return "\n".join(rows)
