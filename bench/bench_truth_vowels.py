"""Does the voice speak every vowel the truth corpus (``contracts/truth_corpus.py``) lists?

The true phones are espeak-ng's phonemes with the durations the Piper voice reports for
them, so a vowel the voice swallows still has a span. An open vowel puts more energy between
400 and 1500 Hz (its first formant) than a nasal murmur, whose energy stays below 400 Hz. Per
true phone, in the clean 16 kHz clips of both splits: the mean over its 10 ms frames of that
band ratio (dB; the speech gate's 20 ms Hann windows, ``speech_gate.band_power``). Reported
for vowels, schwas, the nasals n and m, and every schwa the corpus lists between d or t and n
(written ``-dən`` by espeak-ng, often spoken as a syllabic n) one by one.

    python bench/run.py truth_vowels
"""

from __future__ import annotations

import sys
from collections import defaultdict

import numpy as np

from avatar_service.adapters.recognizer.speech_gate import band_power, frame_span
from avatar_service.contracts.truth_corpus import TruthClip, truth_clips
from avatar_service.contracts.truth_timing import TruthPhone
from avatar_service.core.phonemes import base_symbol

VOWELS = set("iɪeɛæaɑɒɔoʊuʌɜɝɚyᵻ")
SCHWAS = ("ə", "ɐ")


def band_ratios(clip: TruthClip) -> np.ndarray:
    """Per 10 ms frame of a 16 kHz clip: 400-1500 Hz over 80-400 Hz energy (dB)."""
    vowel = band_power(clip.samples, (400.0, 1500.0))
    murmur = band_power(clip.samples, (80.0, 400.0))
    ratios: np.ndarray = 10 * np.log10((vowel + 1e-12) / (murmur + 1e-12))
    return ratios


def band_ratio(ratios: np.ndarray, phone: TruthPhone) -> float:
    """The mean of ``ratios`` over ``phone``'s frames."""
    return float(ratios[slice(*frame_span(phone.onset, phone.end))].mean())


def word_of(clip: TruthClip, phone: TruthPhone) -> str:
    word = clip.words[phone.word_index]
    return clip.text[word.char_start : word.char_end]


def main() -> int:
    groups: dict[str, list[float]] = defaultdict(list)
    listed: list[str] = []
    for split in ("tuning", "heldout"):
        for clip in truth_clips(split):
            condition = clip.condition
            if clip.sample_rate != 16000 or condition.snr_db or condition.rt60:
                continue
            phones = clip.phones
            ratios = band_ratios(clip)
            for index, phone in enumerate(phones):
                symbol = base_symbol(phone.symbol)
                before = base_symbol(phones[index - 1].symbol) if index else ""
                after = base_symbol(phones[index + 1].symbol) if index + 1 < len(phones) else ""
                ratio = band_ratio(ratios, phone)
                if symbol in SCHWAS and before in ("d", "t") and after == "n":
                    groups["schwa between d/t and n"].append(ratio)
                    listed.append(
                        f"  {split:8} {clip.condition.label:<10} {word_of(clip, phone):<10} "
                        f"{before}-{symbol}-{after} {1e3 * (phone.end - phone.onset):3.0f} ms "
                        f"{ratio:6.1f} dB"
                    )
                elif symbol in SCHWAS:
                    groups["schwa elsewhere"].append(ratio)
                elif symbol[:1] in VOWELS:
                    groups["other vowel"].append(ratio)
                elif symbol in ("n", "m"):
                    groups["n, m"].append(ratio)
    print("400-1500 Hz over 80-400 Hz, dB, per true phone (clean 16 kHz clips, both splits)")
    for name, values in groups.items():
        array = np.array([v for v in values if not np.isnan(v)])
        p10, median, p90 = np.percentile(array, [10, 50, 90])
        print(f"{name:<26} n={len(array):5d}  p10 {p10:6.1f}  median {median:6.1f}  p90 {p90:6.1f}")
    print("each schwa between d/t and n:")
    print("\n".join(listed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
