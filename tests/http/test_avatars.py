"""Avatar CRUD and state: ids, conflicts, validation naming the field, ETag/If-Match, cascade."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

ProblemCheck = Callable[..., dict[str, Any]]
AVATAR_FIELDS = {
    "avatar_id",
    "name",
    "state",
    "version",
    "created_at",
    "updated_at",
    "tenant",
}


def _create(client: TestClient[Litestar], **body: Any) -> dict[str, Any]:
    response = client.post("/v1/avatars", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def test_create_returns_the_avatar_with_etag_and_location(client: TestClient[Litestar]) -> None:
    response = client.post(
        "/v1/avatars", json={"avatar_id": "ada", "name": "Ada", "state": {"hair_color": "#AA3300"}}
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == AVATAR_FIELDS
    assert body["avatar_id"] == "ada"
    assert body["name"] == "Ada"
    assert body["version"] == 1
    assert body["state"]["hair_color"] == "#aa3300"
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == "/v1/avatars/ada"
    assert client.get("/v1/avatars/ada").json() == body


def test_create_without_id_generates_one(client: TestClient[Litestar]) -> None:
    assert _create(client)["avatar_id"]


def test_duplicate_avatar_id_is_409(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    _create(client, avatar_id="ada")
    assert_problem(client.post("/v1/avatars", json={"avatar_id": "ada"}), 409)


def test_unknown_avatar_is_404(client: TestClient[Litestar], assert_problem: ProblemCheck) -> None:
    assert_problem(client.get("/v1/avatars/ghost"), 404)
    assert_problem(client.get("/v1/avatars/ghost/state"), 404)
    assert_problem(client.delete("/v1/avatars/ghost"), 404)


def test_invalid_state_colour_is_422_naming_the_field(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    response = client.post("/v1/avatars", json={"state": {"hair_color": "red"}})
    assert_problem(response, 422, field="state.hair_color")
    _create(client, avatar_id="ada")
    response = client.put("/v1/avatars/ada/state", json={"eye_color": "blue"})
    assert_problem(response, 422, field="state.eye_color")
    response = client.patch("/v1/avatars/ada/state", json={"wings": True})
    assert_problem(response, 422, field="state.wings")


def test_invalid_avatar_id_is_422(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    assert_problem(client.post("/v1/avatars", json={"avatar_id": "../x"}), 422, field="avatar_id")


def test_list_pages_through_avatars(client: TestClient[Litestar]) -> None:
    for name in ("a1", "a2", "a3"):
        _create(client, avatar_id=name)
    first = client.get("/v1/avatars", params={"limit": 2}).json()
    assert [a["avatar_id"] for a in first["avatars"]] == ["a1", "a2"]
    assert first["count"] == 2
    assert first["next_cursor"]
    rest = client.get("/v1/avatars", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [a["avatar_id"] for a in rest["avatars"]] == ["a3"]
    assert rest["next_cursor"] is None


def test_list_limit_out_of_range_is_422(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    assert_problem(client.get("/v1/avatars", params={"limit": 0}), 422, field="limit")
    assert_problem(client.get("/v1/avatars", params={"limit": "many"}), 422, field="limit")


def test_rename_changes_the_name_and_version(client: TestClient[Litestar]) -> None:
    _create(client, avatar_id="ada")
    response = client.patch("/v1/avatars/ada", json={"name": "Lovelace"})
    assert response.status_code == 200
    assert response.json()["name"] == "Lovelace"
    assert response.headers["etag"] == '"2"'


def test_state_get_carries_a_strong_version_etag(client: TestClient[Litestar]) -> None:
    _create(client, avatar_id="ada")
    response = client.get("/v1/avatars/ada/state")
    assert response.status_code == 200
    body = response.json()
    assert body["avatar_id"] == "ada"
    assert body["version"] == 1
    assert body["state"]["hair_style"] == "short"
    assert response.headers["etag"] == '"1"'
    again = client.get("/v1/avatars/ada/state", headers={"If-None-Match": '"1"'})
    assert again.status_code == 304
    assert again.content == b""


def test_put_state_with_a_stale_if_match_is_412(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    _create(client, avatar_id="ada")
    client.patch("/v1/avatars/ada/state", json={"expression": "happy"})  # now version 2
    response = client.put(
        "/v1/avatars/ada/state", json={"hair_style": "long"}, headers={"If-Match": '"1"'}
    )
    assert_problem(response, 412)
    assert client.get("/v1/avatars/ada/state").json()["state"]["hair_style"] == "short"


def test_put_state_with_the_current_if_match_succeeds(client: TestClient[Litestar]) -> None:
    _create(client, avatar_id="ada", state={"expression": "sad"})
    etag = client.get("/v1/avatars/ada/state").headers["etag"]
    response = client.put(
        "/v1/avatars/ada/state", json={"hair_style": "long"}, headers={"If-Match": etag}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"]["hair_style"] == "long"
    assert body["state"]["expression"] == "neutral"  # PUT replaces: omitted fields default
    assert body["version"] == 2
    assert response.headers["etag"] == '"2"'


def test_if_match_star_or_absent_is_unconditional(client: TestClient[Litestar]) -> None:
    _create(client, avatar_id="ada")
    assert (
        client.put("/v1/avatars/ada/state", json={}, headers={"If-Match": "*"}).status_code == 200
    )
    assert client.put("/v1/avatars/ada/state", json={}).status_code == 200


def test_if_match_that_is_no_version_is_412(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    _create(client, avatar_id="ada")
    for tag in ('W/"1"', '"abc"', "garbage"):
        response = client.patch("/v1/avatars/ada/state", json={}, headers={"If-Match": tag})
        assert_problem(response, 412)


def test_patch_state_is_a_merge_patch_where_null_resets(client: TestClient[Litestar]) -> None:
    _create(client, avatar_id="ada", state={"hair_color": "#aa3300", "accessories": ["glasses"]})
    response = client.patch(
        "/v1/avatars/ada/state",
        content=b'{"accessories": null, "expression": "happy"}',
        headers={"Content-Type": "application/merge-patch+json", "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    state = response.json()["state"]
    assert state["accessories"] == []
    assert state["expression"] == "happy"
    assert state["hair_color"] == "#aa3300"
    assert response.headers["etag"] == '"2"'


def test_patch_state_accepts_plain_json(client: TestClient[Litestar]) -> None:
    _create(client, avatar_id="ada")
    response = client.patch("/v1/avatars/ada/state", json={"hair_style": "bun"})
    assert response.status_code == 200
    assert response.json()["state"]["hair_style"] == "bun"


def test_state_body_must_be_an_object(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    _create(client, avatar_id="ada")
    assert_problem(client.put("/v1/avatars/ada/state", json=["short"]), 422)


def test_delete_cascades_to_the_avatars_audio(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    _create(client, avatar_id="ada")
    audio_url = client.post("/v1/lipsync", json={"text": "hi", "avatar_id": "ada"}).json()[
        "audio_url"
    ]
    other_url = client.post("/v1/lipsync", json={"text": "hi"}).json()["audio_url"]
    assert client.get(audio_url).status_code == 200
    response = client.delete("/v1/avatars/ada")
    assert response.status_code == 204
    assert response.content == b""
    assert_problem(client.get("/v1/avatars/ada"), 404)
    assert_problem(client.get(audio_url), 404)
    assert client.get(other_url).status_code == 200


def test_rename_honours_if_match(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    _create(client, avatar_id="ada")
    stale = client.patch("/v1/avatars/ada", json={"name": "B"}, headers={"If-Match": '"7"'})
    assert_problem(stale, 412)
    current = client.patch("/v1/avatars/ada", json={"name": "B"}, headers={"If-Match": '"1"'})
    assert current.status_code == 200


def test_if_match_list_succeeds_when_it_names_the_current_version(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    _create(client, avatar_id="ada")
    listed = client.put("/v1/avatars/ada/state", json={}, headers={"If-Match": '"5", "1"'})
    assert listed.status_code == 200
    assert listed.headers["etag"] == '"2"'
    stale = client.put("/v1/avatars/ada/state", json={}, headers={"If-Match": '"5", "1"'})
    assert_problem(stale, 412)
