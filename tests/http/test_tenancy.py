"""Tenants over HTTP: a key sees only its tenant's avatars, sessions, presets, audio, renders,
assets and jobs (another tenant's id is a 404, never a 403 or a 409); an admin key crosses
tenants only when it names one (``X-Avatar-Tenant``); keys without a tenant share one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from avatar_service.entrypoints.bootstrap import Container

ProblemCheck = Callable[..., dict[str, Any]]
Serve = Callable[..., AbstractContextManager[tuple[TestClient[Litestar], Container]]]
ACME = "acme-key-0123456789abcdef"
GLOBEX = "globex-key-0123456789abcdef"
ROOT = "root-admin-key-0123456789"
PLAIN = "plain-key-0123456789abcdef"
SMALL = {"width": 32, "height": 32, "fps": 10, "format": "gif"}


@pytest.fixture
def client(serve_with: Serve) -> Iterator[TestClient[Litestar]]:
    keys = f"{ACME}:write:acme, {GLOBEX}::globex, {ROOT}:admin, {PLAIN}"
    with serve_with(api_keys=keys) as (client, _container):
        yield client


def as_(key: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **headers}


def _acme_world(client: TestClient[Litestar]) -> dict[str, str]:
    """Acme's avatar, session, preset, audio, frame and asset; their ids."""
    acme = as_(ACME)
    post = client.post
    assert post(
        "/v1/avatars", json={"avatar_id": "shared", "name": "Acme"}, headers=acme
    ).is_success
    session = post("/v1/sessions", json={"avatar_id": "shared"}, headers=acme).json()
    preset = post("/v1/presets", json={"name": "p", "settings": {}}, headers=acme).json()
    audio = post("/v1/lipsync", json={"text": "hi", "avatar_id": "shared"}, headers=acme).json()
    frame = post(
        "/v1/render", json={"avatar_id": "shared", "width": 32, "height": 32}, headers=acme
    ).json()
    files = {"file": ("logo.png", b"acme's logo", "image/png")}
    assert post("/v1/assets/upload", files=files, headers=acme).status_code == 201
    return {
        "session": session["session_id"],
        "preset": preset["preset_id"],
        "audio": audio["audio_id"],
        "frame": frame["frame_id"],
    }


