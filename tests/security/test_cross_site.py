"""Loopback is not a boundary: a page on another site cannot drive the service through the
browser. JSON routes take only JSON (415), a foreign ``Host`` is refused (421, DNS
rebinding), a foreign ``Origin`` cannot change anything (403), the playground still works."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from attack_kit import assert_problem

from avatar_service.entrypoints.settings import HttpSettings, ServerSettings

Serve = Callable[..., Any]
LIPSYNC = {"text": "Hello there"}
EVIL = "https://evil.example"


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None],
)
def test_a_json_route_refuses_a_body_that_is_not_json(
    serve_with: Serve, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    with serve_with() as (client, _):
        response = client.post("/v1/lipsync", content=b'{"text": "Hello there"}', headers=headers)
        body = assert_problem(response, 415)
        assert "application/json" in body["detail"]


def test_json_with_a_charset_and_merge_patch_json_are_json(serve_with: Serve) -> None:
    with serve_with() as (client, _):
        ok = client.post(
            "/v1/lipsync",
            content=b'{"text": "Hi"}',
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        assert ok.status_code == 200, ok.text
        avatar_id = client.post("/v1/avatars", json={"name": "Bo"}).json()["avatar_id"]
        patched = client.patch(
            f"/v1/avatars/{avatar_id}/state",
            content=b'{"expression": "happy"}',
            headers={"Content-Type": "application/merge-patch+json"},
        )
        assert patched.status_code == 200, patched.text


def test_phoneme_timing_takes_json_or_multipart_only(serve_with: Serve) -> None:
    with serve_with() as (client, _):
        response = client.post(
            "/v1/phonemes/timing", content=b'{"text": "Hi"}', headers={"Content-Type": "text/plain"}
        )
        assert_problem(response, 415)


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:8000",
        "attacker.127.0.0.1.nip.io",
        "127.0.0.2",
        "localhost.evil.example",
        "[::2]:8000",
        "bad host",
    ],
)
def test_a_foreign_host_is_misdirected(serve_with: Serve, host: str) -> None:
    with serve_with() as (client, _):
        response = client.get("/v1/voices", headers={"Host": host})
        body = assert_problem(response, 421)
        assert "AVATAR_HTTP__ALLOWED_HOSTS" in body["detail"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert_problem(client.get("/health", headers={"Host": host}), 421)


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost", "LOCALHOST:1234", "[::1]:8000"])
def test_loopback_names_are_served_by_default(serve_with: Serve, host: str) -> None:
    with serve_with() as (client, _):
        assert client.get("/v1/voices", headers={"Host": host}).status_code == 200


def test_configured_hosts_replace_the_defaults(serve_with: Serve) -> None:
    http = HttpSettings(allowed_hosts=["avatar.example", ".corp.example"])
    with serve_with(http=http) as (client, _):
        for host in ("avatar.example", "api.corp.example:443", "corp.example"):
            assert client.get("/v1/voices", headers={"Host": host}).status_code == 200, host
        assert_problem(client.get("/v1/voices", headers={"Host": "localhost"}), 421)
    with serve_with(server=ServerSettings(host="avatar.internal")) as (client, _):
        assert client.get("/v1/voices", headers={"Host": "avatar.internal"}).status_code == 200
    with serve_with(http=HttpSettings(allowed_hosts=["*"])) as (client, _):
        assert client.get("/v1/voices", headers={"Host": "any.example"}).status_code == 200


def test_a_cross_site_post_is_forbidden(serve_with: Serve) -> None:
    with serve_with() as (client, _):
        response = client.post("/v1/lipsync", json=LIPSYNC, headers={"Origin": EVIL})
        body = assert_problem(response, 403)
        assert "AVATAR_HTTP__CORS_ORIGINS" in body["detail"]
        assert_problem(client.delete("/v1/avatars/ava", headers={"Origin": "null"}), 403)


def test_a_cross_site_upload_is_forbidden_and_nothing_is_stored(serve_with: Serve) -> None:
    with serve_with() as (client, _):
        response = client.post(
            "/v1/assets/upload",
            files={"file": ("x.txt", b"hello", "text/plain")},
            headers={"Origin": EVIL},
        )
        assert_problem(response, 403)
        assert client.get("/v1/assets").json()["count"] == 0


def test_same_origin_and_configured_origins_may_post(serve_with: Serve) -> None:
    http = HttpSettings(cors_origins=["https://app.example"])
    with serve_with(http=http) as (client, _):
        same = client.post("/v1/lipsync", json=LIPSYNC, headers={"Origin": "http://127.0.0.1"})
        assert same.status_code == 200, same.text
        listed = client.post("/v1/lipsync", json=LIPSYNC, headers={"Origin": "https://app.example"})
        assert listed.status_code == 200, listed.text
        other_port = client.post(
            "/v1/lipsync", json=LIPSYNC, headers={"Origin": "http://127.0.0.1:9999"}
        )
        assert_problem(other_port, 403)


def test_reads_do_not_need_an_origin_check(serve_with: Serve) -> None:
    with serve_with() as (client, _):
        assert client.get("/v1/voices", headers={"Origin": EVIL}).status_code == 200


def test_the_openapi_document_declares_the_new_answers(serve_with: Serve) -> None:
    with serve_with() as (client, _):
        paths = client.get("/schema/openapi.json").json()["paths"]
    lipsync = paths["/v1/lipsync"]["post"]["responses"]
    assert {"403", "415", "421"} <= lipsync.keys()
    assert "421" in paths["/health"]["get"]["responses"]
    assert "415" in paths["/v1/phonemes/timing"]["post"]["responses"]
