"""On local disk, symbolic links and tampered files cannot lead the fsspec blob store outside
its root: such names are refused with ``Invalid`` (or ``Unavailable`` for a corrupt
manifest), and nothing outside the root is read, written or deleted."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from avatar_service.adapters.blobs.fsspec_store import FsspecBlobStore
from avatar_service.core.errors import Invalid, Unavailable
from avatar_service.core.records import Namespace

NS = Namespace.ASSETS


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text("top secret")
    return folder


@pytest.fixture
def store(root: Path) -> FsspecBlobStore:
    store = FsspecBlobStore({ns: str(root / ns.value) for ns in Namespace}, fsync=False)
    store.check()
    return store


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_a_linked_folder_in_the_index_is_refused(
    store: FsspecBlobStore, root: Path, outside: Path
) -> None:
    store.write(NS, "real.txt", [b"x"], max_size=10)
    (root / "assets" / "index" / "evil").symlink_to(outside, target_is_directory=True)
    (outside / "stolen.txt.json.").write_text(json.dumps({"blob": "0" * 32}))
    before = _files(outside)
    for operation in (
        lambda: store.stat(NS, "evil/stolen.txt"),
        lambda: store.read(NS, "evil/stolen.txt"),
        lambda: store.write(NS, "evil/new.txt", [b"x"], max_size=10),
        lambda: store.delete(NS, "evil/stolen.txt"),
    ):
        with pytest.raises(Invalid, match="symbolic link"):
            operation()
    assert _files(outside) == before
    assert [info.name for info in store.list(NS)] == ["real.txt"]
    assert [info.name for info in store.list(NS, prefix="evil/")] == []


def test_a_manifest_that_is_a_link_outside_is_refused(
    store: FsspecBlobStore, root: Path, outside: Path
) -> None:
    store.write(NS, "a.txt", [b"x"], max_size=10)
    manifest = root / "assets" / "index" / "a.txt.json."
    target = outside / "fake.json."
    target.write_bytes(manifest.read_bytes())
    manifest.unlink()
    manifest.symlink_to(target)
    with pytest.raises(Invalid):
        store.stat(NS, "a.txt")
    assert store.list(NS) == []


def test_a_data_folder_linked_outside_is_never_written_or_read(
    store: FsspecBlobStore, root: Path, outside: Path
) -> None:
    info = store.write(NS, "a.txt", [b"inside"], max_size=10)
    assert info.size == 6
    blobs = root / "assets" / "blobs"
    moved = outside / "blobs"
    blobs.rename(moved)
    blobs.symlink_to(moved, target_is_directory=True)
    with pytest.raises(Invalid):
        store.read(NS, "a.txt")
    with pytest.raises(Invalid):
        store.write(NS, "b.txt", [b"x"], max_size=10)
    assert len([p for p in moved.rglob("*") if p.is_file()]) == 1


def test_a_data_file_replaced_by_a_link_is_refused(
    store: FsspecBlobStore, root: Path, outside: Path
) -> None:
    store.write(NS, "a.txt", [b"inside"], max_size=10)
    [blob] = [p for p in (root / "assets" / "blobs").rglob("*") if p.is_file()]
    blob.unlink()
    blob.symlink_to(outside / "secret.txt")
    with pytest.raises(Invalid):
        b"".join(store.read(NS, "a.txt"))


def test_a_tampered_manifest_cannot_point_at_another_path(
    store: FsspecBlobStore, root: Path
) -> None:
    store.write(NS, "a.txt", [b"x"], max_size=10)
    manifest = root / "assets" / "index" / "a.txt.json."
    raw = json.loads(manifest.read_bytes())
    raw["blob"] = "../../../outside/secret.txt"
    manifest.write_text(json.dumps(raw))
    with pytest.raises(Unavailable):
        store.read(NS, "a.txt")


def test_a_root_that_is_itself_a_link_works(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    store = FsspecBlobStore({ns: str(link / ns.value) for ns in Namespace}, fsync=False)
    store.write(NS, "a/b.txt", [b"ok"], max_size=10)
    assert b"".join(store.read(NS, "a/b.txt")) == b"ok"
    assert (real / "assets" / "index" / "a").is_dir()


def test_written_files_are_not_world_writable(store: FsspecBlobStore, root: Path) -> None:
    store.write(NS, "a.txt", [b"x"], max_size=10)
    for path in (root / "assets").rglob("*"):
        if path.is_file():
            assert not os.stat(path).st_mode & 0o002
