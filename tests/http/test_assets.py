"""Assets over HTTP on the real fsspec store (a local folder): list, download with validators
and ranges, streamed upload with limits, delete, and every traversal name refused."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from support import MEMORY, MOCK_SPEECH

from avatar_service.contracts.blobs import TRAVERSAL_NAMES
from avatar_service.entrypoints.bootstrap import bootstrap
from avatar_service.entrypoints.http.app import create_app
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import make_plugin_manager

ProblemCheck = Callable[..., dict[str, Any]]
MAX_FILE = 200_000
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def client(data_dir: Path) -> Iterator[TestClient[Litestar]]:
    settings = Settings(
        _env_file=None,
        **MOCK_SPEECH,
        store=MEMORY,
        blobs="fsspec",
        assets_dir=str(data_dir / "assets"),
        audios_dir=str(data_dir / "audios"),
        renders_dir=f"file://{data_dir / 'renders'}",
        max_file_size=MAX_FILE,
        storage={"fsync": False},
    )
    container = bootstrap(settings, plugin_manager=make_plugin_manager(load_entrypoints=False))
    with TestClient(create_app(container), base_url="http://127.0.0.1") as client:
        yield client


def _upload(client: TestClient[Litestar], filename: str, data: bytes, **params: Any) -> Any:
    files = {"file": (filename, data, "application/octet-stream")}
    return client.post("/v1/assets/upload", files=files, params=params)


def test_upload_then_list_shows_recorded_metadata(client: TestClient[Litestar]) -> None:
    response = _upload(client, "logo.png", PNG)
    assert response.status_code == 201, response.text
    checksum = hashlib.sha256(PNG).hexdigest()
    assert response.json() == {
        "asset_id": "logo.png",
        "size": len(PNG),
        "checksum": checksum,
        "content_type": "image/png",
    }
    body = client.get("/v1/assets").json()
    assert body["count"] == 1
    [asset] = body["assets"]
    assert (asset["asset_id"], asset["path"], asset["type"], asset["size"]) == (
        "logo.png",
        "logo.png",
        "image",
        len(PNG),
    )
    assert asset["checksum"] == checksum and asset["modified"]


def test_listing_filters_by_prefix_and_pages_with_a_cursor(client: TestClient[Litestar]) -> None:
    for name in ("a/1.txt", "a/2.txt", "a/3.txt", "b/1.txt"):
        assert _upload(client, "x.txt", name.encode(), name=name).status_code == 201
    first = client.get("/v1/assets", params={"prefix": "a/", "limit": 2}).json()
    assert [a["asset_id"] for a in first["assets"]] == ["a/1.txt", "a/2.txt"]
    second = client.get(
        "/v1/assets", params={"prefix": "a/", "limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert [a["asset_id"] for a in second["assets"]] == ["a/3.txt"]
    assert second["next_cursor"] is None


def test_download_streams_with_validators(client: TestClient[Litestar]) -> None:
    _upload(client, "logo.png", PNG)
    response = client.get("/v1/assets/download", params={"name": "logo.png"})
    assert response.status_code == 200
    assert response.content == PNG
    headers = response.headers
    assert headers["content-type"] == "image/png"
    assert headers["etag"] == f'"{hashlib.sha256(PNG).hexdigest()}"'
    assert headers["cache-control"] == "public, max-age=3600"
    assert headers["content-length"] == str(len(PNG))
    assert headers["accept-ranges"] == "bytes"
    assert headers["last-modified"].endswith("GMT")
    assert headers["content-disposition"] == (
        "attachment; filename=\"logo.png\"; filename*=UTF-8''logo.png"
    )


def test_unicode_names_get_an_rfc5987_filename(client: TestClient[Litestar]) -> None:
    _upload(client, "x.txt", b"hi", name="docs/résumé €.txt")
    response = client.get("/v1/assets/download", params={"name": "docs/résumé €.txt"})
    disposition = response.headers["content-disposition"]
    assert 'filename="r_sum_ _.txt"' in disposition
    assert "filename*=UTF-8''r%C3%A9sum%C3%A9%20%E2%82%AC.txt" in disposition


def test_if_none_match_and_if_modified_since_give_304(client: TestClient[Litestar]) -> None:
    _upload(client, "logo.png", PNG)
    first = client.get("/v1/assets/download", params={"name": "logo.png"})
    again = client.get(
        "/v1/assets/download",
        params={"name": "logo.png"},
        headers={"If-None-Match": first.headers["etag"]},
    )
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == first.headers["etag"]
    since = client.get(
        "/v1/assets/download",
        params={"name": "logo.png"},
        headers={"If-Modified-Since": first.headers["last-modified"]},
    )
    assert since.status_code == 304


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-9", (0, 10)),
        ("bytes=100-", (100, len(PNG))),
        ("bytes=-16", (len(PNG) - 16, len(PNG))),
        ("bytes=10-99999999", (10, len(PNG))),
    ],
)
def test_a_single_byte_range_is_206(
    client: TestClient[Litestar], header: str, expected: tuple[int, int]
) -> None:
    _upload(client, "logo.png", PNG)
    response = client.get(
        "/v1/assets/download", params={"name": "logo.png"}, headers={"Range": header}
    )
    start, end = expected
    assert response.status_code == 206
    assert response.content == PNG[start:end]
    assert response.headers["content-range"] == f"bytes {start}-{end - 1}/{len(PNG)}"
    assert response.headers["content-length"] == str(end - start)


def test_unsatisfiable_range_is_416_and_stale_if_range_gets_everything(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    _upload(client, "logo.png", PNG)
    response = client.get(
        "/v1/assets/download", params={"name": "logo.png"}, headers={"Range": "bytes=99999-"}
    )
    assert_problem(response, 416)
    assert response.headers["content-range"] == f"bytes */{len(PNG)}"
    stale = client.get(
        "/v1/assets/download",
        params={"name": "logo.png"},
        headers={"Range": "bytes=0-9", "If-Range": '"old"'},
    )
    assert (stale.status_code, stale.content) == (200, PNG)
    several = client.get(
        "/v1/assets/download", params={"name": "logo.png"}, headers={"Range": "bytes=0-1,5-9"}
    )
    assert (several.status_code, several.content) == (200, PNG)


def test_head_gives_the_headers_without_a_body(client: TestClient[Litestar]) -> None:
    _upload(client, "logo.png", PNG)
    response = client.head("/v1/assets/download", params={"name": "logo.png"})
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str(len(PNG))
    assert response.headers["etag"] == f'"{hashlib.sha256(PNG).hexdigest()}"'


def test_existing_name_is_409_unless_overwrite(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    assert _upload(client, "a.txt", b"one").status_code == 201
    assert_problem(_upload(client, "a.txt", b"two"), 409, field="name")
    assert _upload(client, "a.txt", b"three", overwrite="true").json()["size"] == 5
    assert client.get("/v1/assets/download", params={"name": "a.txt"}).content == b"three"


def test_over_max_file_size_is_413_and_keeps_nothing(
    client: TestClient[Litestar], assert_problem: ProblemCheck, data_dir: Path
) -> None:
    assert_problem(_upload(client, "big.bin", b"x" * (MAX_FILE + 1)), 413)
    assert client.get("/v1/assets").json()["count"] == 0
    assert [p for p in (data_dir / "assets").rglob("*") if p.is_file()] == []
    assert _upload(client, "full.bin", b"x" * MAX_FILE).status_code == 201


def test_a_body_without_length_is_cut_off_at_the_limit_while_streaming(
    client: TestClient[Litestar], assert_problem: ProblemCheck, data_dir: Path
) -> None:
    def body() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n\r\n'
        for _ in range(MAX_FILE // 10_000 + 10):
            yield b"z" * 10_000
        yield b"\r\n--b--\r\n"

    response = client.post(
        "/v1/assets/upload",
        content=body(),
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert "MAX_FILE_SIZE" in assert_problem(response, 413)["detail"]
    assert [p for p in (data_dir / "assets").rglob("*") if p.is_file()] == []


def test_a_huge_announced_body_is_413_before_reading(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    response = client.post(
        "/v1/assets/upload",
        content=b"--b\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=b", "Content-Length": "999999999"},
    )
    assert_problem(response, 413, field="file")


def test_truncated_or_non_multipart_bodies_are_422(
    client: TestClient[Litestar], assert_problem: ProblemCheck, data_dir: Path
) -> None:
    truncated = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n\r\n'
        + b"partial data without the closing boundary"
    )
    response = client.post(
        "/v1/assets/upload",
        content=truncated,
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert_problem(response, 422)
    assert_problem(client.post("/v1/assets/upload", json={"file": "x"}), 422, "Content-Type")
    assert client.get("/v1/assets").json()["count"] == 0
    no_file = client.post("/v1/assets/upload", data={"name": "x"}, files={})
    assert no_file.status_code == 422


def test_form_fields_before_the_file_name_it(client: TestClient[Litestar]) -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nfolder/pic.png\r\n'
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n'
        b"Content-Type: image/png\r\n\r\n" + PNG + b"\r\n--b--\r\n"
    )
    response = client.post(
        "/v1/assets/upload",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["asset_id"] == "folder/pic.png"


def test_delete_removes_then_404(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    _upload(client, "a.txt", b"one")
    assert client.delete("/v1/assets", params={"name": "a.txt"}).status_code == 204
    assert_problem(client.delete("/v1/assets", params={"name": "a.txt"}), 404)
    assert_problem(client.get("/v1/assets/download", params={"name": "a.txt"}), 404)


@pytest.mark.parametrize("name", TRAVERSAL_NAMES)
def test_every_traversal_name_is_refused_over_http(
    client: TestClient[Litestar], assert_problem: ProblemCheck, name: str, data_dir: Path
) -> None:
    assert_problem(client.get("/v1/assets/download", params={"name": name}), 422, field="name")
    assert_problem(client.delete("/v1/assets", params={"name": name}), 422, field="name")
    assert_problem(_upload(client, "ok.txt", b"data", name=name), 422, field="name")
    uploaded = _upload(client, name, b"data")  # as a client file name it is sanitised
    assert uploaded.status_code == 201, uploaded.text
    asset_id = uploaded.json()["asset_id"]
    assert "/" not in asset_id and not asset_id.startswith(".")
    outside = [p for p in data_dir.parent.rglob("*") if p.is_file() and data_dir not in p.parents]
    assert outside == []


def test_audio_download_shares_ranges_and_head(client: TestClient[Litestar]) -> None:
    url = client.post("/v1/lipsync", json={"text": "hello"}).json()["audio_url"]
    whole = client.get(url)
    assert whole.headers["cache-control"] == "public, max-age=31536000, immutable"
    part = client.get(url, headers={"Range": "bytes=0-3"})
    assert (part.status_code, part.content) == (206, b"RIFF")
    head = client.head(url)
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == str(len(whole.content))
