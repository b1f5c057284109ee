"""``avatar lipsync --curves``: curves in --json, and --export to .json, .csv and .gltf."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from avatar_service.entrypoints.cli import main


def _run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_lipsync_json_carries_the_curves_asked_for(runner: CliRunner) -> None:
    code, out, _ = _run(runner, "lipsync", "Bob sang", "--curves", "vrm,oculus", "--json")
    assert code == 0
    curves = json.loads(out)["curves"]
    assert set(curves) == {"vrm", "oculus"}
    assert curves["vrm"]["names"] == ["aa", "ih", "ou", "ee", "oh"]


def test_lipsync_exports_csv_and_gltf(runner: CliRunner, tmp_path: Path) -> None:
    csv_path, gltf_path = tmp_path / "mouth.csv", tmp_path / "mouth.gltf"
    code, _, err = _run(
        runner, "lipsync", "Bob", "--curves", "arkit", "--fps", "24", "--export", str(csv_path)
    )
    assert code == 0, err
    assert csv_path.read_text().splitlines()[0].startswith("time,eyeBlinkLeft,")
    code, _, err = _run(
        runner,
        "lipsync",
        "Bob",
        "--curves",
        "arkit",
        "--export",
        str(gltf_path),
        "--morph-targets",
        "jawOpen,Lips=mouthClose",
    )
    assert code == 0, err
    gltf = json.loads(gltf_path.read_text())
    assert gltf["meshes"][0]["extras"]["targetNames"] == ["jawOpen", "Lips"]


def test_lipsync_export_errors_are_one_line(runner: CliRunner, tmp_path: Path) -> None:
    code, _, err = _run(runner, "lipsync", "Bob", "--export", str(tmp_path / "x.csv"))
    assert code == 2 and err.startswith("error: ") and "--curves" in err
    code, _, err = _run(runner, "lipsync", "Bob", "--curves", "azure")
    assert code == 2 and err.startswith("error: ") and "no curves" in err
    code, _, err = _run(
        runner,
        "lipsync",
        "Bob",
        "--curves",
        "vrm",
        "--export",
        str(tmp_path / "x.gltf"),
        "--morph-targets",
        "A=jaw",
    )
    assert code == 2 and "jaw" in err
