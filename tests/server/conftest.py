"""A real Jupyter server (pytest-jupyter) with jupyter_mlver enabled, token auth required,
and a store holding real snapshots of two notebooks."""

from __future__ import annotations

import json
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403 - the fixtures and their hooks
from tornado.httpclient import HTTPClientError, HTTPResponse
from traitlets.config import Config

from jupyter_mlver.core.records import KernelInfo
from jupyter_mlver.core.snapshot.take import (
    KernelCapture,
    NotebookDocument,
    SnapshotOptions,
    take_snapshot,
)
from jupyter_mlver.core.store.store import Store

NAMESPACE = "jupyter-mlver"
KERNEL: KernelInfo = {"name": "python3", "language": "python"}


def notebook_bytes(lr: float, extra_cell: str | None = None) -> bytes:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(f"lr = {lr}", execution_count=1),
        nbformat.v4.new_code_cell("print('accuracy', 0.9)", execution_count=2),
    ]
    if extra_cell:
        nb.cells.append(nbformat.v4.new_markdown_cell(extra_cell))
    text: str = nbformat.writes(nb)
    return text.encode()


def snap(store: Store, nb_path: Path | None, message: str, lr: float, **kw: Any) -> str:
    kernel = None
    if nb_path is not None:
        content = notebook_bytes(lr, kw.pop("extra_cell", None))
        nb_path.write_bytes(content)
        kernel = KernelCapture(notebook=NotebookDocument(nb_path, content, "disk", KERNEL))
    options = SnapshotOptions(
        message=message, params={"lr": lr, "epochs": 3}, metrics={"acc": 0.5 + lr}, **kw
    )
    record = take_snapshot(store, options, kernel)
    return str(record["id"])


@pytest.fixture(scope="session")
def seeded_project(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A project folder with a store of 4 real snapshots (made once, copied per test):
    nb/a.ipynb twice (lr 0.01 then 0.1, the second tagged "best"), sub/b.ipynb once,
    and one taken outside any notebook."""
    root = tmp_path_factory.mktemp("seed")
    (root / "nb").mkdir()
    (root / "sub").mkdir()
    (root / "data.csv").write_text("x,y\n1,2\n")
    store_dir = root / ".mlver"
    Store.create(store_dir)
    with Store(store_dir) as store:
        ids = {
            "a1": snap(store, root / "nb" / "a.ipynb", "baseline", 0.01, data=[root / "data.csv"]),
            "b1": snap(store, root / "sub" / "b.ipynb", "other notebook", 0.5),
            "a2": snap(store, root / "nb" / "a.ipynb", "higher lr", 0.1, tags=["best"]),
            "cli": snap(store, None, "from a terminal", 0.2),
        }
        notebook_hash = store.get(ids["a2"])["notebook"]["hash"]
        env_id = store.get(ids["a2"])["environment"]
    return {"root": root, "ids": ids, "notebook_hash": notebook_hash, "environment": env_id}


@pytest.fixture
def project(seeded_project: dict[str, Any], jp_root_dir: Path) -> dict[str, Any]:
    """The seeded project copied into this test's server root."""
    shutil.copytree(seeded_project["root"], jp_root_dir, dirs_exist_ok=True, symlinks=True)
    return {**seeded_project, "root": jp_root_dir}


# Overrides the plugin's fixture of that name, imported above (pytest's way: a redefinition).
@pytest.fixture  # type: ignore[no-redef]
def jp_server_config() -> Config:
    return Config({"ServerApp": {"jpserver_extensions": {"jupyter_mlver": True}}})


Fetch = Callable[..., Awaitable[HTTPResponse]]
#: ``api``: a request's decoded JSON body; ``api_error``: a failing request's status and body.
Api = Callable[..., Awaitable[Any]]
ApiError = Callable[..., Awaitable[tuple[int, dict[str, Any]]]]


@pytest.fixture
def api(jp_fetch: Fetch) -> Api:
    """``await api("snapshots", params={...})`` -> the decoded JSON body (raises on errors)."""

    async def call(*parts: str, method: str = "GET", body: Any = None, **kw: Any) -> Any:
        if body is not None and not isinstance(body, (str, bytes)):
            body = json.dumps(body)
        response = await jp_fetch(NAMESPACE, *parts, method=method, body=body, **kw)
        return json.loads(response.body)

    return call


@pytest.fixture
def api_error(jp_fetch: Fetch) -> ApiError:
    """``status, body = await api_error(...)`` for a request that must fail."""

    async def call(*parts: str, method: str = "GET", body: Any = None, **kw: Any) -> Any:
        if body is not None and not isinstance(body, (str, bytes)):
            body = json.dumps(body)
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch(NAMESPACE, *parts, method=method, body=body, **kw)
        response = info.value.response
        assert response is not None
        return info.value.code, json.loads(response.body)

    return call
