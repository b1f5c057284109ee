"""Command-line start-up: what a user waits for before anything happens.

    avatar --help                       target <= 150 ms
    avatar voices                       target <= 400 ms
    avatar align clip.wav TEXT (1 s)    target <= 0.5 s

Each command runs as a fresh process (the installed ``avatar`` script), in an empty folder
with the default settings, after two untimed runs (bytecode written, files cached); the
commands take turns so that a busy machine slows them alike. ``python -c pass`` is measured
in the same rounds: the interpreter's own start, the floor under every figure. Medians of
wall times; on a shared machine compare ratios rather than absolute times.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from stats import percentile  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_CLI_ROUNDS", "11"))
TEXT = "Hello there, my friend."
TARGETS_MS = {"--help": 150.0, "voices": 400.0, "align (1 s clip)": 500.0}


def avatar_command() -> list[str]:
    script = Path(sys.executable).with_name("avatar")
    if script.is_file():
        return [str(script)]
    found = shutil.which("avatar")
    return [found] if found else [sys.executable, "-m", "avatar_service.entrypoints.cli"]


def one_second_clip(avatar: list[str], folder: Path, env: dict[str, str]) -> Path:
    """Speech of ``TEXT`` cut (or padded with silence) to exactly one second."""
    import numpy as np
    import soundfile

    spoken = folder / "spoken.wav"
    subprocess.run(
        [*avatar, "speak", TEXT, "-o", str(spoken)],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
    )
    samples, rate = soundfile.read(spoken, dtype="float32")
    clip = np.zeros(rate, dtype=np.float32)
    clip[: min(rate, len(samples))] = samples[:rate]
    path = folder / "clip.wav"
    soundfile.write(path, clip, rate, subtype="PCM_16")
    return path


def wall(command: list[str], folder: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.decode()[-500:]}")
    return seconds


def main() -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVATAR_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # what an installed command runs with
    avatar = avatar_command()
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        folder = Path(tmp)
        clip = one_second_clip(avatar, folder, env)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "--help": [*avatar, "--help"],
            "voices": [*avatar, "voices"],
            "align (1 s clip)": [*avatar, "align", str(clip), TEXT],
        }
        for command in commands.values():  # warm-up: bytecode, disk cache, voice cache
            wall(command, folder, env)
            wall(command, folder, env)
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(ROUNDS):
            for name, command in commands.items():
                samples[name].append(wall(command, folder, env))
    floor = statistics.median(samples["python -c pass"])
    print(
        f"{' '.join(avatar)}; {ROUNDS} rounds; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs"
    )
    for name, values in samples.items():
        median = statistics.median(values)
        target = TARGETS_MS.get(name)
        verdict = (
            ""
            if target is None
            else (f"  target <= {target:.0f} ms: {'met' if median * 1e3 <= target else 'NOT met'}")
        )
        print(
            f"{name:>18}: p50 {median * 1e3:7.1f} ms, p95 {percentile(values, 0.95) * 1e3:7.1f}"
            f" ms, {median / floor:5.1f}x interpreter start{verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
