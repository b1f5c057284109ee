"""Speak the training corpus of the phone model: neural speech with exact phone times.

Sentences come from English prose on this machine (Python's own documentation topics and the
descriptions of the installed Python packages), never from the truth corpus (its tuning and
held-out sentences are refused here). The Piper voice ``en_US-joe-medium`` speaks each one at a
random speaking rate, half of them with the voice's own prosody noise, and reports its phone
durations (piper-tts' alignment patch; ``contracts.truth_timing`` places the onsets). Output:
one ``.npz`` per utterance in ``OUT`` (22.05 kHz samples, phones as symbol/onset/end).

With ``--engine espeak``, espeak-ng speaks them instead, in one of its voice variants (other
speakers: formant voices of men, women, a whisper, ...) at a random rate, with its own phoneme
times (each phone's start at its event). ``en-us`` itself and ``en-us+f3`` are never used:
the benchmark keeps them for a voice no model here learnt from.

With ``--engine festival``, Festival speaks them in its three US English voices from Debian
(``festival``, ``festvox-kallpc16k``, ``festvox-kdlpc16k``, ``festvox-us-slt-hts``): two men's
diphone voices, cut from human recordings, and a woman's statistical voice learnt from CMU
ARCTIC recordings, each phone timed by Festival's own segments (``FESTIVAL_LAG``). None of them
is a voice the benchmarks measure.

    python training/phonenet/make_corpus.py OUT [--count 1200] [--workers 2]
        [--engine piper|espeak|festival]
"""

from __future__ import annotations

import argparse
import glob
import gzip
import json
import random
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from avatar_service.contracts.truth_corpus import SENTENCES, TruthVoice
from avatar_service.contracts.truth_timing import SpokenSentence, truth_timings

ALLOWED = re.compile(r"^[A-Za-z ,.'?!-]+$")


def sentences(system_docs: bool = False) -> list[str]:
    """English sentences of 6 to 18 words found on this machine, sorted, truth corpus excluded;
    with ``system_docs``, also those of the system's package documentation
    (``/usr/share/doc``: READMEs, change logs, licences)."""
    from pydoc_data.topics import topics

    texts = list(topics.values())
    for path in sorted(glob.glob(f"{sys.prefix}/lib/python3*/site-packages/*.dist-info/METADATA")):
        texts.append(Path(path).read_text("utf-8", errors="ignore"))
    if system_docs:
        texts += [
            _read_text(path) for path in sorted(glob.glob("/usr/share/doc/**/*", recursive=True))
        ]
    truth = {s.text.lower() for s in SENTENCES}
    found: set[str] = set()
    for text in texts:
        for raw in re.split(r"(?<=[.!?])\s+", text):
            sentence = " ".join(raw.split())
            if not 6 <= len(sentence.split()) <= 18 or not ALLOWED.match(sentence):
                continue
            if re.search(r"\b[A-Z]{2,}\b", sentence) or sentence.lower() in truth:
                continue
            found.add(sentence)
    return sorted(found)


def _read_text(path: str) -> str:
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8", errors="ignore") as handle:
                return handle.read()
        return Path(path).read_text("utf-8", errors="ignore")
    except (OSError, EOFError, gzip.BadGzipFile):
        return ""


_VOICE: TruthVoice | None = None


