"""Saying when JupyterLab has no ML Versions panel: the server's log at start, ``GET frontend``,
and ``%load_ext jupyter_mlver`` in a kernel the server started (asked over the REST API),
with a real JupyterLab app whose labextension directory the test controls."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.jsonutil import json_default
from jupyter_client.session import Session
from traitlets.config import Config

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def labextensions(tmp_path: Path) -> Path:
    """JupyterLab's only labextension directory (empty: no panel)."""
    path = tmp_path / "labextensions"
    path.mkdir()
    return path


@pytest.fixture
def jp_server_config(labextensions: Path) -> Config:
    return Config(
        {
            "ServerApp": {"jpserver_extensions": {"jupyter_mlver": True, "jupyterlab": True}},
            "LabApp": {"labextensions_path": [str(labextensions)], "extra_labextensions_path": []},
        }
    )


def _install(labextensions: Path) -> None:
    """What JupyterLab looks for: the package's ``package.json`` in ``jupyter_mlver/``."""
    (labextensions / "jupyter_mlver").mkdir()
    shutil.copy(REPO / "labextension" / "package.json", labextensions / "jupyter_mlver")


async def test_without_the_labextension_the_log_and_the_api_say_what_to_do(
    capfd: pytest.CaptureFixture[str], api: Any, labextensions: Path
) -> None:
    # The server logs it while it loads its extensions (here before its log has a handler,
    # so the warning reaches stderr as it is).
    logged = capfd.readouterr().err
    assert "jupyter_mlver: the ML Versions panel (jupyter_mlver's JupyterLab extension)" in logged
    body = await api("frontend")
    assert (body["lab"], body["installed"], body["paths"]) == (True, False, [str(labextensions)])
    assert "is not installed in this JupyterLab" in body["message"]
    assert "make lab" in body["message"]
    assert "pip install jupyter_mlver" in body["message"]


async def test_with_the_labextension_nothing_is_said(api: Any, labextensions: Path) -> None:
    _install(labextensions)
    body = await api("frontend")
    assert (body["installed"], body["message"]) == (True, None)


async def _execute(jp_fetch: Any, jp_ws_fetch: Any, code: str) -> dict[str, str]:
    """Run ``code`` in a new kernel of the server, over its websocket; its streams."""
    r = await jp_fetch("api", "kernels", method="POST", body=json.dumps({"name": "python3"}))
    kernel = json.loads(r.body)["id"]
    ws = await jp_ws_fetch("api", "kernels", kernel, "channels")
    request = Session().msg("execute_request", {"code": code, "silent": False})
    ws.write_message(json.dumps({**request, "channel": "shell"}, default=json_default))
    streams = {"stdout": "", "stderr": ""}
    while True:
        message = json.loads(await ws.read_message())
        if message["parent_header"].get("msg_id") != request["header"]["msg_id"]:
            continue
        if message["msg_type"] == "stream":
            streams[message["content"]["name"]] += message["content"]["text"]
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            break
    ws.close()
    await jp_fetch("api", "kernels", kernel, method="DELETE")
    return streams


async def test_load_ext_in_a_kernel_of_that_server_says_it(
    jp_serverapp: Any, jp_fetch: Any, jp_ws_fetch: Any, labextensions: Path
) -> None:
    # `jupyter lab` writes the file a kernel finds its server by; the test's server does not.
    jp_serverapp.write_server_info_file()
    said = await _execute(jp_fetch, jp_ws_fetch, "%load_ext jupyter_mlver")
    assert said["stderr"].startswith("jupyter_mlver: the ML Versions panel "), said
    assert "make lab" in said["stderr"]
    _install(labextensions)
    said = await _execute(jp_fetch, jp_ws_fetch, "%load_ext jupyter_mlver")
    assert said["stderr"] == "", said
