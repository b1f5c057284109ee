"""Forced alignment of long recordings: the held-out clips of the truth corpus joined into one
recording of 1, 3 and 10 minutes (0.1 s of silence between clips), aligned with their
transcript by the ``phonenet`` aligner's decoder (``adapters.acoustic.forced``), once as
shipped (a sweep of that many states is pruned to ``viterbi.BEAM``) and once swept whole, in
the same run. Reports the CPU seconds of each (the model's posteriors, the same for both, are
computed once beforehand and stated apart), their ratio, and whether the phones, times and
confidences are identical (else what differs). At 3 minutes, the transcript shifted by one
clip is aligned too: it lacks the recording's first sentence and adds one at its end, what a
transcript that does not fit costs.

    python bench/run.py align_long
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from avatar_service.adapters.acoustic import features, forced, viterbi
from avatar_service.adapters.acoustic.lexicon import Lexicon
from avatar_service.adapters.acoustic.model import WIDE, shared_model
from avatar_service.contracts.truth_corpus import Condition, TruthClip, truth_clips
from avatar_service.core.speech import Alignment

GAP = np.zeros(round(0.1 * features.RATE), np.float32)


def joined(
    clips: Sequence[TruthClip], seconds: float, shift: int = 0
) -> tuple[npt.NDArray[np.float32], str]:
    """``clips`` (repeated as needed) joined into at least ``seconds`` of 16 kHz audio, and
    the transcript of the clips ``shift`` places on (0: its own)."""
    parts: list[npt.NDArray[np.float32]] = []
    texts: list[str] = []
    total, index = 0.0, 0
    while total < seconds:
        clip = clips[index % len(clips)]
        audio = features.resample(np.asarray(clip.samples, np.float32), clip.sample_rate)
        parts += [audio, GAP]
        texts.append(clips[(index + shift) % len(clips)].text)
        total += (len(audio) + len(GAP)) / features.RATE
        index += 1
    return np.concatenate(parts), " ".join(texts)


MODEL = shared_model(WIDE, None)
LEXICON = Lexicon()


def whole_sweep(
    scores: npt.NDArray[np.float32], plans: Sequence[viterbi.StatePlan]
) -> list[npt.NDArray[np.intp]]:
    return viterbi.best_paths(scores, plans, beam=None)


def aligned(
    audio: npt.NDArray[np.float32], text: str, logp: npt.NDArray[np.float32], whole: bool
) -> tuple[Alignment, float]:
    """The alignment and the CPU seconds it took, pruned as shipped or swept ``whole``."""
    shipped = forced.best_paths
    forced.best_paths = whole_sweep if whole else shipped
    try:
        started = time.process_time()
        alignment = forced.force_align(MODEL, LEXICON, audio, text, logp=logp)
        return alignment, time.process_time() - started
    finally:
        forced.best_paths = shipped


def differences(found: Alignment, expected: Alignment) -> str:
    """``yes`` when identical, else how many phones' times and words' confidences differ."""
    if found == expected:
        return "yes"
    phones = sum(a != b for a, b in zip(found.phonemes, expected.phonemes, strict=True))
    words = [
        i
        for i, (a, b) in enumerate(zip(found.words, expected.words, strict=True))
        if a.confidence != b.confidence
    ]
    return f"no: {phones} phones' times, confidences of words {words}"


def main() -> None:
    clips = truth_clips("heldout", [Condition(1.0, 16000)])
    print(
        f"held-out clips at the voice's own pace joined into one recording; beam "
        f"{viterbi.BEAM:g} nats from {viterbi.PRUNED_FROM_STATES} states; CPU seconds of "
        "the decoder (posteriors apart)\n"
    )
    print(
        "| recording | transcript characters | posteriors s | pruned s | whole s "
        "| whole / pruned | identical |\n|---|---|---|---|---|---|---|"
    )
    for seconds, shift in ((60, 0), (180, 0), (180, 1), (600, 0)):
        audio, text = joined(clips, seconds, shift)
        started = time.process_time()
        logp = MODEL.posteriors(audio)
        posteriors = time.process_time() - started
        found, pruned = aligned(audio, text, logp, whole=False)
        expected, whole = aligned(audio, text, logp, whole=True)
        label = f"{len(audio) / features.RATE:.0f} s" + (", another transcript" if shift else "")
        print(
            f"| {label} | {len(text)} | {posteriors:.2f} | {pruned:.2f} | {whole:.2f} | "
            f"{whole / pruned:.1f}x | {differences(found, expected)} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
