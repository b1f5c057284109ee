"""What killed processes leave behind, found and removed by ``avatar gc``: the data of an
upload killed mid-write (no manifest names it, so no listing shows it), temporary manifests,
and the temporary audio and video of a killed render (kept under the data folder). The kills
are real: a child process is SIGKILLed in the middle of its work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from avatar_service.adapters.blobs.fsspec_store import FsspecBlobStore
from avatar_service.adapters.renderer.temp_folder import TempFolder
from avatar_service.adapters.store.memory import MemoryStore
from avatar_service.core.records import Namespace
from avatar_service.core.usecases.gc import GarbageCollector

NOW = timedelta(0)
KILLED_UPLOAD = """
import sys, time
from avatar_service.adapters.blobs.fsspec_store import FsspecBlobStore

root, tenant = sys.argv[1], sys.argv[2]
store = FsspecBlobStore({ns: f"{root}/{ns}" for ns in ("assets", "audios", "renders")})

def chunks():
    for _ in range(21):
        yield b"x" * (1024 * 1024)
    print("written", flush=True)
    time.sleep(60)  # killed here, 21 MB in, before the manifest
    yield b"end"

store.scoped(tenant).write("assets", "big/upload.bin", chunks(), max_size=1 << 30)
"""
KILLED_RENDER = """
import sys
from avatar_service.adapters.renderer.mock import MockRenderer
from avatar_service.core.avatar import AvatarState
from avatar_service.core.ports import SequenceRenderRequest
from avatar_service.core.speech import Timeline, VisemeCue

renderer = MockRenderer(frame_delay=0.2, temp_dir=sys.argv[1])
def progress(fraction):
    print("rendering", flush=True)
timeline = Timeline(30.0, (VisemeCue("sil", 0.0, 30.0),))
request = SequenceRenderRequest(AvatarState(), timeline, width=32, height=32, fps=10, format="gif")
renderer.render_sequence(request, progress)
"""


def _killed_midway(script: str, *args: str, ready: str) -> None:
    """Run ``script`` in a child process and SIGKILL it once it prints ``ready``."""
    child = subprocess.Popen(
        [sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == ready
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)


def _blob_store(root: Path) -> FsspecBlobStore:
    return FsspecBlobStore({ns.value: str(root / ns.value) for ns in Namespace})


@pytest.mark.parametrize("tenant", ["default", "acme"])
def test_a_killed_upload_leaves_data_that_gc_finds_and_removes(tmp_path: Path, tenant: str) -> None:
    _killed_midway(KILLED_UPLOAD, str(tmp_path), tenant, ready="written")
    blobs = _blob_store(tmp_path)
    assert blobs.scoped(tenant).list(Namespace.ASSETS) == [], "nothing was published"
    left = [p for p in (tmp_path / "assets").rglob("*") if p.is_file() and "blobs" in p.parts]
    assert len(left) == 1 and left[0].stat().st_size >= 21 * 1024 * 1024
    gc = GarbageCollector(MemoryStore(), blobs)
    report = gc.collect(min_age=NOW)
    assert [(i.where, i.size >= 21 * 1024 * 1024) for i in report.leftovers] == [("assets", True)]
    assert left[0].exists(), "a dry run removes nothing"
    applied = gc.collect(apply=True, min_age=NOW)
    assert applied.removed == 1 and not left[0].exists()
    assert gc.collect(min_age=NOW).leftovers == ()


def test_leftovers_younger_than_min_age_are_spared(tmp_path: Path) -> None:
    _killed_midway(KILLED_UPLOAD, str(tmp_path), "default", ready="written")
    gc = GarbageCollector(MemoryStore(), _blob_store(tmp_path))
    assert gc.collect(apply=True).leftovers == (), "the default hour protects writes in flight"


def test_data_a_manifest_names_is_never_a_leftover(tmp_path: Path) -> None:
    blobs = _blob_store(tmp_path)
    blobs.write(Namespace.ASSETS, "kept.bin", [b"kept"], max_size=10)
    blobs.scoped("acme").write(Namespace.ASSETS, "kept.bin", [b"acme"], max_size=10)
    stale = tmp_path / "assets" / "tmp" / "123-abc.tmp"  # a manifest a kill left mid-publish
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"{")
    report = GarbageCollector(MemoryStore(), blobs).collect(apply=True, min_age=NOW)
    assert [item.path for item in report.leftovers] == ["tmp/123-abc.tmp"]
    assert b"".join(blobs.read(Namespace.ASSETS, "kept.bin")) == b"kept"
    assert b"".join(blobs.scoped("acme").read(Namespace.ASSETS, "kept.bin")) == b"acme"


def test_a_killed_render_leaves_its_video_under_the_data_folder_for_gc(tmp_path: Path) -> None:
    temp = tmp_path / "data" / "tmp"
    _killed_midway(KILLED_RENDER, str(temp), ready="rendering")
    left = sorted(p.name for p in temp.iterdir())
    assert len(left) == 1 and left[0].startswith("avatar-render-"), left
    old = time.time() - 7200
    os.utime(temp / left[0], (old, old))
    gc = GarbageCollector(MemoryStore(), _blob_store(tmp_path / "data"), [TempFolder(temp)])
    report = gc.collect()
    assert [(i.where, i.path) for i in report.leftovers] == [("temp", left[0])]
    assert gc.collect(apply=True).removed == 1
    assert list(temp.iterdir()) == []


def test_the_temp_folder_removes_only_its_own_files(tmp_path: Path) -> None:
    folder = TempFolder(tmp_path)
    made = folder.new_file("audio", ".wav")
    (tmp_path / "notes.txt").write_text("not ours")
    found = folder.leftovers(older_than=datetime.now(UTC))
    assert [item.path for item in found] == [made.name]
    assert all(folder.remove_leftover(item) for item in found)
    assert (tmp_path / "notes.txt").exists()
