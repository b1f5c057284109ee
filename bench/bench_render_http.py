"""One frame over HTTP: warm ``POST /v1/render``, 512x512 PNG, p50 latency (target <= 20 ms).

A real ``avatar serve`` on 127.0.0.1 with the embedded defaults (the Node renderer, SQLite,
file blobs with fsync before publish) in a temporary folder; one client on a keep-alive
connection renders a stored avatar one request at a time, after warm-up requests that start
the Node workers, in two series interleaved request by request:

- repeated: a cycle of 10 poses, as a client showing an avatar's mouth shapes asks for them
  again and again (after the first cycle the renderer's frame cache answers);
- distinct: a pose never asked for before on every request (each one is rasterised and
  encoded by a Node worker).

Every request stores its frame (blob and row), whichever series. For context, in the same
run: ``GET /health`` (the HTTP stack alone) and distinct frames from an in-process warm Node
pool (the renderer alone).

    python bench/run.py render_http
    BENCH_RENDER_HTTP_N=300 python bench/run.py render_http
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from stats import summary

from avatar_service.adapters.renderer.node import NodeRenderer
from avatar_service.core.avatar import AvatarState, Pose
from avatar_service.core.ports import FrameRenderRequest

REQUESTS = int(os.environ.get("BENCH_RENDER_HTTP_N", "150"))
WARMUP = 15
TARGET_P50_MS = 20
POSES: list[dict[str, Any]] = [
    {"viseme": v, "blink": b} for v in ("aa", "E", "oh", "PP", "sil") for b in (0.0, 0.6)
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(root: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{root / 'avatar.db'}",
        "ASSETS_DIR": str(root / "assets"),
        "AUDIOS_DIR": str(root / "audios"),
        "RENDERS_DIR": str(root / "renders"),
        "AVATAR_HTTP__RATE_PER_SECOND": "0",
        "AVATAR_LOG__LEVEL": "warning",
        "AVATAR_RENDERER": "node",
    }
    command = [sys.executable, "-m", "avatar_service.entrypoints.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, cwd=root)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the server did not become ready in 60 s")


def distinct_pose(index: int) -> dict[str, Any]:
    """A pose no earlier request had (its gaze differs), never from a cache."""
    return {"viseme": ("aa", "E", "oh")[index % 3], "gaze_x": round(index / 10_000 - 0.5, 4)}


def render(client: httpx.Client, avatar_id: str, pose: dict[str, Any]) -> float:
    body = {"avatar_id": avatar_id, "width": 512, "height": 512, "format": "png", "pose": pose}
    started = time.perf_counter()
    response = client.post("/v1/render", json=body)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"render failed: {response.status_code} {response.text[:300]}")
    return elapsed


def over_http(client: httpx.Client, avatar_id: str) -> dict[str, list[float]]:
    """Seconds per ``POST /v1/render`` (repeated and distinct poses) and per ``GET /health``,
    after warm-up."""
    samples: dict[str, list[float]] = {"repeated": [], "distinct": [], "health": []}
    for index in range(WARMUP + REQUESTS):
        repeated = render(client, avatar_id, POSES[index % len(POSES)])
        distinct = render(client, avatar_id, distinct_pose(index))
        started = time.perf_counter()
        client.get("/health").raise_for_status()
        if index >= WARMUP:
            samples["repeated"].append(repeated)
            samples["distinct"].append(distinct)
            samples["health"].append(time.perf_counter() - started)
    return samples


def in_process(state: dict[str, Any]) -> list[float]:
    """Seconds per distinct frame from a warm in-process Node pool: the renderer alone."""
    renderer = NodeRenderer(workers=2)
    try:
        avatar_state = AvatarState.from_dict(state)
        samples = []
        for index in range(WARMUP + REQUESTS):
            pose = Pose(**distinct_pose(index))
            started = time.perf_counter()
            renderer.render_frame(
                FrameRenderRequest(avatar_state, pose, width=512, height=512, format="png")
            )
            if index >= WARMUP:
                samples.append(time.perf_counter() - started)
        return samples
    finally:
        renderer.close()


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="avatar-bench-render-http-") as folder:
        port = free_port()
        server = start_server(Path(folder), port)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                avatar = client.post("/v1/avatars", json={"name": "bench"}).json()
                samples = over_http(client, avatar["avatar_id"])
                state = client.get(f"/v1/avatars/{avatar['avatar_id']}/state").json()["state"]
        finally:
            server.terminate()
            server.wait(timeout=30)
    direct = in_process(state)
    print(f"cores: {os.cpu_count()}, sequential requests on one keep-alive connection")
    target = f"   [target p50 <= {TARGET_P50_MS} ms]"
    print(
        summary("POST /v1/render 512x512 PNG, warm, repeated poses", samples["repeated"]) + target
    )
    print(
        summary("POST /v1/render 512x512 PNG, warm, distinct poses", samples["distinct"]) + target
    )
    print(summary("GET /health (HTTP stack alone, context)", samples["health"]))
    print(summary("distinct frames, in-process Node pool (context)", direct))
    return 0


if __name__ == "__main__":
    sys.exit(main())
