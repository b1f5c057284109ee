"""Aligner accuracy and speed on the truth corpus (``contracts/truth_corpus.py``): neural speech
(Piper en_US-joe-medium) whose true phone and word onsets come from the model's durations.

For every aligner adapter and every recording condition (speaking rate, noise, reverb, sample
rate): phone-boundary F1 within 20 ms, word-onset error (median and p90 of |aligned - true|),
the share of clips with every word present in order (a refused clip counts as missing), and
compute seconds per minute of audio; then, for the aligners that judge a transcript, how many
right transcripts they refuse and how many of another sentence's they let through. The
held-out split is reported apart from the tuning split, which is the only one anything was
tuned on. Targets are printed, not asserted.

    python bench/run.py align              # all aligners
    python bench/bench_align.py dtw        # one
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from avatar_service.adapters.aligner.dtw import DtwAligner
from avatar_service.adapters.aligner.phonenet import PhoneNetAligner
from avatar_service.adapters.aligner.sphinx import SphinxAligner
from avatar_service.adapters.tts.espeak import EspeakSynthesizer
from avatar_service.contracts.truth_audio import resample
from avatar_service.contracts.truth_corpus import (
    SENTENCES,
    Condition,
    TruthClip,
    TruthVoice,
    truth_clips,
)
from avatar_service.contracts.truth_scores import ClipScore, f1, score
from avatar_service.contracts.truth_timing import TruthPhone, TruthWord
from avatar_service.core.errors import Invalid
from avatar_service.core.ports import Aligner, SynthesisRequest
from avatar_service.core.speech import Alignment

ALIGNERS: dict[str, Callable[[], Aligner]] = {
    "phonenet": lambda: PhoneNetAligner(),
    "dtw": lambda: DtwAligner(EspeakSynthesizer(), "en-us"),
    "pocketsphinx": lambda: SphinxAligner(),
}


def espeak_clips(voices: Sequence[str] = ("en-us", "en-us+f3")) -> list[TruthClip]:
    """The held-out sentences spoken by espeak-ng (a formant synthesiser) in two voices the
    phone model never trained on (``en-us``, ``en-us+f3``; it trained on other espeak-ng
    variants), at 16 kHz, with espeak-ng's own phoneme and word times as the truth (its
    phoneme events: each phone's start)."""
    engine = EspeakSynthesizer()
    clips = []
    for sentence in (s for s in SENTENCES if s.split == "heldout"):
        for voice in voices:
            speech = engine.synthesize(SynthesisRequest(sentence.text, voice_id=voice))
            assert speech.phonemes is not None and speech.words is not None
            phones = tuple(
                TruthPhone(p.symbol, p.start, p.end, p.word_index or 0) for p in speech.phonemes
            )
            words = tuple(
                TruthWord(w.text, w.start, w.end, w.char_start, w.char_end) for w in speech.words
            )
            audio = resample(speech.samples, speech.sample_rate, 16000)
            condition = Condition(1.0, 16000)
            clips.append(
                TruthClip(
                    sentence.sentence_id,
                    "heldout",
                    sentence.text,
                    condition,
                    audio,
                    16000,
                    phones,
                    words,
                )
            )
    return clips


@dataclass
class Run:
    clip: TruthClip
    score: ClipScore
    seconds: float
    cpu_seconds: float


def _refused(clip: TruthClip) -> ClipScore:
    count = len({t for p in clip.phones for t in (p.onset, p.end)})
    return ClipScore(count, 0, 0, tuple(None for _ in clip.words), False)


def run(aligner: Aligner, clips: Sequence[TruthClip]) -> list[Run]:
    runs = []
    for clip in clips:
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            alignment: Alignment | None = aligner.align(clip.samples, clip.sample_rate, clip.text)
        except Invalid:
            alignment = None
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        result = score(clip, alignment) if alignment is not None else _refused(clip)
        runs.append(Run(clip, result, seconds, cpu_seconds))
    return runs


def refuses(aligner: Aligner, clip: TruthClip, text: str) -> bool:
    try:
        aligner.align(clip.samples, clip.sample_rate, text)
    except Invalid:
        return True
    return False


