"""``PUT /v1/assets/{name}``: the raw body is the file (no form), with the multipart route's
rules: safe names, MAX_FILE_SIZE (413 as soon as a streamed body crosses it, nothing kept),
the declared type recorded as a form part's is, 409 unless ``overwrite``, tenants apart."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from avatar_service.contracts.blobs import TRAVERSAL_NAMES
from avatar_service.entrypoints.bootstrap import bootstrap
from avatar_service.entrypoints.http.app import create_app
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import make_plugin_manager

ProblemCheck = Callable[..., dict[str, Any]]
MAX_FILE = 200_000
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
ACME = "acme-key-0123456789abcdef"
GLOBEX = "globex-key-0123456789abcdef"
UNREACHABLE = frozenset({"", ".", "..", "/"})
"""Names that leave no path under ``/v1/assets/``: the router answers 404 or 405."""


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    """Acme's client, on the real fsspec store (a local folder) that records types as
    ``core.mediatypes`` says."""
    settings = Settings(
        _env_file=None,
        tts="mock",
        aligner="mock",
        renderer="mock",
        store="memory",
        blobs="fsspec",
        assets_dir=str(tmp_path / "assets"),
        audios_dir=str(tmp_path / "audios"),
        renders_dir=str(tmp_path / "renders"),
        max_file_size=MAX_FILE,
        storage={"fsync": False},
        api_keys=f"{ACME}:write:acme, {GLOBEX}:write:globex",
    )
    container = bootstrap(settings, plugin_manager=make_plugin_manager(load_entrypoints=False))
    with TestClient(create_app(container), base_url="http://127.0.0.1") as client:
        client.headers["Authorization"] = f"Bearer {ACME}"
        yield client


def _names(client: TestClient[Litestar]) -> list[str]:
    return [a["asset_id"] for a in client.get("/v1/assets").json()["assets"]]


def test_the_body_becomes_the_named_asset(client: TestClient[Litestar]) -> None:
    response = client.put(
        "/v1/assets/folder/logo.png", content=PNG, headers={"Content-Type": "image/png"}
    )
    assert response.status_code == 201, response.text
    assert response.json() == {
        "asset_id": "folder/logo.png",
        "size": len(PNG),
        "checksum": hashlib.sha256(PNG).hexdigest(),
        "content_type": "image/png",
    }
    download = client.get("/v1/assets/download", params={"name": "folder/logo.png"})
    assert download.content == PNG
    assert _names(client) == ["folder/logo.png"]


@pytest.mark.parametrize(
    ("name", "declared", "recorded"),
    [
        ("logo.png", "text/plain", "text/plain"),  # the declared type wins over the name's
        ("logo.png", "application/octet-stream", "image/png"),  # a generic one does not
        ("logo.png", None, "image/png"),
        ("noext", "not a type", "image/png"),  # malformed: the bytes say what it is
    ],
)
def test_the_type_is_recorded_as_for_a_form_upload(
    client: TestClient[Litestar], name: str, declared: str | None, recorded: str
) -> None:
    headers = {} if declared is None else {"Content-Type": declared}
    put = client.put(f"/v1/assets/put/{name}", content=PNG, headers=headers)
    files = {"file": (name, PNG, declared or "")}
    form = client.post("/v1/assets/upload", files=files, params={"name": f"form/{name}"})
    assert (put.status_code, form.status_code) == (201, 201), (put.text, form.text)
    assert put.json()["content_type"] == form.json()["content_type"] == recorded


def test_a_multipart_body_is_415_pointing_at_the_form_route(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    response = client.put(
        "/v1/assets/a.bin",
        content=b"--b\r\n\r\n--b--\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert "/v1/assets/upload" in assert_problem(response, 415)["detail"]
    assert _names(client) == []


def test_an_empty_body_is_an_empty_asset_as_an_empty_form_file_is(
    client: TestClient[Litestar],
) -> None:
    put = client.put("/v1/assets/empty.txt", content=b"")
    form = client.post("/v1/assets/upload", files={"file": ("empty2.txt", b"", "text/plain")})
    assert (put.status_code, form.status_code) == (201, 201), (put.text, form.text)
    empty = hashlib.sha256(b"").hexdigest()
    assert (put.json()["size"], put.json()["checksum"]) == (0, empty)
    assert (form.json()["size"], form.json()["checksum"]) == (0, empty)
    assert client.get("/v1/assets/download", params={"name": "empty.txt"}).content == b""


def test_an_existing_name_is_409_unless_overwrite(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    assert client.put("/v1/assets/a.txt", content=b"one").status_code == 201
    assert_problem(client.put("/v1/assets/a.txt", content=b"two"), 409, field="name")
    again = client.put("/v1/assets/a.txt", content=b"three", params={"overwrite": "true"})
    assert again.json()["size"] == 5
    assert client.get("/v1/assets/download", params={"name": "a.txt"}).content == b"three"


def test_an_announced_body_over_max_file_size_is_413_before_reading(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    response = client.put(
        "/v1/assets/big.bin", content=b"x", headers={"Content-Length": str(MAX_FILE + 1)}
    )
    assert "MAX_FILE_SIZE" in assert_problem(response, 413, field="file")["detail"]
    assert client.put("/v1/assets/full.bin", content=b"x" * MAX_FILE).status_code == 201
    assert _names(client) == ["full.bin"]


def test_a_streamed_body_is_cut_off_as_soon_as_it_crosses_the_limit(
    client: TestClient[Litestar],
) -> None:
    """Driven through ASGI directly: the test client would read the whole body first."""
    app = client.app
    sent: list[int] = []
    answers: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        sent.append(10_000)  # 10 MB in all, 50 times the limit, unless the route stops reading
        return {"type": "http.request", "body": b"z" * 10_000, "more_body": len(sent) < 1000}

    async def send(message: dict[str, Any]) -> None:
        answers.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "PUT",
        "scheme": "http",
        "path": "/v1/assets/big.bin",
        "raw_path": b"/v1/assets/big.bin",
        "query_string": b"",
        "root_path": "",
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80),
        "state": {},
        "headers": [(b"host", b"127.0.0.1"), (b"authorization", f"Bearer {ACME}".encode())],
    }
    anyio.run(app, scope, receive, send)
    assert answers[0]["status"] == 413
    assert b"MAX_FILE_SIZE" in b"".join(m.get("body", b"") for m in answers[1:])
    assert sum(sent) <= MAX_FILE + 10_000, f"{sum(sent)} bytes were read, limit {MAX_FILE}"
    assert _names(client) == []


@pytest.mark.parametrize("name", sorted(set(TRAVERSAL_NAMES) - UNREACHABLE))
def test_every_unsafe_name_is_422_and_nothing_is_kept(
    client: TestClient[Litestar], assert_problem: ProblemCheck, name: str
) -> None:
    response = client.put("/v1/assets/" + quote(name, safe=""), content=b"data")
    assert_problem(response, 422, field="name")
    assert _names(client) == []


@pytest.mark.parametrize("name", sorted(UNREACHABLE))
def test_names_without_a_path_of_their_own_reach_no_upload(
    client: TestClient[Litestar], name: str
) -> None:
    response = client.put("/v1/assets/" + quote(name, safe=""), content=b"data")
    assert response.status_code in (404, 405)
    assert _names(client) == []


def test_tenants_have_their_own_assets_by_the_same_name(client: TestClient[Litestar]) -> None:
    globex = {"Authorization": f"Bearer {GLOBEX}"}
    assert client.put("/v1/assets/logo.png", content=b"acme").status_code == 201
    made = client.put("/v1/assets/logo.png", content=b"globex", headers=globex)
    assert made.status_code == 201, made.text  # no conflict with acme's
    assert client.get("/v1/assets/download?name=logo.png").content == b"acme"
    assert client.get("/v1/assets/download?name=logo.png", headers=globex).content == b"globex"


def test_writing_needs_a_key_that_may_write(client: TestClient[Litestar]) -> None:
    anonymous = client.put("/v1/assets/a.txt", content=b"x", headers={"Authorization": ""})
    assert anonymous.status_code == 401
    assert _names(client) == []
