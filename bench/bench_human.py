"""Lip sync from audio alone on a human voice: five sentences of a LibriVox reading of "Sense
and Sensibility" (public domain), 24.7 s at 16 kHz, with their transcripts and a phone-level
forced alignment, as the ``pocketsphinx`` 5.1.1 source distribution ships them for its own
tests (``test/data/librivox``). The archive is fetched once from PyPI, checked against its
sha256 and cached (``~/.cache/avatar-service/human``).

The reference phones are that alignment's (CMU phones, 10 ms frames, made by pocketsphinx's
aligner with its US English model, not by hand): a third party's timing of a human voice, not
ground truth. The ``pocketsphinx`` recogniser runs the model that made them, which favours it.
Scored as ``bench recognise`` scores the truth corpus (lips closed within 40 ms of each
bilabial onset, an open shape at each vowel's midpoint, shapes held over three differing
phones, rest mid-speech, shapes shown), for recordings and live streams, without and with the
transcript; then how far the word onsets of a fitted transcript lie from the reference's.
Nothing was tuned on these clips; one of them showed a fault in ``pocketsphinx``'s search,
mended since, so that recogniser's figures here are not blind to it.

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

from avatar_service.adapters.recognizer.phonenet_phones import PhoneNetRecognizer
from avatar_service.contracts.truth_corpus import Condition, TruthClip, default_cache_dir
from avatar_service.contracts.truth_timing import TruthPhone, TruthWord
from avatar_service.core.phonemes import ARPABET_TO_IPA
from avatar_service.core.ports import StreamingRecognizer
from avatar_service.core.recognition import TranscriptHint
from avatar_service.core.usecases.recognition import followed

sys.path.insert(0, os.path.dirname(__file__))
from bench_recognise import RECOGNIZERS, accuracy, ceiling, live_accuracy
from stats import percentile

ARCHIVE = "pocketsphinx-5.1.1.tar.gz"
URL = (
    "https://files.pythonhosted.org/packages/61/e7/"
    "13e0e787ff467218de880310d79cba14424f13b87171ac44af0bde1e428c/" + ARCHIVE
)
SHA256 = "675778b309a22dfc9b7d37f7621976bba491d2a5f8c59696bd77fd6d07271355"
FOLDER = "pocketsphinx-5.1.1/test/data/librivox/"
PAUSES = {"<sil>", "<s>", "</s>", "SIL"}


def archive() -> Path:
    """The source distribution, fetched once and checked."""
    path = default_cache_dir().parent / "human" / ARCHIVE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(URL, timeout=120) as response:
            data = response.read()
        if hashlib.sha256(data).hexdigest() != SHA256:
            raise RuntimeError(f"{URL} does not match its sha256")
        path.write_bytes(data)
    return path


def human_clips() -> list[TruthClip]:
    """The five LibriVox sentences with their reference phones and words."""
    with tarfile.open(archive()) as tar:

        def read(name: str) -> bytes:
            member = tar.extractfile(FOLDER + name)
            assert member is not None, name
            return member.read()

        clips = []
        for stem in read("fileids").decode().split():
            samples, rate = soundfile.read(io.BytesIO(read(stem + ".wav")), dtype="float32")
            text = read(stem + ".txt").decode().strip()
            clips.append(_clip(stem, text, samples, rate, json.loads(read(stem + ".phone.json"))))
    return clips


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
        "(the pocketsphinx aligner here adds 40 ms to each word's first phone: on the truth "
        "corpus the model starts words that early; adapters/aligner/sphinx.py)"
    )


def main() -> int:
    clips = human_clips()
    seconds = sum(c.duration for c in clips)
    phones = sum(len(c.phones) for c in clips)
    print(f"{len(clips)} sentences, {seconds:.1f} s, {phones} reference phones")
    print("\n-- the ceiling: the reference phones as the timeline shows them")
    ceiling(clips, "human")
    names = [a for a in sys.argv[1:] if a in RECOGNIZERS] or list(RECOGNIZERS)
    for name in names:
        print(f"\n===== recogniser {name}")
        recognizer = RECOGNIZERS[name]()
        accuracy(clips, recognizer, "human")
        assert isinstance(recognizer, StreamingRecognizer)
        live_accuracy(clips, recognizer, "human")
        live_accuracy(clips, recognizer, "human", words=True)
    word_onsets(clips)
    return 0


if __name__ == "__main__":
    sys.exit(main())
