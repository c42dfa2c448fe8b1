"""The REST API through a real Jupyter server with token auth."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from jupyter_server.utils import url_path_join
from tornado.httpclient import AsyncHTTPClient, HTTPClientError

from jupyter_mlver.core.store.store import Store

from .conftest import NAMESPACE, Api, ApiError, Fetch, snap


async def test_list_is_newest_first_with_total_and_summaries(
    project: dict[str, Any], api: Api
) -> None:
    ids = project["ids"]
    page = await api("snapshots")
    assert page["total"] == 4
    assert [s["id"] for s in page["snapshots"]] == [ids["cli"], ids["a2"], ids["b1"], ids["a1"]]
    assert page["latest"] == ids["cli"]
    first_a = page["snapshots"][3]
    assert first_a["message"] == "baseline"
    assert first_a["params"] == {"lr": 0.01, "epochs": 3}
    assert first_a["notebook"] == "nb/a.ipynb"
    assert first_a["data_files"] == 1
    assert page["snapshots"][1]["tags"] == ["best"]
    assert page["snapshots"][0]["notebook"] is None
    assert page["generation"] > 0


async def test_list_of_one_notebook_and_all(project: dict[str, Any], api: Api) -> None:
    ids = project["ids"]
    page = await api("snapshots", params={"notebook": "nb/a.ipynb"})
    assert [s["id"] for s in page["snapshots"]] == [ids["a2"], ids["a1"]]
    assert page["total"] == 2
    everything = await api("snapshots", params={"notebook": "nb/a.ipynb", "all": "1"})
    assert everything["total"] == 4


async def test_list_filters_by_text_and_tag(project: dict[str, Any], api: Api) -> None:
    ids = project["ids"]
    by_text = await api("snapshots", params={"q": "OTHER"})
    assert [s["id"] for s in by_text["snapshots"]] == [ids["b1"]]
    by_tag = await api("snapshots", params={"tag": "best"})
    assert [s["id"] for s in by_tag["snapshots"]] == [ids["a2"]]
    assert (await api("snapshots", params={"tag": "nope"}))["total"] == 0


async def test_list_pages_and_cheap_poll(project: dict[str, Any], api: Api) -> None:
    ids = project["ids"]
    page = await api("snapshots", params={"limit": "2", "offset": "1"})
    assert [s["id"] for s in page["snapshots"]] == [ids["a2"], ids["b1"]]
    assert page["total"] == 4
    assert page["latest"] == ids["cli"]
    poll = await api("snapshots", params={"limit": "0"})
    assert poll["snapshots"] == []
    assert (poll["total"], poll["latest"]) == (4, ids["cli"])


async def test_poll_sees_a_new_snapshot_and_a_new_tag(project: dict[str, Any], api: Api) -> None:
    before = await api("snapshots", params={"limit": "0", "notebook": "nb/a.ipynb"})
    with Store(project["root"] / ".mlver") as store:
        new_id = snap(store, project["root"] / "nb" / "a.ipynb", "third", 0.3)
    after = await api("snapshots", params={"limit": "0", "notebook": "nb/a.ipynb"})
    assert after["total"] == before["total"] + 1
    assert after["latest"] == new_id
    assert after["generation"] != before["generation"]
    await api(f"snapshots/{new_id}/tags", method="POST", body={"name": "third"})
    tagged = await api("snapshots", params={"limit": "0", "notebook": "nb/a.ipynb"})
    assert tagged["generation"] != after["generation"]


@pytest.mark.parametrize(
    "params",
    [{"limit": "abc"}, {"limit": "-1"}, {"limit": "100000"}, {"offset": "-3"}, {"offset": "x"}],
)
async def test_list_bad_parameters_are_400(
    project: dict[str, Any], api_error: ApiError, params: dict[str, str]
) -> None:
    status, body = await api_error("snapshots", params=params)
    assert status == 400
    assert body["code"] == "invalid_input"
    assert next(iter(params)) in body["message"]


@pytest.mark.parametrize("path", ["../outside.ipynb", "/etc/passwd", "nb/../../x.ipynb", "~/x"])
async def test_paths_outside_the_root_are_refused(
    project: dict[str, Any], api_error: ApiError, path: str
) -> None:
    status, body = await api_error("snapshots", params={"notebook": path})
    assert status == 403
    assert body["code"] == "forbidden"


async def test_a_symlink_out_of_the_root_is_refused(
    project: dict[str, Any], api_error: ApiError, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (project["root"] / "link").symlink_to(outside, target_is_directory=True)
    status, _ = await api_error("snapshots", params={"notebook": "link/x.ipynb"})
    assert status == 403


async def test_requests_without_a_token_are_403(project: dict[str, Any], jp_fetch: Fetch) -> None:
    for method, parts, body in [
        ("GET", ("snapshots",), None),
        ("GET", ("snapshots", "HEAD"), None),
        ("GET", ("diff",), None),
        ("POST", ("snapshots", "HEAD", "tags"), json.dumps({"name": "x"})),
        ("POST", ("images",), json.dumps({"snapshot": "HEAD"})),
        ("GET", ("jobs",), None),
    ]:
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch(
                NAMESPACE, *parts, method=method, body=body, headers={"Authorization": ""}
            )
        assert info.value.code == 403, (method, parts)
    with Store(project["root"] / ".mlver") as store:
        assert store.index.tag_target("x") is None


async def test_no_store_yet_lists_nothing_and_show_is_404(
    jp_root_dir: Path, api: Api, api_error: ApiError
) -> None:
    page = await api("snapshots")
    assert (page["total"], page["snapshots"], page["latest"]) == (0, [], None)
    assert page["store"] == str(jp_root_dir / ".mlver")
    status, body = await api_error("snapshots/HEAD")
    assert status == 404
    assert body["code"] == "record_not_found"
    assert not (jp_root_dir / ".mlver").exists()  # reading never creates a store


async def test_show_a_snapshot_with_environment_and_tags(project: dict[str, Any], api: Api) -> None:
    ids = project["ids"]
    shown = await api(f"snapshots/{ids['a2'][:10]}")
    assert shown["record"]["id"] == ids["a2"]
    assert shown["record"]["params"] == {"lr": 0.1, "epochs": 3}
    assert shown["tags"] == ["best"]
    assert shown["environment"]["id"] == project["environment"]
    assert shown["environment"]["python"]["version"]
    assert shown["images"] == []
    assert shown["notebook_path"] == "nb/a.ipynb"
    by_tag = await api("snapshots/best")
    assert by_tag["record"]["id"] == ids["a2"]


async def test_head_follows_the_notebook(project: dict[str, Any], api: Api) -> None:
    ids = project["ids"]
    assert (await api("snapshots/HEAD"))["record"]["id"] == ids["cli"]
    of_a = await api("snapshots/HEAD", params={"notebook": "nb/a.ipynb"})
    assert of_a["record"]["id"] == ids["a2"]
    parent = await api("snapshots/HEAD~1", params={"notebook": "nb/a.ipynb"})
    assert parent["record"]["id"] == ids["a1"]


@pytest.mark.parametrize(
    ("ref", "status", "code"),
    [
        ("ffffffffffff", 404, "record_not_found"),
        ("no-such-tag", 404, "record_not_found"),
        ("abc", 400, "invalid_input"),
        ("HEAD~9", 404, "record_not_found"),
    ],
)
async def test_show_errors(
    project: dict[str, Any], api_error: ApiError, ref: str, status: int, code: str | None
) -> None:
    got, body = await api_error(f"snapshots/{ref}")
    assert (got, body["code"]) == (status, code)
    assert body["message"]


async def test_stored_notebook(project: dict[str, Any], api: Api, api_error: ApiError) -> None:
    nb = await api(f"notebooks/{project['notebook_hash']}")
    assert nb["nbformat"] == 4
    assert "".join(nb["cells"][0]["source"]) == "lr = 0.1"
    assert (await api_error("notebooks/not-a-hash"))[0] == 400
    assert (await api_error("notebooks/" + "0" * 64))[0] == 404
    # an object that exists but is a record, not a notebook
    status, body = await api_error(f"notebooks/{project['environment']}")
    assert status == 404
    assert "not a notebook" in body["message"]


async def test_add_a_tag(project: dict[str, Any], api: Api, api_error: ApiError) -> None:
    ids = project["ids"]
    added = await api(f"snapshots/{ids['a1'][:8]}/tags", method="POST", body={"name": "v1.0"})
    assert added == {"name": "v1.0", "snapshot": ids["a1"], "tags": ["v1.0"]}
    assert (await api(f"snapshots/{ids['a1']}"))["tags"] == ["v1.0"]
    # the same tag again on the same snapshot is fine; on another one it conflicts
    await api(f"snapshots/{ids['a1']}/tags", method="POST", body={"name": "v1.0"})
    status, body = await api_error(
        f"snapshots/{ids['b1']}/tags", method="POST", body={"name": "v1.0"}
    )
    assert (status, body["code"]) == (409, "conflict")
    assert body["hint"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"name": "bad name"}, 400),
        ({"name": "HEAD"}, 400),
        ({}, 400),
        ({"name": 7}, 400),
        ("not json", 400),
        ("[1, 2]", 400),
    ],
)
async def test_tag_bad_requests(
    project: dict[str, Any], api_error: ApiError, body: object, status: int
) -> None:
    got, reply = await api_error("snapshots/HEAD/tags", method="POST", body=body)
    assert got == status
    assert reply["code"] == "invalid_input"


async def test_tag_unknown_snapshot_is_404(project: dict[str, Any], api_error: ApiError) -> None:
    status, _ = await api_error("snapshots/deadbeef/tags", method="POST", body={"name": "x"})
    assert status == 404


async def test_diff_parameters(project: dict[str, Any], api_error: ApiError) -> None:
    assert (await api_error("diff", params={"a": "HEAD"}))[0] == 400
    status, body = await api_error("diff", params={"a": "HEAD", "b": "ffffffff"})
    assert (status, body["code"]) == (404, "record_not_found")
    status, _ = await api_error("diff", params={"a": "HEAD", "b": "best", "notebook": "../x"})
    assert status == 403


async def test_diff_of_two_snapshots(project: dict[str, Any], api: Api) -> None:
    ids = project["ids"]
    diff = await api("diff", params={"a": ids["a1"], "b": "best"})
    assert diff["schema"] == "mlver.diff/1"
    assert (diff["a"]["id"], diff["b"]["id"]) == (ids["a1"], ids["a2"])
    lr = next(p for p in diff["params"] if p["key"] == "lr")
    assert (lr["a"], lr["b"], lr["status"]) == (0.01, 0.1, "changed")
    epochs = next(p for p in diff["params"] if p["key"] == "epochs")
    assert epochs["status"] == "unchanged"


async def test_images_bad_requests(project: dict[str, Any], api_error: ApiError) -> None:
    assert (await api_error("images", method="POST", body={}))[0] == 400
    assert (await api_error("images", method="POST", body={"snapshot": 3}))[0] == 400
    body = {"snapshot": "HEAD", "no_cache": "yes"}
    assert (await api_error("images", method="POST", body=body))[0] == 400
    status, reply = await api_error("images", method="POST", body={"snapshot": "ffffffff"})
    assert status in (404, 501)
    assert reply["code"] in ("record_not_found", "not_implemented")


async def test_unknown_job_is_404(project: dict[str, Any], api: Api, api_error: ApiError) -> None:
    status, body = await api_error("jobs/0123")
    assert (status, body["code"]) == (404, "record_not_found")
    assert (await api("jobs"))["jobs"] == []


async def test_info(project: dict[str, Any], api: Api) -> None:
    info = await api("info")
    assert info["store"] == str(project["root"] / ".mlver")
    assert info["store_exists"] is True
    assert set(info["features"]) == {"diff", "images"}


async def test_the_server_resolves_the_store_like_the_kernel(
    tmp_path: Path, jp_root_dir: Path, api: Any
) -> None:
    """A store above the server root (make lab: root notebooks/, store at the project root):
    records keep store-relative paths, the API speaks server-relative ones."""
    # jp_root_dir is <tmp>/root_dir: put the store in <tmp> and the notebook under the root.
    store_dir = jp_root_dir.parent / ".mlver"
    Store.create(store_dir)
    with Store(store_dir) as store:
        rid = snap(store, jp_root_dir / "q.ipynb", "above", 0.2)
        assert store.get(rid)["notebook"]["path"] == f"{jp_root_dir.name}/q.ipynb"
    page = await api("snapshots", params={"notebook": "q.ipynb"})
    assert [s["id"] for s in page["snapshots"]] == [rid]
    assert page["snapshots"][0]["notebook"] == "q.ipynb"
    shown = await api("snapshots/HEAD", params={"notebook": "q.ipynb"})
    assert shown["notebook_path"] == "q.ipynb"


async def test_routes_live_under_the_base_url(
    project: dict[str, Any], http_server_client: AsyncHTTPClient, jp_auth_header: dict[str, str]
) -> None:
    """pytest-jupyter serves under /a%40b/: the API is there and not at the bare path."""
    with pytest.raises(HTTPClientError) as info:
        await http_server_client.fetch(f"/{NAMESPACE}/snapshots", headers=jp_auth_header)
    assert info.value.code == 404
    response = await http_server_client.fetch(
        url_path_join("/a%40b/", NAMESPACE, "snapshots"), headers=jp_auth_header
    )
    assert json.loads(response.body)["total"] == 4


def test_extension_points_are_declared() -> None:
    import jupyter_mlver

    assert jupyter_mlver._jupyter_server_extension_points() == [{"module": "jupyter_mlver.server"}]
    labext = jupyter_mlver._jupyter_labextension_paths()[0]
    assert labext["dest"] == "jupyter_mlver"
    assert os.path.basename(labext["src"]) == "labextension"


def test_openapi_describes_every_route() -> None:
    import re

    import yaml

    from jupyter_mlver.server import routes

    spec_path = Path(routes.__file__).with_name("openapi.yaml")
    spec = yaml.safe_load(spec_path.read_text())
    assert spec["openapi"].startswith("3.")
    documented = {re.sub(r"\{[^}]+\}", "{x}", d) for d in spec["paths"]}
    served = {
        re.sub(r"\(\?P<[a-z_]+>[^)]*\)", "{x}", pattern.removeprefix("/jupyter-mlver"))
        for pattern, _ in routes.route_table("/")
    }
    assert served == documented
    assert len(served) == 20


async def test_pushed_state_per_record(project: dict[str, Any], api: Api, tmp_path: Path) -> None:
    from jupyter_mlver.core import remote

    ids = project["ids"]
    with Store(project["root"] / ".mlver") as store:
        remote.add_remote(store, "team", str(tmp_path / "team-remote"))
        page = await api("snapshots")
        assert all(s["pushed"] == [] for s in page["snapshots"])
        remote.push(store, "team", [ids["a1"]], data=False)  # a1 has a data file
        remote.push(store, "team", [ids["a2"]])
    page = await api("snapshots")
    pushed = {s["id"]: s["pushed"] for s in page["snapshots"]}
    assert pushed == {ids["a1"]: ["team"], ids["a2"]: ["team"], ids["b1"]: [], ids["cli"]: []}
    assert (await api("snapshots", ids["a1"]))["remotes"] == [
        {"name": "team", "pushed": True, "data": False}
    ]
    assert (await api("snapshots", ids["a2"]))["remotes"] == [
        {"name": "team", "pushed": True, "data": True}
    ]
    assert (await api("snapshots", ids["b1"]))["remotes"] == [
        {"name": "team", "pushed": False, "data": False}
    ]


async def test_files_of_a_directory_come_in_pages(project: dict[str, Any], api: Api) -> None:
    """A directory is one tree in the record; the files endpoint pages through it."""
    root = project["root"]
    (root / "big" / "sub").mkdir(parents=True)
    for i in range(30):
        (root / "big" / f"f{i:02}.csv").write_text(f"{i}\n")
    (root / "big" / "sub" / "z.csv").write_text("z\n")
    with Store(root / ".mlver") as store:
        rid = snap(store, None, "a directory", 0.4, data=[root / "big", root / "data.csv"])
    detail = await api(f"snapshots/{rid}")
    kinds = {d["path"]: d.get("kind") for d in detail["record"]["data"]}
    assert kinds == {"big": "tree", "data.csv": None}
    first = await api(f"snapshots/{rid}/files", params={"limit": "10"})
    assert first["total"] == 32
    assert [f["path"] for f in first["files"]] == [f"big/f{i:02}.csv" for i in range(10)]
    last = await api(f"snapshots/{rid}/files", params={"limit": "10", "offset": "30"})
    assert [f["path"] for f in last["files"]] == ["big/sub/z.csv", "data.csv"]
    assert all(f["stored"] and len(f["hash"]) == 64 for f in last["files"])
    sub = await api(f"snapshots/{rid}/files", params={"path": "big/sub"})
    assert (sub["total"], [f["path"] for f in sub["files"]]) == (1, ["big/sub/z.csv"])
    with pytest.raises(HTTPClientError) as err:
        await api(f"snapshots/{rid}/files", params={"limit": "0"})
    assert err.value.code == 400
