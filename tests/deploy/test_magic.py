"""``%mlver deploy …``: the same declarations through a real kernel."""

from __future__ import annotations

import os

from tests.deploy.conftest import free_port
from tests.deploy.fleet import Fleet
from tests.deploy.traffic import Client
from tests.kernel.conftest import Kernel


def test_deploy_from_a_notebook(fleet: Fleet, tmp_path: object) -> None:
    d, port = f"{fleet.name}-nb", free_port()
    kernel = Kernel(fleet.root, {**os.environ, **fleet.env, "PYTHONUNBUFFERED": "1"})
    try:
        kernel.ok("%load_ext jupyter_mlver")
        out = kernel.ok(f"%mlver deploy {fleet.name}:1 --name {d} --port {port}")
        assert f"deployed {fleet.name}:1 in deployment {d}" in out["results"][0]["text/plain"]
        assert Client(port, fleet.name).versions(10) == {"1": 10}
        shown = kernel.ok(f"%mlver deploy status {d} --no-drift")["results"][0]
        table = shown["text/plain"]
        assert "VERSION" in table
        assert "100%" in table
        assert '<table class="mlver-table">' in shown["text/html"]  # a table, not the text
        assert '<td class="mlver-num">100%</td>' in shown["text/html"]
        missing = kernel.run("%mlver deploy status nope")
        assert missing["error"] is None
        assert "no deployment named 'nope'" in missing["stderr"]
        kernel.ok(f"%mlver deploy stop {d}")
        history = kernel.ok(f"%mlver deploy history {d}")["results"][0]["text/plain"]
        assert "deployed" in history
        assert "stopped" in history
    finally:
        kernel.close()
