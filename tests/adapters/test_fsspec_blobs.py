"""The fsspec blob store honours the BlobStore contract on local disk, in memory, and on S3
(a moto server on 127.0.0.1 reached through s3fs); plus what only this adapter promises."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import s3fs
from moto.server import ThreadedMotoServer

from avatar_service.adapters.blobs.fsspec_store import FsspecBlobStore
from avatar_service.contracts import BlobStoreContract
from avatar_service.core.errors import TooLarge, Unavailable
from avatar_service.core.records import Namespace

NS = Namespace.ASSETS
BUCKET = "avatar-test"


def _urls(base: str) -> dict[Namespace, str]:
    return {ns: f"{base}/{ns.value}" for ns in Namespace}


@pytest.fixture(scope="module")
def s3_options() -> Iterator[dict[str, Any]]:
    """A moto S3 server on 127.0.0.1 with one bucket, and the s3fs options to reach it."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    options = {
        "endpoint_url": f"http://{host}:{port}",
        "key": "testing",
        "secret": "testing",
        "client_kwargs": {"region_name": "us-east-1"},
        "skip_instance_cache": True,
    }
    s3fs.S3FileSystem(**options).call_s3("create_bucket", Bucket=BUCKET)
    yield options
    server.stop()


def _s3_store(options: dict[str, Any], **kwargs: Any) -> FsspecBlobStore:
    base = f"s3://{BUCKET}/run-{uuid.uuid4().hex[:8]}"
    return FsspecBlobStore(_urls(base), storage_options={"s3": options}, **kwargs)


class TestLocalDiskBlobStore(BlobStoreContract):
    @pytest.fixture
    def adapter(self, tmp_path: Path) -> FsspecBlobStore:
        return FsspecBlobStore(_urls(str(tmp_path)))


class TestFileUrlBlobStore(BlobStoreContract):
    @pytest.fixture
    def adapter(self, tmp_path: Path) -> FsspecBlobStore:
        return FsspecBlobStore(_urls(f"file://{tmp_path}"), fsync=False)


class TestMemoryUrlBlobStore(BlobStoreContract):
    @pytest.fixture
    def adapter(self) -> FsspecBlobStore:
        return FsspecBlobStore(_urls(f"memory://avatar-{uuid.uuid4().hex}"))


class TestS3BlobStore(BlobStoreContract):
    @pytest.fixture
    def adapter(self, s3_options: dict[str, Any]) -> FsspecBlobStore:
        return _s3_store(s3_options)


# -- what the contract does not cover ---------------------------------------------------------


def test_plain_paths_default_layout_is_created_on_first_use(tmp_path: Path) -> None:
    store = FsspecBlobStore(_urls(str(tmp_path / "data")))
    store.check()
    info = store.write(NS, "logo.png", [b"\x89PNG\r\n\x1a\nrest"], max_size=100)
    manifest = next((tmp_path / "data" / "assets" / "index").glob("logo.png*"))
    recorded = json.loads(manifest.read_bytes())
    assert (recorded["size"], recorded["sha256"]) == (info.size, info.checksum)
    assert (tmp_path / "data" / "assets" / "blobs").is_dir()


def test_listing_never_reads_object_data(tmp_path: Path) -> None:
    store = FsspecBlobStore(_urls(str(tmp_path)))
    store.write(NS, "a.bin", [b"x" * 1000], max_size=10_000)
    for blob in (tmp_path / "assets" / "blobs").rglob("*"):
        if blob.is_file():
            blob.chmod(0)  # unreadable data: listing must still work from the manifests
    [info] = store.list(NS)
    assert (info.name, info.size) == ("a.bin", 1000)


def test_content_type_is_sniffed_when_neither_declared_nor_in_the_name(tmp_path: Path) -> None:
    store = FsspecBlobStore(_urls(str(tmp_path)))
    wav = b"RIFF\x24\x00\x00\x00WAVEfmt "
    assert store.write(NS, "voice", [wav], max_size=100).content_type == "audio/wav"
    declared = store.write(NS, "x.bin", [wav], max_size=100, content_type="Audio/X-Custom; a=b")
    assert declared.content_type == "audio/x-custom"