def refusals(aligner: Aligner, clips: Sequence[TruthClip]) -> str:
    """How many right transcripts the aligner refuses, and how many of another sentence's
    (the next sentence of the same clips, in alphabetical order) it lets through."""
    texts = sorted({clip.text for clip in clips})
    right_refused = wrong_passed = 0
    for clip in clips:
        other = texts[(texts.index(clip.text) + 1) % len(texts)]
        right_refused += refuses(aligner, clip, clip.text)
        wrong_passed += not refuses(aligner, clip, other)
    return (
        f"{len(clips)} clips: right transcripts refused {right_refused}, another sentence's "
        f"transcript let through {wrong_passed}"
    )


def row(label: str, runs: Sequence[Run]) -> str:
    scores = [r.score for r in runs]
    errors = [abs(e) * 1e3 for s in scores for e in s.onset_errors if e is not None]
    median = statistics.median(errors) if errors else float("nan")
    p90 = float(np.percentile(errors, 90)) if errors else float("nan")
    present = sum(s.words_present for s in scores) / len(scores)
    minutes = sum(r.clip.duration for r in runs) / 60
    per_minute = sum(r.seconds for r in runs) / minutes
    cpu_per_minute = sum(r.cpu_seconds for r in runs) / minutes
    return (
        f"| {label} | {len(runs)} | {f1(scores):.3f} | {median:.1f} | {p90:.1f} | "
        f"{present * 100:.0f}% | {per_minute:.2f} | {cpu_per_minute:.2f} |"
    )


HEADER = (
    "| {what} | clips | boundary F1@20ms | word onset median ms | p90 ms | all words in order "
    "| wall s per min of audio | CPU s per min |\n|---|---|---|---|---|---|---|---|"
)


def main() -> None:
    names = [a for a in sys.argv[1:] if a in ALIGNERS] or list(ALIGNERS)
    voice = TruthVoice()
    started = time.perf_counter()
    tuning = truth_clips("tuning", voice=voice)
    heldout = truth_clips("heldout", voice=voice)
    minutes = sum(c.duration for c in heldout) / 60
    print(
        f"truth corpus: {len(tuning)} tuning and {len(heldout)} held-out clips "
        f"({minutes:.1f} min held out), ready in {time.perf_counter() - started:.1f} s"
    )
    print(
        "targets (held-out): F1 >= 0.85, median <= 15 ms, p90 <= 40 ms, 100% words, "
        "<= 0.5 s per min for the default aligner"
    )
    print(
        "compute: wall time on a shared 2-core machine under load, and this process's CPU "
        "time (what the work costs, whatever the load); compare ratios\n"
    )
    results: dict[str, tuple[list[Run], list[Run]]] = {}
    other = espeak_clips()
    crossed: dict[str, list[Run]] = {}
    for name in names:
        aligner = ALIGNERS[name]()
        aligner.check()
        aligner.align(heldout[0].samples, heldout[0].sample_rate, heldout[0].text)  # warm
        results[name] = (run(aligner, tuning), run(aligner, heldout))
        crossed[name] = run(aligner, other)
    print(HEADER.format(what="aligner, split"))
    for name, (tune, held) in results.items():
        print(row(f"{name}, tuning", tune))
        print(row(f"**{name}, held-out**", held))
    print(
        "\nanother synthesiser: the held-out sentences spoken by espeak-ng in voices the phone "
        "model never trained on (en-us, en-us+f3), its own phoneme times as truth (phone starts "
        "at its events, not Piper's convention; dtw aligns against espeak-ng itself)\n"
    )
    print(HEADER.format(what="aligner"))
    for name, runs in crossed.items():
        print(row(f"{name}, espeak-ng speech", runs))
    for name, (_, held) in results.items():
        print(f"\n{name}, held-out, per condition:\n")
        print(HEADER.format(what="condition"))
        for label in dict.fromkeys(r.clip.condition.label for r in held):
            print(row(label, [r for r in held if r.clip.condition.label == label]))
    print("\ntranscripts that do not match (a 422 is the right answer):")
    for name in names:
        if name == "dtw":
            continue  # it has no confidence: it fits any transcript
        aligner = ALIGNERS[name]()
        for label, clips in (("tuning", tuning), ("held-out", heldout), ("espeak-ng", other)):
            print(f"{name}, {label}: {refusals(aligner, clips)}")
    if len(results) > 1:
        base = next(iter(results))
        base_time = sum(r.seconds for r in results[base][1])
        for name, (_, held) in list(results.items())[1:]:
            ratio = sum(r.seconds for r in held) / base_time
            print(f"\ncompute, held-out: {name} takes {ratio:.2f}x the time of {base}")


if __name__ == "__main__":
    main()
