"""Train the phone model on the corpus ``make_corpus.py`` spoke, and export it to ONNX.

Each utterance is augmented (speed and vocal-tract perturbation, telephone band, room reverb,
pink noise, gain), turned into the features the service computes (``features.log_mel``), and
labelled per 5 ms frame with the phone whose onset-to-next-onset span covers it (``sil`` in
pauses). The network is a stack of dilated 1-D convolutions that sees 315 ms of the past and
75 ms of the future; ``--lookahead`` gives it more (the shipped live model: 19 frames, 95 ms),
``--wide`` 195 ms each way. Needs PyTorch and ``onnx``:

    python training/phonenet/train.py CORPUS OUT_DIR [--epochs 12] [--copies 2]

writes ``OUT_DIR/phonenet.onnx`` and ``OUT_DIR/phonenet.json`` (phone inventory, features,
look-ahead, training summary).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import torch
from torch import nn

from avatar_service.adapters.acoustic import features
from avatar_service.contracts.truth_audio import add_noise, add_reverb

SIL = "sil"
MIN_COUNT = 30
CHANNELS = 128
# (dilation, frames ahead): a block's three taps span 2 x dilation frames, ``ahead`` of them
# after the frame it computes (0: it looks only back; dilation: centred).
BLOCKS = ((1, 1), (2, 2), (4, 4), (8, 0), (16, 0), (2, 2), (4, 4))
WIDE_BLOCKS = tuple((d, d) for d, _ in BLOCKS)
"""``--wide``: every block looks ahead as far as back (195 ms): for alignment, not live use."""


def blocks_looking_ahead(frames: int) -> tuple[tuple[int, int], ...]:
    """``BLOCKS`` with the look-ahead of the whole network raised to ``frames``: the blocks
    that look only back are given look-ahead, the smaller dilation first, up to centred."""
    blocks = [list(block) for block in BLOCKS]
    extra = frames - lookahead_frames(BLOCKS)
    if not 0 <= extra <= lookahead_frames(WIDE_BLOCKS) - lookahead_frames(BLOCKS):
        raise SystemExit(
            f"--lookahead must be {lookahead_frames(BLOCKS)}-{lookahead_frames(WIDE_BLOCKS)}"
        )
    for block in sorted(blocks, key=lambda b: b[0]):
        taken = min(extra, block[0] - block[1])
        block[1] += taken
        extra -= taken
    return tuple((d, ahead) for d, ahead in blocks)


class Block(nn.Module):
    def __init__(self, channels: int, dilation: int, ahead: int) -> None:
        super().__init__()
        self.pad = (2 * dilation - ahead, ahead)
        self.conv = nn.Conv1d(channels, channels, 3, dilation=dilation)
        self.norm = nn.BatchNorm1d(channels)
        self.mix = nn.Conv1d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv(nn.functional.pad(x, self.pad))
        return x + self.mix(torch.relu(self.norm(y)))


class PhoneNet(nn.Module):
    def __init__(self, classes: int, blocks: tuple[tuple[int, int], ...] = BLOCKS) -> None:
        super().__init__()
        self.inp = nn.Conv1d(features.MELS, CHANNELS, 5, padding=2)
        self.blocks = nn.Sequential(*(Block(CHANNELS, d, ahead) for d, ahead in blocks))
        self.out = nn.Conv1d(CHANNELS, classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(batch, MELS, frames)`` features -> ``(batch, classes, frames)`` log posteriors."""
        h = torch.relu(self.inp(x))
        return torch.log_softmax(self.out(torch.relu(self.blocks(h))), dim=1)


