"""Builds a tiny Piper-compatible voice at test time (Piper weights cannot be downloaded here).

The ONNX graph has Piper's interface -- inputs ``input`` [1, T] int64 phoneme ids,
``input_lengths`` [1], ``scales`` [3] (noise, length, noise_w) and optionally ``sid`` [1] --
and one output, the audio [1, 1, samples]. Each phoneme id gets a duration in frames from a
table, times the length scale, through a ``Ceil`` node (the tensor piper-tts' alignment patch
exposes); each frame is ``hop_length`` samples of a tone whose pitch depends on the id (and on
the speaker), silent for padding, word gaps and punctuation. Real onnxruntime runs it through
the real piper-tts loading and inference path.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP

SAMPLE_RATE = 16000
HOP_LENGTH = 256
_SILENT_IDS = (0, 1, 2, 3, *range(4, 14))  # pad, bos, eos, space, punctuation


def _tables(num_symbols: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids = np.arange(num_symbols)
    frames = (3 + ids % 4).astype(np.float32)  # 48-96 ms per phoneme
    frames[0] = 0.0  # padding takes no time
    frames[list(range(1, 14))] = 2.0
    pitch = (110.0 + (ids * 37) % 300).astype(np.float32)
    amplitude = np.full(num_symbols, 0.5, np.float32)
    amplitude[list(_SILENT_IDS)] = 0.0
    return frames, pitch, amplitude


def build_model(num_symbols: int, speakers: int = 1, durations: bool = True) -> onnx.ModelProto:
    """The ONNX model; ``durations=False`` rounds instead of ``Ceil`` (no alignments)."""
    frames, pitch, amplitude = _tables(num_symbols)
    init = [
        numpy_helper.from_array(frames, "frames_table"),
        numpy_helper.from_array(pitch, "pitch_table"),
        numpy_helper.from_array(amplitude, "amp_table"),
        numpy_helper.from_array(np.array(1, np.int64), "one_i"),
        numpy_helper.from_array(np.array([0], np.int64), "axis0"),
        numpy_helper.from_array(np.array([1], np.int64), "axis1"),
        numpy_helper.from_array(np.array(float(HOP_LENGTH), np.float32), "hop"),
        numpy_helper.from_array(np.array(0.0, np.float32), "zero_f"),
        numpy_helper.from_array(np.array(1.0, np.float32), "one_f"),
        numpy_helper.from_array(np.array(2 * math.pi / SAMPLE_RATE, np.float32), "omega"),
    ]
    nodes = [
        helper.make_node("Squeeze", ["input", "axis0"], ["ids"]),  # [T]
        helper.make_node("Gather", ["frames_table", "ids"], ["frames"]),
        helper.make_node("Gather", ["scales", "one_i"], ["length_scale"]),
        helper.make_node("Mul", ["frames", "length_scale"], ["scaled"]),
        helper.make_node("Ceil" if durations else "Round", ["scaled"], ["w_ceil"]),
        helper.make_node("Mul", ["w_ceil", "hop"], ["id_samples"]),  # [T]
        helper.make_node("CumSum", ["id_samples", "axis0"], ["ends"]),
        helper.make_node("ReduceSum", ["id_samples"], ["total"], keepdims=0),
        helper.make_node("Range", ["zero_f", "total", "one_f"], ["t"]),  # [N]
        helper.make_node("Unsqueeze", ["t", "axis1"], ["t_col"]),  # [N, 1]
        helper.make_node("LessOrEqual", ["ends", "t_col"], ["done"]),  # [N, T]
        helper.make_node("Cast", ["done"], ["done_f"], to=TensorProto.FLOAT),
        helper.make_node("ReduceSum", ["done_f", "axis1"], ["position_f"], keepdims=0),
        helper.make_node("Cast", ["position_f"], ["position"], to=TensorProto.INT64),
        helper.make_node("Gather", ["ids", "position"], ["sample_ids"]),
        helper.make_node("Gather", ["pitch_table", "sample_ids"], ["pitch"]),
        helper.make_node("Gather", ["amp_table", "sample_ids"], ["amplitude"]),
    ]
    if speakers > 1:
        init.append(numpy_helper.from_array(np.array(0.2, np.float32), "speaker_step"))
        nodes += [
            helper.make_node("Cast", ["sid"], ["sid_f"], to=TensorProto.FLOAT),
            helper.make_node("Mul", ["sid_f", "speaker_step"], ["sid_shift"]),
            helper.make_node("Add", ["sid_shift", "one_f"], ["sid_factor"]),
            helper.make_node("Mul", ["pitch", "sid_factor"], ["voiced_pitch"]),
        ]
    else:
        nodes.append(helper.make_node("Identity", ["pitch"], ["voiced_pitch"]))
    nodes += [
        helper.make_node("Mul", ["voiced_pitch", "omega"], ["step"]),
        helper.make_node("CumSum", ["step", "axis0"], ["phase"]),
        helper.make_node("Sin", ["phase"], ["wave"]),
        helper.make_node("Mul", ["wave", "amplitude"], ["audio"]),
        helper.make_node("Unsqueeze", ["audio", "axis0"], ["audio_2d"]),
        helper.make_node("Unsqueeze", ["audio_2d", "axis0"], ["output"]),
    ]
    inputs = [
        helper.make_tensor_value_info("input", TensorProto.INT64, [1, "T"]),
        helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
        helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]),
    ]
    if speakers > 1:
        inputs.append(helper.make_tensor_value_info("sid", TensorProto.INT64, [1]))
    output = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, "N"])
    graph = helper.make_graph(nodes, "tiny_piper", inputs, [output], init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def build_voice(
    folder: Path,
    name: str = "en_US-tiny-test",
    *,
    speakers: int = 1,
    durations: bool = True,
    espeak_voice: str = "en-us",
) -> Path:
    """Write ``<name>.onnx`` and ``<name>.onnx.json`` into ``folder``; the model's path."""
    folder.mkdir(parents=True, exist_ok=True)
    id_map = {k: list(v) for k, v in DEFAULT_PHONEME_ID_MAP.items()}
    num_symbols = max(i for ids in id_map.values() for i in ids) + 1
    model_path = folder / f"{name}.onnx"
    onnx.save(build_model(num_symbols, speakers, durations), str(model_path))
    config = {
        "audio": {"sample_rate": SAMPLE_RATE, "quality": "x_low"},
        "espeak": {"voice": espeak_voice},
        "language": {"code": espeak_voice.replace("-", "_")},
        "dataset": name,
        "phoneme_type": "espeak",
        "num_symbols": num_symbols,
        "num_speakers": speakers,
        "speaker_id_map": {f"speaker{i}": i for i in range(speakers)} if speakers > 1 else {},
        "inference": {"noise_scale": 0.667, "length_scale": 1.0, "noise_w": 0.8},
        "hop_length": HOP_LENGTH,
        "phoneme_id_map": id_map,
        "piper_version": "1.0.0",
    }
    (folder / f"{name}.onnx.json").write_text(json.dumps(config, ensure_ascii=False), "utf-8")
    return model_path
