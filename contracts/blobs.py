"""Contract suite for ``BlobStore`` adapters (see ``core.ports.BlobStore``).

Every name the suite writes lives under a fresh random prefix, so it also runs against a
persistent store. ``TRAVERSAL_NAMES`` is public: HTTP tests reuse it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from avatar_service.contracts.blobs_tenancy import BlobStoreTenancyContract
from avatar_service.core.errors import AvatarServiceError, Conflict, Invalid, NotFound, TooLarge
from avatar_service.core.ports import BlobStore
from avatar_service.core.records import BlobInfo, Namespace

NS = Namespace.ASSETS
MAX = 1024 * 1024

TRAVERSAL_NAMES: tuple[str, ...] = (
    # plain traversal and absolute paths
    "../x",
    "a/../../x",
    "a/b/../../..",
    "x/..",
    "~/../x",
    "..",
    ".",
    "./x",
    "x/./y",
    "a/./b",
    "/etc/passwd",
    "/",
    " /x",
    "",
    # empty segments and trailing slashes
    "a//b",
    "a/",
    "x/",
    # Windows: drives, backslashes, UNC
    "C:\\x",
    "C:x",
    "a\\b",
    "..\\x",
    "\\\\server\\share",
    # percent-encoded, double-encoded, mixed case
    "%2e%2e/x",
    "%2E%2E%2Fx",
    "..%2fx",
    "%252e%252e/x",
    "a/%2e%2e/b",
    "%00",
    "a%5cb",
    "%5c..%5cx",
    "%2e%2e%5cx",
    "x%00.txt",
    "%20x",
    # control and invisible characters
    "\x00x",
    "a\x00b",
    "x\n",
    "\t",
    "con\x7f",
    "\u202ex",
    "\u200bx",
    "\ufeffx",
    "x\u2028y",
    # Unicode that NFKC turns into dots, slashes or spaces
    "．．/x",
    "..／x",
    "．/x",
    "a/．．/b",
    "\u2024\u2024/x",
    "a/\u2025/b",
    "\u2026/x",
    "\u00a0x",
    # trailing dots and spaces (Windows strips them), over-long names and segments
    "x.",
    "x ",
    "a/b./c",
    "x" * 300,
    "a/" + "b" * 300,
    "x" * 129,
    "a/" + "b" * 129,
)
"""Names every BlobStore must refuse with ``Invalid`` (all are refused by ``safe_blob_name``)."""


def _name_id(name: str) -> str:
    """A readable, unique test id for an attack name."""
    if len(name) > 40:
        return f"{ascii(name[:3])[1:-1]}...({len(name)} chars)"
    return ascii(name)[1:-1] or "(empty)"


def _chunks(data: bytes, size: int = 4096) -> Iterator[bytes]:
    for offset in range(0, len(data), size):
        yield data[offset : offset + size]


def _read(store: BlobStore, name: str, start: int = 0, end: int | None = None) -> bytes:
    return b"".join(store.read(NS, name, start, end))


def _names(infos: Iterable[BlobInfo]) -> list[str]:
    return [info.name for info in infos]


@pytest.mark.contract
class BlobStoreContract(BlobStoreTenancyContract):
    """Subclass as ``class TestMine(BlobStoreContract)`` and override ``adapter``. Includes
    the tenancy tests."""

    @pytest.fixture
    def adapter(self) -> BlobStore:
        """The blob store under test, ready to use."""
        raise NotImplementedError("must be overridden in derived classes")

    @pytest.fixture
    def prefix(self) -> str:
        """A folder no other test (or earlier run) uses."""
        return f"contract-{uuid.uuid4().hex[:12]}/"

    def test_adapter_implements_the_port(self, adapter: BlobStore) -> None:
        assert isinstance(adapter, BlobStore)
        adapter.check()  # raises Unavailable if the adapter is not usable

    def test_write_stat_read_round_trip(self, adapter: BlobStore, prefix: str) -> None:
        data = bytes(range(256)) * 1000
        name = prefix + "round/trip.bin"
        info = adapter.write(NS, name, _chunks(data), max_size=MAX, content_type="image/png")
        expected = (NS, name, len(data), "image/png", hashlib.sha256(data).hexdigest())
        assert (info.namespace, info.name, info.size, info.content_type, info.checksum) == expected
        assert info.modified.utcoffset() is not None, "modified is a naive datetime"
        stat = adapter.stat(NS, name)
        assert (stat.namespace, stat.name, stat.size, stat.content_type, stat.checksum) == expected
        assert _read(adapter, name) == data

    def test_empty_object_round_trips(self, adapter: BlobStore, prefix: str) -> None:
        info = adapter.write(NS, prefix + "empty", iter([]), max_size=MAX)
        assert (info.size, info.checksum) == (0, hashlib.sha256(b"").hexdigest())
        assert isinstance(info.content_type, str)
        assert _read(adapter, prefix + "empty") == b""

    @pytest.mark.parametrize(
        ("start", "end"), [(0, None), (0, 10), (5, 6), (100, 5000), (10239, None), (7, 7)]
    )
    def test_read_returns_the_byte_range(
        self, adapter: BlobStore, prefix: str, start: int, end: int | None
    ) -> None:
        data = bytes(range(256)) * 40
        adapter.write(NS, prefix + "range", _chunks(data, 1000), max_size=MAX)
        assert _read(adapter, prefix + "range", start, end) == data[start:end]

    def test_read_starting_past_the_end_is_invalid(self, adapter: BlobStore, prefix: str) -> None:
        adapter.write(NS, prefix + "short", [b"0123456789"], max_size=MAX)
        with pytest.raises(Invalid):
            _read(adapter, prefix + "short", 11)

    def test_names_in_sub_folders_work(self, adapter: BlobStore, prefix: str) -> None:
        name = prefix + "a/b/c.txt"
        adapter.write(NS, name, [b"deep"], max_size=MAX, content_type="text/plain")
        assert adapter.stat(NS, name).size == 4
        assert _read(adapter, name) == b"deep"

    def test_namespaces_are_separate(self, adapter: BlobStore, prefix: str) -> None:
        adapter.write(NS, prefix + "only-assets", [b"x"], max_size=MAX)
        with pytest.raises(NotFound):
            adapter.stat(Namespace.AUDIOS, prefix + "only-assets")

    def test_list_is_sorted_filtered_by_prefix_and_paged_by_cursor(
        self, adapter: BlobStore, prefix: str
    ) -> None:
        names = [prefix + n for n in ("c/d.txt", "b.txt", "c.txt", "a.txt", "ca.txt")]
        for name in names:
            adapter.write(NS, name, [name.encode()], max_size=MAX, content_type="text/plain")
        adapter.write(NS, prefix.rstrip("/") + "-sibling/z.txt", [b"z"], max_size=MAX)
        listed = adapter.list(NS, prefix=prefix)
        assert _names(listed) == sorted(names)
        for info in listed:
            assert (info.size, info.checksum) == (
                len(info.name.encode()),
                hashlib.sha256(info.name.encode()).hexdigest(),
            )
        assert _names(adapter.list(NS, prefix=prefix + "c")) == sorted(names)[2:]
        pages: list[str] = []
        cursor: str | None = None
        for _ in range(len(names) + 1):
            page = adapter.list(NS, prefix=prefix, limit=2, cursor=cursor)
            if not page:
                break
            assert len(page) <= 2, f"limit=2 gave {len(page)} items"
            pages.extend(_names(page))
            cursor = page[-1].name
        assert pages == sorted(names), "walking pages by cursor did not list each name once"

    def test_existing_name_conflicts_unless_overwrite(
        self, adapter: BlobStore, prefix: str
    ) -> None:
        name = prefix + "once"
        adapter.write(NS, name, [b"first"], max_size=MAX)
        with pytest.raises(Conflict):
            adapter.write(NS, name, [b"second"], max_size=MAX)
        assert _read(adapter, name) == b"first"
        info = adapter.write(NS, name, [b"second!"], max_size=MAX, overwrite=True)
        assert (info.size, adapter.stat(NS, name).size) == (7, 7)
        assert _read(adapter, name) == b"second!"

    def test_exactly_max_size_is_accepted(self, adapter: BlobStore, prefix: str) -> None:
        assert adapter.write(NS, prefix + "full", [b"12345", b"67890"], max_size=10).size == 10

    def test_too_large_leaves_no_object(self, adapter: BlobStore, prefix: str) -> None:
        name = prefix + "big"
        with pytest.raises(TooLarge):
            adapter.write(NS, name, [b"1234"] * 5, max_size=10)
        with pytest.raises(NotFound):
            adapter.stat(NS, name)
        assert name not in _names(adapter.list(NS, prefix=prefix))

    def test_too_large_overwrite_keeps_the_old_object(
        self, adapter: BlobStore, prefix: str
    ) -> None:
        name = prefix + "keep"
        adapter.write(NS, name, [b"old"], max_size=MAX)
        with pytest.raises(TooLarge):
            adapter.write(NS, name, [b"1234"] * 5, max_size=10, overwrite=True)
        assert _read(adapter, name) == b"old"
        assert adapter.stat(NS, name).checksum == hashlib.sha256(b"old").hexdigest()

    def test_iterator_failing_midway_propagates_and_leaves_nothing(
        self, adapter: BlobStore, prefix: str
    ) -> None:
        def failing() -> Iterator[bytes]:
            yield b"partial data"
            raise RuntimeError("client went away")

        name = prefix + "broken"
        with pytest.raises((RuntimeError, AvatarServiceError)):
            adapter.write(NS, name, failing(), max_size=MAX)
        with pytest.raises(NotFound):
            adapter.stat(NS, name)
        assert _names(adapter.list(NS, prefix=prefix)) == []

    def test_delete_returns_true_then_false(self, adapter: BlobStore, prefix: str) -> None:
        name = prefix + "doomed"
        adapter.write(NS, name, [b"x"], max_size=MAX)
        assert adapter.delete(NS, name) is True
        assert adapter.delete(NS, name) is False
        assert _names(adapter.list(NS, prefix=prefix)) == []

    def test_missing_name_is_not_found(self, adapter: BlobStore, prefix: str) -> None:
        with pytest.raises(NotFound):
            adapter.stat(NS, prefix + "nothing")
        with pytest.raises(NotFound):
            _read(adapter, prefix + "nothing")

    @pytest.mark.parametrize("name", TRAVERSAL_NAMES, ids=[_name_id(n) for n in TRAVERSAL_NAMES])
    def test_unsafe_name_is_refused_by_every_operation(self, adapter: BlobStore, name: str) -> None:
        consumed: list[bytes] = []

        def chunks() -> Iterator[bytes]:
            consumed.append(b"x")
            yield b"x"

        with pytest.raises(Invalid):
            adapter.write(NS, name, chunks(), max_size=MAX, overwrite=True)
        assert not consumed, "write consumed the data before refusing the name"
        with pytest.raises(Invalid):
            adapter.stat(NS, name)
        with pytest.raises(Invalid):
            _read(adapter, name)
        with pytest.raises(Invalid):
            adapter.delete(NS, name)

    def test_concurrent_writes_of_distinct_names_all_land(
        self, adapter: BlobStore, prefix: str
    ) -> None:
        def write(worker: int) -> None:
            for n in range(5):
                data = f"{worker}-{n}".encode() * 1000
                adapter.write(NS, f"{prefix}w{worker}/{n}", _chunks(data, 777), max_size=MAX)

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(write, range(8)))
        listed = adapter.list(NS, prefix=prefix)
        assert len(listed) == 40
        for info in listed:
            worker, n = info.name.removeprefix(prefix + "w").split("/")
            assert _read(adapter, info.name) == f"{worker}-{n}".encode() * 1000

    def test_concurrent_overwrites_leave_one_whole_object(
        self, adapter: BlobStore, prefix: str
    ) -> None:
        name = prefix + "contended"
        payloads = [bytes([worker]) * 50_000 for worker in range(8)]

        def write(data: bytes) -> None:
            adapter.write(NS, name, _chunks(data, 1000), max_size=MAX, overwrite=True)

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(write, payloads))
        final = _read(adapter, name)
        assert final in payloads, "concurrent overwrites interleaved their data"
        assert adapter.stat(NS, name).checksum == hashlib.sha256(final).hexdigest()
