"""Media downloads: validators, caching and conditional GET."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

ProblemCheck = Callable[..., dict[str, Any]]


def test_audio_download_is_immutable_and_tagged_with_its_sha256(
    client: TestClient[Litestar],
) -> None:
    url = client.post("/v1/lipsync", json={"text": "hello"}).json()["audio_url"]
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["etag"] == f'"{hashlib.sha256(response.content).hexdigest()}"'
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_audio_if_none_match_gives_304(client: TestClient[Litestar]) -> None:
    url = client.post("/v1/lipsync", json={"text": "hello"}).json()["audio_url"]
    etag = client.get(url).headers["etag"]
    response = client.get(url, headers={"If-None-Match": f'"other", {etag}'})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_unknown_audio_and_render_are_404(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    assert_problem(client.get("/v1/audios/au_missing"), 404)
    assert_problem(client.get("/v1/renders/rd_missing"), 404)
