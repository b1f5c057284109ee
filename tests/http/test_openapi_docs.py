"""The API docs work offline and document everything: Swagger UI ("try it out") at
``/schema`` with its files served by the service, no external host on the page; every
operation has a summary and a description, every field a description, every request body a
realistic example that the API accepts, and 400s are problem+json."""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from avatar_service.entrypoints.http.openapi_docs import undocumented

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


def document(client: TestClient[Litestar]) -> dict[str, Any]:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_the_docs_page_is_swagger_ui_with_no_external_host(client: TestClient[Litestar]) -> None:
    page = client.get("/schema")
    assert page.status_code == 200
    assert "SwaggerUIBundle" in page.text
    head = page.text.split("spec:", 1)[0]  # the embedded document quotes URLs of its own
    assert not EXTERNAL.search(head), EXTERNAL.findall(head)
    assert "fonts.googleapis" not in page.text and "cdn." not in head
    loaded = re.findall(r"""(?:src|href)=["']([^"']+)["']""", head)
    assert len(loaded) == 4  # favicon, style sheet, two scripts
    for url in loaded:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 100
    assert client.get("/schema/assets/../../etc/passwd").status_code == 404
    assert client.get("/schema/assets/index.html").status_code == 404


def test_cdn_based_doc_pages_are_not_served(client: TestClient[Litestar]) -> None:
    for page in ("/schema/redoc", "/schema/elements", "/schema/rapidoc"):
        assert client.get(page).status_code == 404, page


def test_every_operation_field_and_body_is_documented(client: TestClient[Litestar]) -> None:
    missing = undocumented(document(client))
    assert missing == [], "\n".join(missing)


def test_the_check_catches_an_undocumented_operation_and_field() -> None:
    bare: dict[str, Any] = {
        "paths": {"/x": {"post": {"summary": "X", "requestBody": {"content": {"a/b": {}}}}}},
        "components": {"schemas": {"S": {"properties": {"f": {"type": "string"}}}}},
    }
    assert undocumented(bare) == [
        "POST /x: no description",
        "POST /x: no example of its a/b body",
        "schema S.f: no description",
    ]


def test_no_summary_is_the_handler_name_and_none_repeats(client: TestClient[Litestar]) -> None:
    summaries = [
        operation["summary"]
        for item in document(client)["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "summary" in operation
    ]
    assert len(summaries) == len(set(summaries))
    assert not {"Create", "Frame", "Sequence", "Update"} & set(summaries)


def test_no_generated_examples(client: TestClient[Litestar]) -> None:
    text = client.get("/schema/openapi.json").text
    assert "vmoGjgxiHQOyswaLrqex" not in text
    for item in document(client)["components"]["schemas"].values():
        for prop in item.get("properties", {}).values():
            assert "examples" not in prop


def test_every_400_is_problem_json(client: TestClient[Litestar]) -> None:
    for path, item in document(client)["paths"].items():
        for method, operation in item.items():
            answer = (
                operation.get("responses", {}).get("400") if isinstance(operation, dict) else None
            )
            if answer is not None:
                assert list(answer["content"]) == ["application/problem+json"], (method, path)
    jobs = document(client)["paths"]["/v1/jobs/{job_id}"]["get"]["responses"]["400"]
    assert jobs["content"]["application/problem+json"]["schema"]["$ref"].endswith("/Problem")


def test_every_json_example_is_accepted(client: TestClient[Litestar]) -> None:
    """The examples are requests the API takes (run here on the mock adapters)."""
    assert (
        client.post("/v1/avatars", json={"avatar_id": "av_doc", "name": "doc"}).status_code == 201
    )
    preset = client.post("/v1/presets", json={"preset_id": "pr_doc", "name": "p", "settings": {}})
    assert preset.status_code == 201, preset.text
    ids = {"avatar_id": "av_doc", "preset_id": "pr_doc"}
    assert client.post("/v1/render", json={"avatar_id": "ava"}).status_code == 200  # stores ava
    for path, item in document(client)["paths"].items():
        for method, operation in item.items():
            media = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if media is None:
                continue
            url = path.format(**ids)
            example = {k: v for k, v in media["example"].items() if k != "voice"}  # espeak's
            if example.get("format") == "mp4":
                example["format"] = "gif"  # the mock renderer's only video format
            answer = client.request(method.upper(), url, json=example)
            assert answer.status_code < 400, (method, path, answer.text)


def test_every_curves_export_format_answers_in_a_documented_media_type(
    client: TestClient[Litestar],
) -> None:
    operation = document(client)["paths"]["/v1/lipsync/curves"]["post"]
    documented = set(operation["responses"]["200"]["content"])
    body = {"text": "Bob bought a map.", "curves": ["vrm"], "morph_targets": ["aa"]}
    for export_format in ("json", "csv", "gltf"):
        response = client.post("/v1/lipsync/curves", json={**body, "format": export_format})
        assert response.status_code == 200, response.text
        media_type = response.headers["content-type"].split(";")[0]
        assert media_type in documented, (export_format, media_type, documented)
