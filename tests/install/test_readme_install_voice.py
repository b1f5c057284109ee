"""Installed exactly as the README says (no extras, fresh virtualenv: the ``readme_install``
fixture of tests/install/conftest.py), the project speaks with a neural voice with exact
timings, by default."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

TIMEOUT = 900  # a cold first run hashes and patches the voice model once


def run(install: Any, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(install.bin) / "avatar"), *args]
    done = subprocess.run(
        command,
        env=install.env,
        cwd=getattr(install, "cwd", None),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"avatar {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def test_voices_lists_the_neural_voice_with_exact_timings(readme_install: Any) -> None:
    body = json.loads(run(readme_install, "voices", "--json").stdout)
    voices = {v["voice_id"]: v for v in body["voices"]}
    joe = voices["en_US-joe-medium"]
    assert (joe["engine"], joe["neural"], joe["timing"]) == ("piper", True, "exact")
    assert body["default_voice"] == "en_US-joe-medium"
    assert voices["en-us"]["engine"] == "espeak"  # espeak stays one voice id away


def test_say_speaks_with_the_neural_voice_by_default(readme_install: Any, tmp_path: Path) -> None:
    output = tmp_path / "hello.mp4"
    body = json.loads(run(readme_install, "say", "Hello there", "-o", str(output), "--json").stdout)
    assert body["voice"] == "en_US-joe-medium"
    assert output.stat().st_size > 0 and body["duration"] > 0
    timed = json.loads(run(readme_install, "lipsync", "Hello there", "--json").stdout)
    assert timed["voice"] == "en_US-joe-medium"
    assert [w["word"] for w in timed["words"]] == ["Hello", "there"]
