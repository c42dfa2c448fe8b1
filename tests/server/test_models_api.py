"""The model registry's REST API through a real Jupyter server (token auth required)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_mlver.core.models import registry
from jupyter_mlver.core.models.artifacts import prepare_path
from jupyter_mlver.core.models.options import RegistrationOptions
from jupyter_mlver.core.models.records import Gate
from jupyter_mlver.core.store.store import Store
from tests.server.conftest import NAMESPACE, Api, ApiError, Fetch


def _register(root: Path, ids: dict[str, str]) -> None:
    """churn 1..3 from snapshots with acc 0.51, 0.6 and 1.0; production on version 2."""
    with Store(root / ".mlver") as store:
        for key, aliases in (("a1", []), ("a2", ["production"]), ("b1", [])):
            (root / "model.pkl").write_bytes(f"not really a pickle {key}".encode())
            prepared = prepare_path(store, root / "model.pkl", "file")
            registry.register(
                store,
                prepared,
                RegistrationOptions(
                    "churn", gate=Gate("acc"), aliases=aliases, description=f"from {key}"
                ),
                snapshot=ids[key],
            )


@pytest.fixture
def models(project: dict[str, Any]) -> dict[str, Any]:
    _register(project["root"], project["ids"])
    return project


async def test_no_models_yet(project: dict[str, Any], api: Api, jp_root_dir: Path) -> None:
    assert (await api("models"))["models"] == []


async def test_list_and_show_models(models: dict[str, Any], api: Api) -> None:
    listed = await api("models")
    assert listed["models"] == [
        {"name": "churn", "latest": 3, "versions": 3, "aliases": {"production": 2}}
    ]
    detail = await api("models", "churn")
    assert [v["version"] for v in detail["versions"]] == [1, 2, 3]
    assert detail["aliases"] == {"production": 2}
    assert detail["guarded"] == ["production"]
    assert [(e["alias"], e["version"], e["previous"]) for e in detail["events"]] == [
        ("production", 2, None)
    ]
    second = detail["versions"][1]
    snap = detail["snapshots"][second["snapshot"]]
    assert snap["metrics"] == {"acc": 0.6}
    assert snap["message"] == "higher lr"
    assert snap["notebook"] == "nb/a.ipynb"  # relative to the server root
    by_version = await api("models", "churn:2")
    by_alias = await api("models", "churn@production")  # jp_fetch escapes it
    assert by_version == by_alias == {**second, "images": []}  # no serving image built
    assert detail["images"] == {v["id"]: [] for v in detail["versions"]}
    assert by_version["id"]
    assert by_version["schema"] == "mlver.model/1"


async def test_move_alias_guarded_forced_and_rolled_back(
    models: dict[str, Any], api: Api, api_error: ApiError
) -> None:
    status, body = await api_error(
        "models", "churn:1", "aliases", method="POST", body={"alias": "production"}
    )
    assert status == 409
    assert body["code"] == "conflict"
    assert "churn:1 has acc=0.51, worse than acc=0.6 of churn:2" in body["message"]
    assert "--force --reason" in body["hint"]
    status, body = await api_error(
        "models", "churn:1", "aliases", method="POST", body={"alias": "production", "force": True}
    )
    assert (status, body["code"]) == (400, "invalid_input")
    better = await api("models", "churn:3", "aliases", method="POST", body={"alias": "production"})
    assert (better["version"], better["previous"], better["forced"]) == (3, 2, False)
    forced = await api(
        "models",
        "churn:1",
        "aliases",
        method="POST",
        body={"alias": "production", "force": True, "reason": "3 leaks PII"},
    )
    assert (forced["version"], forced["forced"], forced["reason"]) == (1, True, "3 leaks PII")
    back = await api("models", "churn@production", "rollback", method="POST", body={})
    assert (back["version"], back["previous"], back["rollback"]) == (3, 1, True)
    detail = await api("models", "churn")
    assert detail["aliases"] == {"production": 3}
    assert [e["version"] for e in detail["events"]] == [2, 3, 1, 3]


@pytest.mark.parametrize(
    ("parts", "method", "body", "status", "code"),
    [
        (("models", "nope"), "GET", None, 404, "record_not_found"),
        (("models", "churn:9"), "GET", None, 404, "record_not_found"),
        (("models", "churn@staging"), "GET", None, 404, "record_not_found"),
        (("models", "Bad!"), "GET", None, 400, "invalid_input"),
        (("models", "churn:2", "aliases"), "POST", {}, 400, "invalid_input"),
        (("models", "churn:2", "aliases"), "POST", {"alias": "Prod!"}, 400, "invalid_input"),
        (("models", "churn:2", "aliases"), "POST", "not json", 400, "invalid_input"),
        (("models", "churn:2", "aliases"), "POST", {"alias": "x", "force": "y"}, 400, None),
        (("models", "churn", "rollback"), "POST", {}, 400, "invalid_input"),
        (("models", "churn@production", "rollback"), "POST", {}, 400, "invalid_input"),
        (("models", "nope", "versions"), "GET", None, 404, "record_not_found"),
        (("models", "Bad!", "versions"), "GET", None, 400, "invalid_input"),
    ],
)
async def test_errors_are_one_json_line(
    models: dict[str, Any],
    api_error: ApiError,
    parts: tuple[str, ...],
    method: str,
    body: object,
    status: int,
    code: str | None,
) -> None:
    before = _store_records(models["root"])
    got, payload = await api_error(*parts, method=method, body=body)
    assert got == status
    if code:
        assert payload["code"] == code
    assert "\n" not in payload["message"]
    assert _store_records(models["root"]) == before


async def test_versions_of_a_model(models: dict[str, Any], api: Api) -> None:
    listed = await api("models", "churn", "versions")
    assert listed["name"] == "churn"
    assert [(v["number"], v["version"], v["published"]) for v in listed["versions"]] == [
        (1, 1, False),
        (2, 2, False),
        (3, 3, False),
    ]
    second = listed["versions"][1]
    assert second["aliases"] == ["production"]
    assert second["gate"] == {"metric": "acc", "higher_is_better": True, "value": 0.6}
    assert second["author"]["name"]
    assert second["created"].endswith("Z")
    detail = await api("models", "churn")
    assert second["record"] == detail["versions"][1]["id"]
    assert second["snapshot"] == detail["versions"][1]["snapshot"]
    assert [v["published"] for v in detail["versions"]] == [False, False, False]
    assert len(listed["versions"]) == (await api("models"))["models"][0]["versions"]


async def test_writes_need_a_token(models: dict[str, Any], jp_fetch: Fetch) -> None:
    before = _store_records(models["root"])
    for parts in (("models", "churn:3", "aliases"), ("models", "churn@production", "rollback")):
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch(
                NAMESPACE,
                *parts,
                method="POST",
                body=json.dumps({"alias": "production"}),
                headers={"Authorization": ""},
            )
        assert info.value.code == 403
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(NAMESPACE, "models", headers={"Authorization": ""})
    assert info.value.code == 403
    assert _store_records(models["root"]) == before


def _store_records(root: Path) -> list[str]:
    with Store(root / ".mlver") as store:
        return sorted(store.index.record_ids())


async def test_a_versions_serving_images_are_listed(models: dict[str, Any], api: Api) -> None:
    """What ``model build`` records (its real build is in tests/images): a serving image is
    the version's, shown by ``models/<ref>`` and ``models/<name>``, not a snapshot image."""
    with Store(models["root"] / ".mlver") as store:
        version = registry.resolve(store, "churn:2")
        snapshot = store.get(version["snapshot"])
        image = store.put_record(
            {
                "schema": "mlver.image/1",
                "image_id": "sha256:" + "ab" * 32,
                "repo_digests": [],
                "tags": ["churn:2", "churn:production"],
                "base": "project:env-0123456789ab",
                "platform": "linux/amd64",
                "environment": snapshot["environment"],
                "snapshot": snapshot["id"],
                "dockerfile": "0" * 64,
                "lock": "1" * 64,
                "build_log": None,
                "created": "2026-11-30T00:00:00.000Z",
                "build_seconds": 2.5,
                "reused": False,
                "model": {"name": "churn", "version": 2, "record": version["id"]},
            }
        )
    by_version = await api("models", "churn@production")
    assert [i["id"] for i in by_version["images"]] == [image["id"]]
    detail = await api("models", "churn")
    assert [i["tags"] for i in detail["images"][version["id"]]] == [image["tags"]]
    assert sum(len(images) for images in detail["images"].values()) == 1
    shown = await api("snapshots", snapshot["id"])
    assert image["id"] not in [i["id"] for i in shown["images"]]
