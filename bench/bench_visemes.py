"""Viseme benchmarks: weight curves for a 60 s utterance at 60 fps in every set (target
<= 50 ms each), cue timelines for comparison, smoothness of curves beside plain switching
between cues, and how many bilabial closures cues and curves keep.

The utterance is real espeak-ng speech (en-us) with its own phoneme timings. Figures are
medians of repeated runs on a shared machine; compare ratios rather than absolute times.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from stats import summary, timed  # noqa: E402

from avatar_service.adapters.tts.espeak import EspeakSynthesizer  # noqa: E402
from avatar_service.core.curves import (  # noqa: E402
    Curves,
    build_curves,
    closed_lips,
    frame_count,
)
from avatar_service.core.phonetics import is_bilabial_closure  # noqa: E402
from avatar_service.core.ports import SynthesisRequest  # noqa: E402
from avatar_service.core.speech import TimedPhoneme, VisemeCue  # noqa: E402
from avatar_service.core.visemes import BUILTIN_REGISTRY, build_timeline  # noqa: E402
from avatar_service.core.visemesets import VisemeSetSpec  # noqa: E402

FPS = 60
TARGET_MS = 50.0
TEXT = (
    "Peter Piper picked a peck of pickled peppers, and the big brown bear bumped into the "
    "maple tree. Please remember to bring the map, the lamp and the umbrella tomorrow "
    "morning. My mother made a marvellous apple pie for the members of the club. "
)


def utterance(seconds: float = 60.0) -> tuple[list[TimedPhoneme], float]:
    """espeak speech of the text repeated, cut to ``seconds`` (phonemes clipped)."""
    espeak = EspeakSynthesizer()
    speech = espeak.synthesize(SynthesisRequest(TEXT, voice_id="en-us"))
    phonemes, offset = [], 0.0
    while offset < seconds:
        for p in speech.phonemes or ():
            if p.start + offset < seconds:
                end = min(p.end + offset, seconds)
                phonemes.append(TimedPhoneme(p.symbol, p.start + offset, end, p.arpabet, p.stress))
        offset += speech.duration
    return phonemes, seconds


def switching(spec: VisemeSetSpec, cues: tuple[VisemeCue, ...], duration: float) -> np.ndarray:
    """The same channels switched at cue boundaries: each frame the target of its cue."""
    times = np.arange(frame_count(duration, FPS)) / FPS
    starts = np.array([c.start for c in cues])
    index = np.clip(np.searchsorted(starts, times, side="right") - 1, 0, len(cues) - 1)
    table = np.array([spec.target(c.viseme) for c in cues])
    return table[index]


def steps(frames: np.ndarray) -> tuple[float, float]:
    """Max and p95 over frames of the largest change of any channel from the frame before."""
    change = np.abs(np.diff(frames, axis=0)).max(axis=1)
    return float(change.max()), float(np.percentile(change, 95))


def main() -> None:
    phonemes, duration = utterance()
    closures = [p for p in phonemes if is_bilabial_closure(p.symbol)]
    print(
        f"utterance: {duration:.0f} s, {len(phonemes)} phonemes, {len(closures)} bilabial "
        f"closures ({sum(p.end - p.start < 0.04 for p in closures)} shorter than 40 ms), "
        f"{frame_count(duration, FPS)} frames at {FPS} fps"
    )
    specs = [BUILTIN_REGISTRY.get(name) for name in BUILTIN_REGISTRY.curve_names()]
    for spec in specs:
        samples = timed(lambda spec=spec: build_curves(phonemes, duration, [spec], FPS), 15)
        median = float(np.median(samples)) * 1e3
        verdict = "meets" if median <= TARGET_MS else "misses"
        print(summary(f"curves {spec.name:6s}", samples) + f"  ({verdict} <= {TARGET_MS:.0f} ms)")
    together = timed(lambda: build_curves(phonemes, duration, specs, FPS), 15)
    print(summary("curves all three at once", together))
    for name in BUILTIN_REGISTRY.names():
        samples = timed(lambda name=name: build_timeline(phonemes, duration, name), 15)
        print(summary(f"cues   {name:7s}", samples))
    curves: dict[str, Curves] = build_curves(phonemes, duration, specs, FPS)
    print(f"\nsmoothness at {FPS} fps: largest change of any weight from one frame to the next")
    for spec in specs:
        cues = build_timeline(phonemes, duration, spec)
        curve_max, curve_p95 = steps(curves[spec.name].frames)
        switch_max, switch_p95 = steps(switching(spec, cues, duration))
        print(
            f"  {spec.name:6s} curves max {curve_max:.3f} p95 {curve_p95:.3f} | switching "
            f"max {switch_max:.3f} p95 {switch_p95:.3f}"
        )
    print("\nbilabial closures kept")
    for name in BUILTIN_REGISTRY.names():
        spec = BUILTIN_REGISTRY.get(name)
        cues = build_timeline(phonemes, duration, spec)
        closed = spec.symbol_for("p")
        kept = sum(
            next(c for c in cues if c.start <= (p.start + p.end) / 2 < c.end).viseme == closed
            for p in closures
        )
        line = f"  {name:7s} cues {kept}/{len(closures)}"
        if spec.has_curves:
            lips = closed_lips(curves[name], spec)
            shut = sum(lips[round((p.start + p.end) / 2 * FPS)] >= 0.9 for p in closures)
            line += f", curves lips >= 0.9 at {shut}/{len(closures)} midpoints"
        print(line)


if __name__ == "__main__":
    main()
