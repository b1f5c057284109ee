"""Seeded noise for Piper models: every ``RandomNormalLike`` node of a model is replaced by
standard normal values computed from a seed and each value's position, so the same seed gives
the same noise (and the same audio and durations) on every run.

The seed is a graph input ``seed`` (int64, shape [1]) with a default, so callers that do not
know it (piper-tts' own ``PiperVoice.synthesize``) still run the model. The values are a
sine hash of (position, seed, node) in double precision, made normal by Box-Muller: not a
cryptographic generator, but independent enough for the sampling noise of a VITS voice.
"""

from __future__ import annotations

import math
from typing import Any

SEED_INPUT = "seed"
DEFAULT_SEED = 0


def seed_noise(model: Any) -> int:
    """Replace, in place, each ``RandomNormalLike`` of the ONNX ``model`` by seeded noise of
    the same shape, mean and scale; how many were replaced. Idempotent."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    if any(i.name == SEED_INPUT for i in graph.input):
        return 0
    graph.input.append(helper.make_tensor_value_info(SEED_INPUT, TensorProto.INT64, [1]))
    graph.initializer.append(
        numpy_helper.from_array(np.array([DEFAULT_SEED], np.int64), SEED_INPUT)
    )
    replaced = 0
    for node in list(graph.node):
        if node.op_type != "RandomNormalLike":
            continue
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        dtype = int(attrs.get("dtype", TensorProto.FLOAT))
        mean, scale = float(attrs.get("mean", 0.0)), float(attrs.get("scale", 1.0))
        p = f"{node.name or 'noise'}_seeded{replaced}"
        consts = {
            "a1": 12.9898,
            "a2": 78.233,
            "m1": 43758.5453,
            "b1": 39.3467,
            "b2": 11.135,
            "m2": 24634.6345,
            "tiny": 1e-12,
            "minus2": -2.0,
            "tau": 2 * math.pi,
            "salt": 0.7071 * (replaced + 1),
            "mean": mean,
            "scale": scale,
        }
        for name, value in consts.items():
            graph.initializer.append(
                numpy_helper.from_array(np.array(value, np.float64), f"{p}_{name}")
            )
        graph.initializer.append(numpy_helper.from_array(np.array(0, np.int64), f"{p}_zero"))
        graph.initializer.append(numpy_helper.from_array(np.array(1, np.int64), f"{p}_step"))
        c = {name: f"{p}_{name}" for name in consts}
        x, out = node.input[0], node.output[0]
        new = [
            helper.make_node("Shape", [x], [f"{p}_shape"]),
            helper.make_node("ReduceProd", [f"{p}_shape"], [f"{p}_count"], keepdims=0),
            helper.make_node("Range", [f"{p}_zero", f"{p}_count", f"{p}_step"], [f"{p}_idx"]),
            helper.make_node("Cast", [f"{p}_idx"], [f"{p}_i"], to=TensorProto.DOUBLE),
            helper.make_node("Cast", [SEED_INPUT], [f"{p}_s"], to=TensorProto.DOUBLE),
            helper.make_node("Add", [f"{p}_s", c["salt"]], [f"{p}_ss"]),
        ]
        for tag, (k1, k2, km) in {"u": ("a1", "a2", "m1"), "v": ("b1", "b2", "m2")}.items():
            new += [
                helper.make_node("Mul", [f"{p}_i", c[k1]], [f"{p}_{tag}1"]),
                helper.make_node("Mul", [f"{p}_ss", c[k2]], [f"{p}_{tag}2"]),
                helper.make_node("Add", [f"{p}_{tag}1", f"{p}_{tag}2"], [f"{p}_{tag}3"]),
                helper.make_node("Sin", [f"{p}_{tag}3"], [f"{p}_{tag}4"]),
                helper.make_node("Mul", [f"{p}_{tag}4", c[km]], [f"{p}_{tag}5"]),
                helper.make_node("Floor", [f"{p}_{tag}5"], [f"{p}_{tag}6"]),
                helper.make_node("Sub", [f"{p}_{tag}5", f"{p}_{tag}6"], [f"{p}_{tag}"]),
            ]
        new += [  # Box-Muller: sqrt(-2 ln u) cos(2 pi v), u kept above 0
            helper.make_node("Max", [f"{p}_u", c["tiny"]], [f"{p}_u0"]),
            helper.make_node("Log", [f"{p}_u0"], [f"{p}_lg"]),
            helper.make_node("Mul", [f"{p}_lg", c["minus2"]], [f"{p}_r2"]),
            helper.make_node("Sqrt", [f"{p}_r2"], [f"{p}_r"]),
            helper.make_node("Mul", [f"{p}_v", c["tau"]], [f"{p}_th"]),
            helper.make_node("Cos", [f"{p}_th"], [f"{p}_cos"]),
            helper.make_node("Mul", [f"{p}_r", f"{p}_cos"], [f"{p}_n"]),
            helper.make_node("Mul", [f"{p}_n", c["scale"]], [f"{p}_ns"]),
            helper.make_node("Add", [f"{p}_ns", c["mean"]], [f"{p}_nm"]),
            helper.make_node("Cast", [f"{p}_nm"], [f"{p}_typed"], to=dtype),
            helper.make_node("Reshape", [f"{p}_typed", f"{p}_shape"], [out]),
        ]
        index = list(graph.node).index(node)
        graph.node.remove(node)
        for offset, made in enumerate(new):
            graph.node.insert(index + offset, made)
        replaced += 1
    return replaced
