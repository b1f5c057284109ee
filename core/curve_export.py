"""Weight curves in exchange formats: JSON rows, CSV, and a glTF 2.0 morph-target animation."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

import numpy as np

from avatar_service.core.curves import Curves
from avatar_service.core.errors import Invalid

DECIMALS = 4
"""Weights are written rounded to 1e-4 (far below what a rig shows)."""
MAX_MORPH_TARGETS = 256
EXPORT_FORMATS = ("json", "csv", "gltf")


def curves_json(curves: Curves) -> dict[str, Any]:
    """``{"fps", "names", "frames"}``: a row per frame from t = 0, a column per name."""
    return {
        "fps": curves.fps,
        "names": list(curves.names),
        "frames": np.round(curves.frames.astype(np.float64), DECIMALS).tolist(),
    }


def curves_csv(tracks: Sequence[Curves]) -> str:
    """A header ``time,<names>`` and a row per frame; with several sets each column is named
    ``<set>.<name>``. All tracks must share one fps and frame count."""
    if not tracks:
        raise Invalid("name at least one curve set", field="curves")
    first = tracks[0]
    if any(t.fps != first.fps or len(t.frames) != len(first.frames) for t in tracks):
        raise Invalid("curves to export together need one fps and length", field="curves")
    many = len(tracks) > 1
    header = ["time"] + [
        f"{t.viseme_set}.{name}" if many else name for t in tracks for name in t.names
    ]
    times = np.arange(len(first.frames), dtype=np.float64) / first.fps
    table = np.column_stack([times, *(t.frames.astype(np.float64) for t in tracks)])
    out = io.StringIO()
    out.write(",".join(header) + "\n")
    np.savetxt(out, table, fmt=["%.6f"] + [f"%.{DECIMALS}f"] * (table.shape[1] - 1), delimiter=",")
    return out.getvalue()


def morph_columns(curves: Curves, morph_targets: Sequence[str]) -> list[tuple[str, int | None]]:
    """Each entry ``target`` or ``target=channel`` as ``(target name, channel column)``; a bare
    name drives the channel of that name, or stays at 0 if the set has none. ``Invalid``
    (field ``morph_targets``) names unknown channels and empty or repeated targets."""
    if not morph_targets:
        raise Invalid("name the model's morph targets, in its order", field="morph_targets")
    if len(morph_targets) > MAX_MORPH_TARGETS:
        raise Invalid(f"at most {MAX_MORPH_TARGETS} morph targets", field="morph_targets")
    columns: list[tuple[str, int | None]] = []
    unknown: list[str] = []
    for entry in morph_targets:
        target, sep, channel = entry.partition("=")
        target, channel = target.strip(), (channel if sep else target).strip()
        if not target:
            raise Invalid("a morph target name is empty", field="morph_targets")
        if channel in curves.names:
            columns.append((target, curves.names.index(channel)))
        elif sep:
            unknown.append(channel)
        else:
            columns.append((target, None))
    if unknown:
        raise Invalid(
            f"unknown {curves.viseme_set} channels {', '.join(unknown)}; "
            f"channels are {', '.join(curves.names)}",
            field="morph_targets",
        )
    names = [target for target, _ in columns]
    if len(set(names)) != len(names):
        raise Invalid("a morph target is named twice", field="morph_targets")
    if all(column is None for _, column in columns):
        raise Invalid(
            f"no morph target matches a {curves.viseme_set} channel; map them as target=channel",
            field="morph_targets",
        )
    return columns


def curves_gltf(curves: Curves, morph_targets: Sequence[str]) -> dict[str, Any]:
    """A glTF 2.0 document (JSON, buffers embedded) whose node ``face`` has a mesh with
    ``morph_targets`` (``extras.targetNames``, in that order) and one animation, ``lipsync``,
    driving the node's morph weights linearly at the curves' frame times. Import it into a
    3D tool and retarget the animation, or copy its sampler onto your model's mesh node: the
    weights are in your model's morph-target order."""
    columns = morph_columns(curves, morph_targets)
    frames = len(curves.frames)
    times = (np.arange(frames, dtype=np.float64) / curves.fps).astype("<f4")
    weights = np.zeros((frames, len(columns)), dtype="<f4")
    for j, (_, column) in enumerate(columns):
        if column is not None:
            weights[:, j] = curves.frames[:, column]
    triangle = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], dtype="<f4")
    zeros = np.zeros((3, 3), dtype="<f4")
    blobs = [times.tobytes(), weights.tobytes(), triangle.tobytes(), zeros.tobytes()]
    offsets = np.cumsum([0] + [len(b) for b in blobs]).tolist()
    data = b"".join(blobs)
    views = [
        {"buffer": 0, "byteOffset": offsets[i], "byteLength": len(blob)}
        for i, blob in enumerate(blobs)
    ]
    end = float(times[-1]) if frames else 0.0
    accessors = [
        {
            "bufferView": 0,
            "componentType": 5126,
            "count": frames,
            "type": "SCALAR",
            "min": [0.0],
            "max": [end],
        },
        {"bufferView": 1, "componentType": 5126, "count": frames * len(columns), "type": "SCALAR"},
        {
            "bufferView": 2,
            "componentType": 5126,
            "count": 3,
            "type": "VEC3",
            "min": [0.0, 0.0, 0.0],
            "max": [1.0, 1.0, 0.0],
        },
        {
            "bufferView": 3,
            "componentType": 5126,
            "count": 3,
            "type": "VEC3",
            "min": [0.0, 0.0, 0.0],
            "max": [0.0, 0.0, 0.0],
        },
    ]
    names = [target for target, _ in columns]
    return {
        "asset": {"version": "2.0", "generator": "avatar-service lip sync"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"name": "face", "mesh": 0}],
        "meshes": [
            {
                "name": "face",
                "primitives": [
                    {"attributes": {"POSITION": 2}, "targets": [{"POSITION": 3} for _ in names]}
                ],
                "weights": [0.0] * len(names),
                "extras": {"targetNames": names},
            }
        ],
        "animations": [
            {
                "name": "lipsync",
                "samplers": [{"input": 0, "output": 1, "interpolation": "LINEAR"}],
                "channels": [{"sampler": 0, "target": {"node": 0, "path": "weights"}}],
            }
        ],
        "buffers": [
            {
                "byteLength": len(data),
                "uri": "data:application/octet-stream;base64," + base64.b64encode(data).decode(),
            }
        ],
        "bufferViews": views,
        "accessors": accessors,
        "extras": {"viseme_set": curves.viseme_set, "fps": curves.fps},
    }