def speak(job: tuple[int, str, float, bool, str]) -> str | None:
    index, text, length_scale, noisy, out = job
    global _VOICE
    if _VOICE is None:
        _VOICE = TruthVoice()
    voice = _VOICE
    from piper import SynthesisConfig

    loaded = voice._loaded()
    noise = (0.667, 0.8) if noisy else (0.0, 0.0)
    config = SynthesisConfig(
        length_scale=length_scale, noise_scale=noise[0], noise_w_scale=noise[1]
    )
    chunks, spoken = [], []
    for phonemes in loaded.phonemize(text):
        if not phonemes:
            continue
        ids = loaded.phonemes_to_ids(phonemes)
        audio, id_samples = loaded.phoneme_ids_to_audio(ids, config, include_alignments=True)
        audio = np.asarray(audio, np.float32).reshape(-1)
        chunks.append(audio)
        spoken.append(SpokenSentence(tuple(phonemes), tuple(int(n) for n in id_samples)))
    try:
        phones, _words = truth_timings(
            text, spoken, voice._config["phoneme_id_map"], voice.sample_rate, voice.phonemize_word
        )
    except ValueError:
        return None
    samples = np.concatenate(chunks)
    samples = samples * (0.9 / max(1e-6, float(np.abs(samples).max())))
    meta = {"text": text, "length_scale": length_scale, "noisy": noisy, "rate": voice.sample_rate}
    np.savez_compressed(
        Path(out) / f"u{index:05d}.npz",
        samples=samples.astype(np.float32),
        symbols=np.array([p.symbol for p in phones]),
        onsets=np.array([p.onset for p in phones]),
        ends=np.array([p.end for p in phones]),
        meta=np.array(json.dumps(meta)),
    )
    return text


HELD_OUT_VARIANTS = frozenset({"", "f3"})
"""espeak-ng variants the benchmark speaks with: never trained on."""


def espeak_variants() -> list[str]:
    import espeakng_loader

    folder = Path(espeakng_loader.get_data_path()) / "voices" / "!v"
    return sorted(p.name for p in folder.iterdir() if p.name not in HELD_OUT_VARIANTS)


_ESPEAK = None


def speak_espeak(job: tuple[int, str, float, bool, str]) -> str | None:
    index, text, length_scale, _noisy, out = job
    global _ESPEAK
    from avatar_service.adapters.tts.espeak import EspeakSynthesizer
    from avatar_service.core.ports import SynthesisRequest
    from avatar_service.core.speech import SynthesisOptions

    if _ESPEAK is None:
        _ESPEAK = EspeakSynthesizer()
    variants = espeak_variants()
    variant = variants[index % len(variants)]
    options = SynthesisOptions(rate=1.0 / length_scale)
    request = SynthesisRequest(text, voice_id=f"en-us+{variant}", options=options)
    speech = _ESPEAK.synthesize(request)
    if not speech.phonemes:
        return None
    phones = [p for p in speech.phonemes if p.word_index is not None]
    meta = {
        "text": text,
        "length_scale": length_scale,
        "voice": f"en-us+{variant}",
        "rate": speech.sample_rate,
    }
    np.savez_compressed(
        Path(out) / f"e{index:05d}.npz",
        samples=np.asarray(speech.samples, np.float32),
        symbols=np.array([p.symbol for p in phones]),
        onsets=np.array([p.start for p in phones]),
        ends=np.array([p.end for p in phones]),
        meta=np.array(json.dumps(meta)),
    )
    return text


FESTIVAL_VOICES = ("kal_diphone", "ked_diphone", "cmu_us_slt_arctic_hts")
FESTIVAL_PHONES = {
    "aa": "ɑː", "ae": "æ", "ah": "ʌ", "ao": "ɔː", "aw": "aʊ", "ax": "ə", "ay": "aɪ",
    "b": "b", "ch": "tʃ", "d": "d", "dh": "ð", "eh": "ɛ", "er": "ɚ", "ey": "eɪ", "f": "f",
    "g": "ɡ", "hh": "h", "ih": "ɪ", "iy": "iː", "jh": "dʒ", "k": "k", "l": "l", "m": "m",
    "n": "n", "ng": "ŋ", "ow": "oʊ", "oy": "ɔɪ", "p": "p", "r": "ɹ", "s": "s", "sh": "ʃ",
    "t": "t", "th": "θ", "uh": "ʊ", "uw": "uː", "v": "v", "w": "w", "y": "j", "z": "z",
    "zh": "ʒ",
}  # fmt: skip
"""Festival's US phone set (``radio``) in the model's symbols; ``pau`` is a pause."""
FESTIVAL_LAG = {"kal_diphone": 0.013, "ked_diphone": 0.019, "cmu_us_slt_arctic_hts": 0.021}
"""Seconds by which each voice's sound starts later after its segment's start than Piper's
does after the onset ``contracts.truth_timing`` gives (the median over utterances of where the
first phone gets within 40 dB of the peak): its phone times are moved that much later, so
that every voice's phones start where the benchmarks' truth would put them."""


