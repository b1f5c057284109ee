"""Write what the live phone loop needs beside the network: ``phone_loop.npz``.

- ``bigram``: which phone follows which in the training corpus (a pause, ``sil``, wherever the
  speech has a gap between phones and at both ends), add-one smoothed, natural-log
  probabilities (float32), rows "from", columns "to", in the inventory order of
  ``phonenet.json``;
- ``feature_mean`` and ``feature_scale``: the average per-utterance mean of each log-mel band
  and the average overall scale, over the corpus' Piper speech: a live stream's normalisation
  starts from them and moves to the stream's own statistics as audio arrives.

    python training/phonenet/phone_loop.py CORPUS MODEL_DIR
"""

from __future__ import annotations

import argparse
import json
from itertools import pairwise
from pathlib import Path

import numpy as np

from avatar_service.adapters.acoustic import features


def bigram(paths: list[Path], inventory: list[str]) -> np.ndarray:
    index = {s: i for i, s in enumerate(inventory)}
    counts = np.ones((len(inventory), len(inventory)), np.float64)
    for path in paths:
        with np.load(path) as data:
            symbols, onsets, ends = data["symbols"], data["onsets"], data["ends"]
        sequence = [0]
        for k, symbol in enumerate(symbols):
            sequence.append(index.get(str(symbol), 0))
            if k + 1 < len(symbols) and onsets[k + 1] > ends[k] + 1e-6:
                sequence.append(0)
        sequence.append(0)
        for a, b in pairwise(sequence):
            if a != b:
                counts[a, b] += 1
    np.fill_diagonal(counts, 0.0)
    probabilities = counts / counts.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        return np.where(probabilities > 0, np.log(probabilities), 0.0).astype(np.float32)


def feature_prior(paths: list[Path]) -> tuple[np.ndarray, float]:
    means, scales = [], []
    for path in paths:
        with np.load(path) as data:
            rate = json.loads(str(data["meta"]))["rate"]
            audio = features.resample(data["samples"], rate)
        raw = features.log_mel(audio)
        mean = raw.mean(axis=0)
        means.append(mean)
        scales.append(float((raw - mean).std()))
    return np.mean(means, axis=0).astype(np.float32), float(np.mean(scales))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("model", type=Path)
    args = parser.parse_args()
    inventory = json.loads((args.model / "phonenet.json").read_text("utf-8"))["inventory"]
    paths = sorted(args.corpus.glob("*.npz"))
    mean, scale = feature_prior([p for p in paths if p.name.startswith("u")][::4])
    target = args.model / "phone_loop.npz"
    np.savez(
        target,
        bigram=bigram(paths, inventory),
        feature_mean=mean,
        feature_scale=np.float32(scale),
    )
    print(f"phone loop of {len(inventory)} phones written to {target}")


if __name__ == "__main__":
    main()
