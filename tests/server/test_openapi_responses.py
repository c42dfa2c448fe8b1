"""The REST answers match the response schemas of ``server/openapi.yaml``.

The labextension's TypeScript types are generated from those schemas (and the record
schemas they reference), so a field the server sends differently from its schema would
be a type the panel trusts wrongly. OpenAPI 3.0's ``nullable`` is read as JSON Schema's
``null`` type; every other keyword is JSON Schema's.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

import jupyter_mlver.server as server
from tests.server.test_models_api import _register

Api = Callable[..., Awaitable[Any]]
SERVER = Path(server.__file__).parent
SPEC_URI = (SERVER / "openapi.yaml").as_uri()


def _nullable(node: Any) -> Any:
    """OpenAPI 3.0 -> JSON Schema: ``{nullable: true, ...}`` also admits null."""
    if isinstance(node, list):
        return [_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _nullable(value) for key, value in node.items()}
    if out.pop("nullable", False):
        return {"anyOf": [{"type": "null"}, out]}
    return out


def _registry() -> Registry[Any]:
    spec = _nullable(yaml.safe_load((SERVER / "openapi.yaml").read_text()))
    resources = [(SPEC_URI, DRAFT202012.create_resource(spec))]
    for path in (SERVER.parent / "schemas").glob("*.json"):
        schema = json.loads(path.read_text())
        resource: Resource[Any] = Resource.from_contents(schema)
        # Referenced from openapi.yaml by path; its own refs resolve against its $id.
        resources += [(path.as_uri(), resource), (schema["$id"], resource)]
    return Registry().with_resources(resources)


REGISTRY = _registry()
SPEC = REGISTRY.contents(SPEC_URI)


def check(path: str, method: str, status: str, body: Any) -> None:
    """Validate ``body`` against the schema of ``path``'s ``status`` answer."""
    response = SPEC["paths"][path][method]["responses"][status]
    pointer = "/".join(["paths", path.replace("/", "~1"), method, "responses", status])
    assert "content" in response, f"{method.upper()} {path} {status} has no schema"
    ref = {"$ref": f"{SPEC_URI}#/{pointer}/content/application~1json/schema"}
    validator = jsonschema.Draft202012Validator(ref, registry=REGISTRY)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{method.upper()} {path}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in errors[:5]
    )


async def test_snapshot_answers_match_their_schemas(project: dict[str, Any], api: Api) -> None:
    ids = project["ids"]
    check("/snapshots", "get", "200", await api("snapshots"))
    detail = await api("snapshots", ids["a1"])
    check("/snapshots/{ref}", "get", "200", detail)
    assert detail["record"]["data"], "a1 records a data file"
    check("/snapshots/{ref}/files", "get", "200", await api("snapshots", ids["a1"], "files"))
    tagged = await api("snapshots", ids["b1"], "tags", method="POST", body={"name": "t-1"})
    check("/snapshots/{ref}/tags", "post", "201", tagged)
    diff = await api("diff", params={"a": ids["a1"], "b": ids["a2"]})
    check("/diff", "get", "200", diff)
    check("/experiments", "get", "200", await api("experiments"))


async def test_model_answers_match_their_schemas(project: dict[str, Any], api: Api) -> None:
    _register(project["root"], project["ids"])
    check("/models", "get", "200", await api("models"))
    check("/models/{ref}", "get", "200", await api("models", "churn"))
    check("/models/{ref}", "get", "200", await api("models", "churn:2"))
    check("/models/{ref}/versions", "get", "200", await api("models", "churn", "versions"))
    moved = await api("models", "churn:3", "aliases", method="POST", body={"alias": "production"})
    check("/models/{ref}/aliases", "post", "201", moved)
    back = await api("models", "churn@production", "rollback", method="POST", body={})
    check("/models/{ref}/rollback", "post", "201", back)
    table = await api("governance", params={"live": "0"})
    assert [m["name"] for m in table["models"]] == ["churn"]
    check("/governance", "get", "200", table)


def test_a_wrong_answer_is_caught() -> None:
    page = {"snapshots": [], "total": "four", "offset": 0, "limit": 50, "latest": None}
    with pytest.raises(AssertionError, match="total: 'four' is not of type 'integer'"):
        check("/snapshots", "get", "200", {**page, "generation": 1, "store": "/s"})
