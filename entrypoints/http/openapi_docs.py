"""What the OpenAPI document says beyond what the code's types say: a summary per operation,
a description per field, a realistic example per request body, and problem+json for every
400. Applied to the document as it is served (``document_openapi``, by the render plugins
here: the JSON and YAML documents and the Swagger UI page).

Field descriptions come from ``FIELD_DESCRIPTIONS`` (one meaning per field name across the API)
unless ``SCHEMA_FIELD_DESCRIPTIONS`` gives one for that schema. An operation or field missing
here stays undocumented, and ``tests/http/test_openapi_docs.py`` fails on it.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin, YamlRenderPlugin

from avatar_service.entrypoints.http.openapi_texts import (
    FIELD_DESCRIPTIONS,
    REQUEST_EXAMPLES,
    RESPONSE_MEDIA_TYPES,
    SCHEMA_FIELD_DESCRIPTIONS,
    SUMMARIES,
)
from avatar_service.entrypoints.http.problems import PROBLEM_MEDIA_TYPE

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
PROBLEM_400 = {
    "description": "Bad request: a path or query parameter could not be read",
    "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def document_openapi(document: dict[str, Any]) -> None:
    """Fill summaries, field descriptions, request examples, problem+json 400s and the other
    media types of a response into the OpenAPI document (a dict, as served) in place; what is
    there already stays."""
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method in METHODS:
                _document_operation(operation)
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        for field, prop in schema.get("properties", {}).items():
            text = SCHEMA_FIELD_DESCRIPTIONS.get((name, field)) or FIELD_DESCRIPTIONS.get(field)
            if text and not prop.get("description"):
                prop["description"] = text


def _document_operation(operation: dict[str, Any]) -> None:
    operation_id = operation.get("operationId", "")
    if operation_id in SUMMARIES:
        operation["summary"] = SUMMARIES[operation_id]
    responses = operation.get("responses", {})
    if "400" in responses and PROBLEM_MEDIA_TYPE not in responses["400"].get("content", {}):
        responses["400"] = PROBLEM_400  # Litestar documents its own body; ours is a problem
    for status, media_types in RESPONSE_MEDIA_TYPES.get(operation_id, {}).items():
        content = responses.setdefault(status, {"description": "OK"}).setdefault("content", {})
        for media_type, media in media_types.items():
            content.setdefault(media_type, media)
    if operation_id in REQUEST_EXAMPLES:
        for media in operation.get("requestBody", {}).get("content", {}).values():
            media.setdefault("example", REQUEST_EXAMPLES[operation_id])


class DocumentedJson(JsonRenderPlugin):
    """``/schema/openapi.json``, documented."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        document_openapi(openapi_schema)
        return super().render(request, openapi_schema)


class DocumentedYaml(YamlRenderPlugin):
    """``/schema/openapi.yaml``, documented."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        document_openapi(openapi_schema)
        return super().render(request, openapi_schema)


class DocumentedSwagger(SwaggerRenderPlugin):
    """Swagger UI over the documented document."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        document_openapi(openapi_schema)
        return super().render(request, openapi_schema)


def undocumented(document: dict[str, Any]) -> list[str]:
    """What the served JSON document leaves undocumented: operations without a summary or a
    description, fields without a description, request bodies without an example."""
    missing = []
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            where = f"{method.upper()} {path}"
            for key in ("summary", "description"):
                if not operation.get(key):
                    missing.append(f"{where}: no {key}")
            for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
                if "example" not in media and "examples" not in media:
                    missing.append(f"{where}: no example of its {media_type} body")
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        for field, prop in schema.get("properties", {}).items():
            if not prop.get("description"):
                missing.append(f"schema {name}.{field}: no description")
    return missing