def test_failed_write_leaves_no_data_and_no_temporary_files_on_disk(tmp_path: Path) -> None:
    store = FsspecBlobStore(_urls(str(tmp_path)))

    def failing() -> Iterator[bytes]:
        yield b"a" * 5000
        raise ConnectionError("client went away")

    with pytest.raises(ConnectionError):
        store.write(NS, "broken", failing(), max_size=10**6)
    with pytest.raises(TooLarge):
        store.write(NS, "big", [b"a" * 600] * 2, max_size=1000)
    leftovers = [p for p in (tmp_path / "assets").rglob("*") if p.is_file()]
    assert leftovers == []


def test_overwrite_removes_the_replaced_data(tmp_path: Path) -> None:
    store = FsspecBlobStore(_urls(str(tmp_path)))
    store.write(NS, "x", [b"one"], max_size=10)
    store.write(NS, "x", [b"two"], max_size=10, overwrite=True)
    blobs = [p.read_bytes() for p in (tmp_path / "assets" / "blobs").rglob("*") if p.is_file()]
    assert blobs == [b"two"]
    assert store.delete(NS, "x")
    assert [p for p in (tmp_path / "assets").rglob("*") if p.is_file()] == []


def test_a_crash_before_the_manifest_leaves_nothing_visible(tmp_path: Path) -> None:
    """Data written but never published (the process died) is not an object."""
    store = FsspecBlobStore(_urls(str(tmp_path)))
    orphan = tmp_path / "assets" / "blobs" / "ab" / ("ab" + "0" * 30)
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"half an upload")
    (tmp_path / "assets" / "tmp").mkdir()
    (tmp_path / "assets" / "tmp" / "123-x.tmp").write_bytes(b'{"format": 1')
    assert store.list(NS) == []


def test_a_corrupt_manifest_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    store = FsspecBlobStore(_urls(str(tmp_path)))
    store.write(NS, "x", [b"one"], max_size=10)
    next((tmp_path / "assets" / "index").iterdir()).write_bytes(b"{not json")
    with pytest.raises(Unavailable):
        store.stat(NS, "x")
    assert store.list(NS) == []
    assert store.write(NS, "x", [b"new"], max_size=10, overwrite=True).size == 3


def test_s3_failed_write_aborts_the_multipart_upload(s3_options: dict[str, Any]) -> None:
    store = _s3_store(s3_options, part_size=5 * 1024 * 1024)
    part = b"p" * (1024 * 1024)

    def failing() -> Iterator[bytes]:
        yield from [part] * 6  # past one part: a multipart upload has begun
        raise ConnectionError("client went away")

    with pytest.raises(ConnectionError):
        store.write(NS, "big", failing(), max_size=10**8)
    fs = s3fs.S3FileSystem(**s3_options)
    uploads = fs.call_s3("list_multipart_uploads", Bucket=BUCKET).get("Uploads", [])
    assert uploads == []
    assert store.list(NS) == []


def test_s3_round_trip_of_a_multipart_object(s3_options: dict[str, Any]) -> None:
    store = _s3_store(s3_options, part_size=5 * 1024 * 1024)
    data = bytes(range(256)) * (45 * 1024)  # 11.25 MiB: three parts
    info = store.write(
        NS, "video.mp4", (data[i : i + 65536] for i in range(0, len(data), 65536)), max_size=10**8
    )
    assert info.checksum == hashlib.sha256(data).hexdigest()
    assert b"".join(store.read(NS, "video.mp4", 5_000_000, 6_000_001)) == data[5_000_000:6_000_001]


def test_unreachable_s3_is_unavailable() -> None:
    options = {
        "endpoint_url": "http://127.0.0.1:9",
        "key": "k",
        "secret": "s",
        "skip_instance_cache": True,
        "config_kwargs": {"connect_timeout": 1, "retries": {"max_attempts": 1}},
    }
    store = FsspecBlobStore(_urls("s3://nowhere/x"), storage_options={"s3": options})
    with pytest.raises(Unavailable):
        store.check()