def speak_festival(job: tuple[int, str, float, bool, str]) -> str | None:
    """One utterance spoken by Festival, the voices in turn, saved as ``fNNNNN.npz``; ``None``
    when it holds a phone outside ``FESTIVAL_PHONES``. The diphone voices take the rate as
    ``Duration_Stretch``; the statistical one keeps its own (training's speed change varies
    it)."""
    index, text, length_scale, _noisy, out = job
    import soundfile

    voice = FESTIVAL_VOICES[index % len(FESTIVAL_VOICES)]
    with tempfile.TemporaryDirectory() as folder:
        wav, segs = Path(folder) / "u.wav", Path(folder) / "u.segs"
        quoted = text.replace("\\", " ").replace('"', " ")
        script = (
            f"(voice_{voice})\n(Parameter.set 'Duration_Stretch {length_scale})\n"
            f'(set! utt (Utterance Text "{quoted}"))\n(utt.synth utt)\n'
            f'(utt.save.wave utt "{wav}" \'riff)\n(utt.save.segs utt "{segs}")\n'
        )
        (Path(folder) / "u.scm").write_text(script, "utf-8")
        subprocess.run(["festival", "-b", str(Path(folder) / "u.scm")], check=True, timeout=120)
        samples, rate = soundfile.read(wav, dtype="float32")
        rows = segs.read_text("utf-8").split("#", 1)[1].split("\n")
    symbols, onsets, ends = [], [], []
    lag, duration = FESTIVAL_LAG[voice], len(samples) / rate
    previous = 0.0
    for row in rows:
        fields = row.split()
        if len(fields) != 3:
            continue
        end, name = float(fields[0]), fields[2]
        if name in FESTIVAL_PHONES and end > previous:
            symbols.append(FESTIVAL_PHONES[name])
            onsets.append(min(duration, previous + lag))
            ends.append(min(duration, end + lag))
        elif name != "pau":
            return None  # a phone outside the set: the utterance is left out
        previous = end
    if not symbols:
        return None
    peak = max(1e-6, float(np.abs(samples).max()))
    meta = {"text": text, "length_scale": length_scale, "voice": voice, "rate": rate, "lag": lag}
    np.savez_compressed(
        Path(out) / f"f{index:05d}.npz",
        samples=(samples * (0.9 / peak)).astype(np.float32),
        symbols=np.array(symbols),
        onsets=np.array(onsets),
        ends=np.array(ends),
        meta=np.array(json.dumps(meta)),
    )
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=1200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engine", choices=("piper", "espeak", "festival"), default="piper")
    parser.add_argument(
        "--system-docs",
        action="store_true",
        help="also take sentences from /usr/share/doc, in an order shuffled by --seed",
    )
    parser.add_argument("--first", type=int, default=0, help="the first utterance's number")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pool = sentences(args.system_docs)
    rng = random.Random(args.seed)
    if args.system_docs:
        rng.shuffle(pool)
    jobs = []
    for index in range(args.count):
        text = pool[index % len(pool)] if index < len(pool) else rng.choice(pool)
        jobs.append(
            (
                args.first + index,
                text,
                round(rng.uniform(0.75, 1.5), 3),
                rng.random() < 0.5,
                str(args.out),
            )
        )
    done = 0
    with ProcessPoolExecutor(args.workers) as executor:
        work = {"piper": speak, "espeak": speak_espeak, "festival": speak_festival}[args.engine]
        for result in executor.map(work, jobs, chunksize=8):
            done += result is not None
    print(f"{done} of {len(jobs)} utterances from {len(pool)} sentences in {args.out}")


if __name__ == "__main__":
    main()
