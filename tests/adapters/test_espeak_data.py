"""The steady espeak-ng data folder: made once into the user's cache and reused by later
processes, remade when a link no longer leads anywhere, temporary when the cache is not
writable."""

from __future__ import annotations

from pathlib import Path

import pytest

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
    assert again == first
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