def test_another_tenants_records_and_files_are_404(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    ids = _acme_world(client)
    globex = as_(GLOBEX)
    for method, url in [
        ("GET", "/v1/avatars/shared"),
        ("PATCH", "/v1/avatars/shared"),
        ("DELETE", "/v1/avatars/shared"),
        ("GET", "/v1/avatars/shared/state"),
        ("GET", f"/v1/sessions/{ids['session']}"),
        ("DELETE", f"/v1/sessions/{ids['session']}"),
        ("GET", f"/v1/presets/{ids['preset']}"),
        ("DELETE", f"/v1/presets/{ids['preset']}"),
        ("GET", f"/v1/audios/{ids['audio']}"),
        ("GET", f"/v1/renders/{ids['frame']}"),
        ("GET", "/v1/assets/download?name=logo.png"),
        ("DELETE", "/v1/assets?name=logo.png"),
    ]:
        body = {"name": "stolen"} if method == "PATCH" else None
        response = client.request(method, url, json=body, headers=globex)
        assert_problem(response, 404)
    for url, key in [
        ("/v1/avatars", "avatars"),
        ("/v1/sessions", "sessions"),
        ("/v1/presets", "presets"),
        ("/v1/audios", "audios"),
        ("/v1/renders", "renders"),
        ("/v1/assets", "assets"),
    ]:
        assert client.get(url, headers=globex).json()[key] == [], url
    acme = client.get("/v1/avatars/shared", headers=as_(ACME)).json()
    assert (acme["name"], acme["tenant"]) == ("Acme", "acme")
    asset = client.get("/v1/assets/download?name=logo.png", headers=as_(ACME))
    assert asset.content == b"acme's logo"


def test_an_id_another_tenant_holds_is_free_not_a_conflict(client: TestClient[Litestar]) -> None:
    _acme_world(client)
    made = client.post(
        "/v1/avatars", json={"avatar_id": "shared", "name": "Globex"}, headers=as_(GLOBEX)
    )
    assert made.status_code == 201, made.text
    files = {"file": ("logo.png", b"globex", "image/png")}
    upload = client.post("/v1/assets/upload", files=files, headers=as_(GLOBEX))
    assert upload.status_code == 201, upload.text
    assert client.get("/v1/avatars/shared", headers=as_(ACME)).json()["name"] == "Acme"
    assert client.get("/v1/avatars/shared", headers=as_(GLOBEX)).json()["tenant"] == "globex"
    asset = client.get("/v1/assets/download?name=logo.png", headers=as_(ACME))
    assert asset.content == b"acme's logo"


def test_jobs_are_the_submitting_tenants(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    _acme_world(client)
    body = {"avatar_id": "shared", "text": "Hello", "async": True, **SMALL}
    job = client.post("/v1/render/sequence", json=body, headers=as_(ACME)).json()
    globex = as_(GLOBEX)
    for method, url in [
        ("GET", f"/v1/jobs/{job['job_id']}"),
        ("GET", f"/v1/jobs/{job['job_id']}/deliveries"),
        ("DELETE", f"/v1/jobs/{job['job_id']}"),
    ]:
        assert_problem(client.request(method, url, headers=globex), 404)
    assert client.get("/v1/jobs", headers=globex).json()["jobs"] == []
    mine = client.get(f"/v1/jobs/{job['job_id']}", headers=as_(ACME)).json()
    assert mine["tenant"] == "acme"
    # Globex has no avatar "shared" of its own: its job is refused up front, as a 404.
    assert_problem(client.post("/v1/render/sequence", json=body, headers=globex), 404)


def test_an_admin_key_crosses_tenants_only_when_it_names_one(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    _acme_world(client)
    root = as_(ROOT)
    assert client.get("/v1/avatars", headers=root).json()["avatars"] == []
    assert_problem(client.get("/v1/avatars/shared", headers=root), 404)
    into_acme = as_(ROOT, **{"X-Avatar-Tenant": "acme"})
    assert client.get("/v1/avatars/shared", headers=into_acme).json()["name"] == "Acme"
    renamed = client.patch("/v1/avatars/shared", json={"name": "A2"}, headers=into_acme)
    assert renamed.status_code == 200, renamed.text
    client.post("/v1/avatars", json={"avatar_id": "mine"}, headers=root)
    everywhere = as_(ROOT, **{"X-Avatar-Tenant": "*"})
    listed = client.get("/v1/avatars", headers=everywhere).json()["avatars"]
    assert {(a["avatar_id"], a["tenant"]) for a in listed} == {
        ("shared", "acme"),
        ("mine", "default"),
    }
    assert_problem(
        client.post("/v1/avatars", json={"avatar_id": "x"}, headers=everywhere), 422, "tenant"
    )
    assert_problem(client.get("/v1/avatars/shared", headers=everywhere), 422, "tenant")
    assert_problem(
        client.get("/v1/avatars", headers=as_(ROOT, **{"X-Avatar-Tenant": "Bad/"})), 422, "tenant"
    )


def test_a_key_that_is_not_admin_cannot_name_another_tenant(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    for tenant in ("globex", "*"):
        headers = as_(ACME, **{"X-Avatar-Tenant": tenant})
        assert_problem(client.get("/v1/avatars", headers=headers), 403, "tenant")
    own = client.get("/v1/avatars", headers=as_(ACME, **{"X-Avatar-Tenant": "acme"}))
    assert own.status_code == 200


def test_keys_without_a_tenant_share_the_default_one(client: TestClient[Litestar]) -> None:
    made = client.post("/v1/avatars", json={"avatar_id": "a1"}, headers=as_(PLAIN))
    assert made.json()["tenant"] == "default"
    assert client.get("/v1/avatars/a1", headers=as_(ROOT)).status_code == 200
    assert client.get("/v1/avatars/a1", headers=as_(ACME)).status_code == 404
