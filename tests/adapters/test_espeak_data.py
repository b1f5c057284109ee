"""The steady espeak-ng data folder: made once into the user's cache and reused by later
processes, remade when a link no longer leads anywhere, temporary when the cache is not
writable."""

from __future__ import annotations

import multiprocessing
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from avatar_service.adapters.tts import espeak_data
from avatar_service.adapters.tts.espeak_data import STEADY_VARIANT, steady_data_folder

espeakng_loader = pytest.importorskip("espeakng_loader")
DATA = str(espeakng_loader.get_data_path())


def variant(root: str) -> Path:
    return Path(root) / "voices" / "!v" / STEADY_VARIANT


def test_the_mirror_is_made_once_in_the_cache_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = steady_data_folder(DATA)
    assert first is not None and Path(first).is_relative_to(tmp_path)
    assert variant(first).is_file()
    made = variant(first).stat().st_mtime_ns
    assert steady_data_folder(DATA) == first
    assert variant(first).stat().st_mtime_ns == made  # not made again
    assert (Path(first) / "phontab").resolve() == (Path(DATA) / "phontab").resolve()


def test_a_mirror_with_a_dangling_link_is_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = steady_data_folder(DATA)
    assert first is not None
    (Path(first) / "phontab").unlink()
    (Path(first) / "phontab").symlink_to(tmp_path / "gone")
    again = steady_data_folder(DATA)
    assert again is not None and again != first
    assert (Path(again) / "phontab").exists()


def test_an_unwritable_cache_gives_a_temporary_mirror(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    folder = steady_data_folder(DATA)
    assert folder is not None and not Path(folder).is_relative_to(blocker)
    assert variant(folder).is_file()


def test_a_mirror_handed_out_stays_whole_when_another_process_makes_one_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes start on an empty cache: the second looked before the first had
    finished, so it builds a mirror of its own; the one the first is using must survive."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    in_use = steady_data_folder(DATA)
    assert in_use is not None
    real_complete = espeak_data._complete
    looks = iter([False])
    monkeypatch.setattr(espeak_data, "_complete", lambda root: next(looks, real_complete(root)))
    whole_after_each_step: list[bool] = []

    def watched(step: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            result = step(*args, **kwargs)
            whole_after_each_step.append(real_complete(Path(in_use)))
            return result

        return run

    monkeypatch.setattr(espeak_data.shutil, "rmtree", watched(shutil.rmtree))
    monkeypatch.setattr(espeak_data.os, "replace", watched(os.replace))
    second = steady_data_folder(DATA)
    monkeypatch.undo()
    assert second is not None and espeak_data._complete(Path(second))
    assert all(whole_after_each_step), "the first process's mirror was taken away"


def _make_mirror(cache: str) -> str | None:
    os.environ["XDG_CACHE_HOME"] = cache
    return steady_data_folder(DATA)


def test_processes_starting_together_on_an_empty_cache_all_get_a_whole_mirror(
    tmp_path: Path,
) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(6) as pool:
        folders = pool.map(_make_mirror, [str(tmp_path)] * 12)
    assert all(folder is not None for folder in folders)
    assert all(espeak_data._complete(Path(folder)) for folder in folders if folder)
    left = list((tmp_path / "avatar-service" / "espeak-steady").iterdir())
    assert all(espeak_data._complete(entry / "espeak-ng-data") for entry in left)


def test_a_cache_folder_left_by_an_older_release_is_moved_aside_not_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = steady_data_folder(DATA)
    assert first is not None
    entry = next(p for p in espeak_data.cache_folder().iterdir() if p.is_symlink())
    entry.unlink()
    (entry / "espeak-ng-data").mkdir(parents=True)  # an older release's unfinished folder
    (entry / "espeak-ng-data" / "keep").write_text("in use")
    again = steady_data_folder(DATA)
    assert again is not None and espeak_data._complete(Path(again))
    assert entry.is_symlink()
    moved = list(espeak_data.cache_folder().glob("*/espeak-ng-data/keep"))
    assert [p.read_text() for p in moved] == ["in use"]
