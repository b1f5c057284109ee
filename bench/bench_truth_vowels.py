"""Does the voice speak every vowel the truth corpus (``contracts/truth_corpus.py``) lists?

The true phones are espeak-ng's phonemes with the durations the Piper voice reports for
them, so a vowel the voice swallows still has a span. An open vowel puts more energy between
400 and 1500 Hz (its first formant) than a nasal murmur, whose energy stays below 400 Hz. Per
true phone, in the clean 16 kHz clips of both splits: the mean over its 5 ms frames of that
band ratio (dB, 20 ms Hann windows). Reported for vowels, schwas, the nasals n and m, and
every schwa the corpus lists between d or t and n (written ``-dən`` by espeak-ng, often
spoken as a syllabic n) one by one.

    python bench/run.py truth_vowels
"""

from __future__ import annotations

import sys
from collections import defaultdict

import numpy as np

from avatar_service.contracts.truth_corpus import TruthClip, truth_clips
from avatar_service.contracts.truth_timing import TruthPhone
from avatar_service.core.phonemes import base_symbol

VOWELS = set("iɪeɛæaɑɒɔoʊuʌɜɝɚyᵻ")
SCHWAS = ("ə", "ɐ")
WINDOW, HOP = 0.02, 0.005


def band_ratio(clip: TruthClip, phone: TruthPhone) -> float:
    """Mean 400-1500 Hz over 80-400 Hz energy ratio (dB) of ``phone``'s frames."""
    rate = clip.sample_rate
    width = int(WINDOW * rate)
    freqs = np.fft.rfftfreq(width, 1 / rate)
    low, mid = (freqs >= 80) & (freqs < 400), (freqs >= 400) & (freqs < 1500)
    ratios = []
    for centre in np.arange(phone.onset, phone.end, HOP):
        first = int(centre * rate) - width // 2
        if first < 0 or first + width > len(clip.samples):
            continue
        frame = clip.samples[first : first + width].astype(np.float64) * np.hanning(width)
        power = np.abs(np.fft.rfft(frame)) ** 2
        ratios.append(10 * np.log10((power[mid].sum() + 1e-12) / (power[low].sum() + 1e-12)))
    return float(np.mean(ratios)) if ratios else float("nan")


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
            for index, phone in enumerate(phones):
                symbol = base_symbol(phone.symbol)
                before = base_symbol(phones[index - 1].symbol) if index else ""
                after = base_symbol(phones[index + 1].symbol) if index + 1 < len(phones) else ""
                ratio = band_ratio(clip, phone)
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