def load_shipped(model: PhoneNet, onnx_path: Path) -> None:
    """Start ``model`` from an exported model (the shipped ``.onnx``, whose export folded each
    batch norm into the convolution before it): every convolution takes its weights in graph
    order, and each batch norm becomes the identity, to be kept frozen (``freeze_norms``)."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(onnx_path)).graph
    weights = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    convs = [n for n in graph.node if n.op_type == "Conv"]
    modules = [model.inp]
    for block in model.blocks:
        modules += [block.conv, block.mix]
    modules.append(model.out)
    if len(convs) != len(modules):
        raise SystemExit(f"{onnx_path} has {len(convs)} convolutions, the network {len(modules)}")
    with torch.no_grad():
        for node, module in zip(convs, modules, strict=True):
            module.weight.copy_(torch.from_numpy(np.array(weights[node.input[1]])))
            module.bias.copy_(torch.from_numpy(np.array(weights[node.input[2]])))
        for block in model.blocks:
            block.norm.weight.fill_(1.0)
            block.norm.bias.zero_()
            block.norm.running_mean.zero_()
            block.norm.running_var.fill_(1.0 - block.norm.eps)


def freeze_norms(model: PhoneNet) -> None:
    """Batch norms in evaluation mode with fixed parameters (after ``load_shipped``)."""
    for block in model.blocks:
        block.norm.eval()
        block.norm.weight.requires_grad_(False)
        block.norm.bias.requires_grad_(False)


def lookahead_frames(blocks: tuple[tuple[int, int], ...]) -> int:
    return 2 + sum(ahead for _, ahead in blocks)


def history_frames(blocks: tuple[tuple[int, int], ...]) -> int:
    return 2 + sum(2 * d - ahead for d, ahead in blocks)


def augment(samples: np.ndarray, rate: int, rng: random.Random) -> tuple[np.ndarray, float]:
    """Augmented 16 kHz audio and the factor its times were stretched by."""
    stretch = rng.uniform(0.85, 1.15) if rng.random() < 0.8 else 1.0
    # Played at ``rate / stretch``: slower, lower in pitch and formants when stretch > 1.
    audio = features.resample(samples, rate, round(features.RATE * stretch))
    audio = audio * rng.uniform(0.05, 1.0)
    if rng.random() < 0.15:  # telephone band
        narrow = features.resample(audio, features.RATE, 8000)
        audio = features.resample(narrow, 8000, features.RATE)
    seed = rng.randrange(1 << 30)
    if rng.random() < 0.3:
        audio = add_reverb(audio, features.RATE, rng.uniform(0.15, 0.7), seed)
    if rng.random() < 0.4:
        audio = add_noise(audio, features.RATE, rng.uniform(5.0, 30.0), seed + 1)
    return np.asarray(audio, np.float32), stretch


def labels(symbols, onsets, ends, stretch: float, frames: int, index: dict[str, int]) -> np.ndarray:
    out = np.zeros(frames, np.int64)  # sil
    times = np.arange(frames) * features.FRAME_SECONDS
    for k, symbol in enumerate(symbols):
        start = onsets[k] * stretch
        stop = (
            onsets[k + 1] if k + 1 < len(symbols) and onsets[k + 1] <= ends[k] + 1e-6 else ends[k]
        )
        out[(times >= start) & (times < stop * stretch)] = class_of(str(symbol), index)
    return out


def class_of(symbol: str, index: dict[str, int]) -> int:
    """The inventory class of ``symbol``, as ``adapters.acoustic.model.PhoneModel.class_of``
    finds it (without length or diacritic marks, then its first letters); ``sil`` if none."""
    if symbol in index:
        return index[symbol]
    bare = "".join(
        c
        for c in unicodedata.normalize("NFD", symbol)
        if unicodedata.category(c) not in ("Lm", "Mn", "Sk")
    )
    for candidate in (unicodedata.normalize("NFC", bare), bare[:2], bare[:1]):
        if candidate in index:
            return index[candidate]
    return 0


def prepared(paths: list[Path], copies: int, index: dict[str, int], seed: int):
    rng = random.Random(seed)
    items = []
    for path in paths:
        with np.load(path) as data:
            samples, rate = data["samples"], json.loads(str(data["meta"]))["rate"]
            symbols, onsets, ends = data["symbols"], data["onsets"], data["ends"]
        for _ in range(copies):
            audio, stretch = augment(samples, rate, rng)
            feats = features.log_mel(audio)
            if rng.random() < 0.3:  # statistics from a short stretch only, as when live
                span = rng.randint(60, 400)
                start = rng.randint(0, max(0, feats.shape[0] - span))
                part = feats[start : start + span]
                mean = part.mean(axis=0, keepdims=True)
                scale = float((part - mean).std()) or 1.0
                feats = (feats - mean) / scale
            else:
                feats = features.normalise(feats)
            items.append(
                (
                    feats.astype(np.float32),
                    labels(symbols, onsets, ends, stretch, feats.shape[0], index),
                )
            )
    return items


def batches(items, rng: random.Random, size: int = 24, crop: int = 500):
    order = list(range(len(items)))
    rng.shuffle(order)
    for first in range(0, len(order) - size + 1, size):
        xs, ys = [], []
        for k in order[first : first + size]:
            feats, target = items[k]
            start = rng.randint(0, max(0, feats.shape[0] - crop))
            x, y = feats[start : start + crop], target[start : start + crop]
            if x.shape[0] < crop:
                x = np.pad(x, ((0, crop - x.shape[0]), (0, 0)))
                y = np.pad(y, (0, crop - y.shape[0]), constant_values=-100)
            xs.append(x.T)
            ys.append(y)
        yield torch.from_numpy(np.stack(xs)), torch.from_numpy(np.stack(ys))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--init", type=Path, help="a model folder to go on training from")
    parser.add_argument(
        "--init-onnx",
        type=Path,
        help="an exported model (.onnx, e.g. the shipped one) to go on training from",
    )
    parser.add_argument("--max-lr", type=float, default=2e-3)
    parser.add_argument("--wide", action="store_true", help="look ahead 195 ms (alignment)")
    parser.add_argument(
        "--lookahead",
        type=int,
        default=lookahead_frames(BLOCKS),
        help="frames (5 ms) a live model looks ahead (default 15: 75 ms)",
    )
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    paths = sorted(args.corpus.glob("*.npz"))  # u*: Piper, e*: espeak-ng
    counts: Counter[str] = Counter()
    for path in paths:
        with np.load(path) as data:
            counts.update(str(s) for s in data["symbols"])
    inventory = [SIL, *sorted(s for s, n in counts.items() if n >= MIN_COUNT)]
    if args.init:  # the same classes as the model trained before
        inventory = json.loads((args.init / "phonenet.json").read_text("utf-8"))["inventory"]
    if args.init_onnx:
        meta_path = args.init_onnx.with_suffix(".json")
        inventory = json.loads(meta_path.read_text("utf-8"))["inventory"]
    index = {s: i for i, s in enumerate(inventory)}
    # A validation slice of the Piper speech (the voice the benchmarks measure).
    held = [p for i, p in enumerate(paths) if i % 20 == 0 and p.name.startswith("u")]
    train = [p for p in paths if p not in held]
    began = time.time()
    blocks = WIDE_BLOCKS if args.wide else blocks_looking_ahead(args.lookahead)
    model = PhoneNet(len(inventory), blocks)
    if args.init:
        model.load_state_dict(torch.load(args.init / "phonenet.pt"))
    if args.init_onnx:
        load_shipped(model, args.init_onnx)
    if args.init_onnx:
        freeze_norms(model)
    trained = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trained, lr=args.max_lr, weight_decay=1e-4)
    steps_per_epoch = len(train) * args.copies // 24
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=args.max_lr, total_steps=args.epochs * steps_per_epoch + 10
    )
    rng = random.Random(args.seed)
    valid = prepared(held, 1, index, seed=999)
    for epoch in range(args.epochs):
        items = prepared(train, args.copies, index, seed=args.seed * 1000 + epoch)
        model.train()
        if args.init_onnx:
            freeze_norms(model)
        total, seen = 0.0, 0
        for x, y in batches(items, rng):
            loss = nn.functional.nll_loss(model(x), y, ignore_index=-100)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total, seen = total + loss.item(), seen + 1
        model.eval()
        right = frames = 0
        with torch.no_grad():
            for feats, target in valid:
                guess = model(torch.from_numpy(feats.T[None]))[0].argmax(0).numpy()
                right += int((guess == target).sum())
                frames += target.size
        print(
            f"epoch {epoch + 1}: loss {total / max(1, seen):.3f}, validation frames right "
            f"{right / frames:.3f}, {time.time() - began:.0f} s",
            flush=True,
        )
    args.out.mkdir(parents=True, exist_ok=True)
    onnx_path = args.out / "phonenet.onnx"
    model.eval()
    torch.onnx.export(
        model,
        torch.zeros(1, features.MELS, 200),
        str(onnx_path),
        input_names=["features"],
        output_names=["log_posteriors"],
        dynamic_axes={"features": {2: "frames"}, "log_posteriors": {2: "frames"}},
        opset_version=17,
        dynamo=False,
    )
    meta = {
        "inventory": inventory,
        "frame_seconds": features.FRAME_SECONDS,
        "mels": features.MELS,
        "lookahead_frames": lookahead_frames(blocks),
        "history_frames": history_frames(blocks),
        "training": {
            "continued_from": str(args.init or args.init_onnx or "") or None,
            "utterances": len(train),
            "copies": args.copies,
            "epochs": args.epochs,
            "validation_frame_accuracy": round(right / frames, 4),
            "voices": "en_US-joe-medium (Piper); espeak-ng en-us variants but en-us, en-us+f3",
        },
        "sha256": hashlib.sha256(onnx_path.read_bytes()).hexdigest(),
    }
    torch.save(model.state_dict(), args.out / "phonenet.pt")  # for later runs; not shipped
    (args.out / "phonenet.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps(meta["training"]))


if __name__ == "__main__":
    main()
