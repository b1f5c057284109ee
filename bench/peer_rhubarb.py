"""Rhubarb Lip Sync on the truth corpus' clips, beside the service's recognisers (optional
rows of ``python bench/run.py recognise``).

Give its executable in ``RHUBARB``: Rhubarb 1.14 built from source. The public snapshot lacks
three files of its acoustic model and its word language model, for which the
``pocketsphinx`` wheel's en-us model stands in: replace what ``lib/cmusphinx-en-us-5.2`` holds
with the wheel's ``model/en-us/en-us/*``, and put the wheel's ``model/en-us/en-us.lm.bin`` in
``lib/pocketsphinx-rev13216/model/en-us``. Offline and on CMake before 3.30, drop the Google
Test block, the ``runTests`` target and the ``CMP0167`` policy line from
``rhubarb/CMakeLists.txt``; then ``cmake -DCMAKE_BUILD_TYPE=Release .. && make rhubarb``.

Each clip is written as 16-bit WAV and given to ``rhubarb -f json --extendedShapes GHX`` with
each of its recognisers (``pocketSphinx``, its default, and ``phonetic``), without and with
the transcript (``--dialogFile``); its mouth cues are the ``rhubarb`` set's shapes, so the
same tallies apply. Its real-time factor is the process's wall time over the audio's length,
start-up included (Rhubarb has no server), on one thread (``--threads 1``), as the
``phonenet`` recogniser runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import numpy as np
import soundfile

from avatar_service.contracts.truth_corpus import TruthClip
from avatar_service.core.speech import VisemeCue

RECOGNIZERS = ("pocketSphinx", "phonetic")


def binary() -> Path | None:
    """The executable named by ``RHUBARB``, if it exists."""
    named = os.environ.get("RHUBARB")
    return Path(named) if named and Path(named).is_file() else None


def mouth_cues(
    executable: Path, clip: TruthClip, recognizer: str, transcript: bool, folder: Path
) -> tuple[list[VisemeCue], float]:
    """Rhubarb's cues for ``clip`` and the wall seconds its process took."""
    wav = folder / "clip.wav"
    soundfile.write(wav, np.asarray(clip.samples, np.float32), clip.sample_rate, "PCM_16")
    command = [str(executable), "-q", "-f", "json", "--extendedShapes", "GHX"]
    command += ["-r", recognizer, "--threads", "1"]
    if transcript:
        dialog = folder / "dialog.txt"
        dialog.write_text(clip.text, "utf-8")
        command += ["--dialogFile", str(dialog)]
    started = time.perf_counter()
    done = subprocess.run([*command, str(wav)], capture_output=True, check=True, timeout=600)
    seconds = time.perf_counter() - started
    cues = json.loads(done.stdout)["mouthCues"]
    return [VisemeCue(c["value"], float(c["start"]), float(c["end"])) for c in cues], seconds
