"""A real IPython kernel (jupyter_client) to run cells in, with cell ids and in any order."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_client.manager import KernelManager


class Kernel:
    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(cwd=str(cwd), env=env)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def run(self, code: str, cell_id: str | None = None, timeout: float = 120) -> dict[str, Any]:
        """Execute like JupyterLab does (with the cell id); outputs by kind."""
        msg = self.kc.session.msg(
            "execute_request",
            {
                "code": code,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
            metadata={"cellId": cell_id} if cell_id else {},
        )
        self.kc.shell_channel.send(msg)
        msg_id = msg["header"]["msg_id"]
        out: dict[str, Any] = {"stdout": "", "stderr": "", "results": [], "error": None}
        while True:
            m = self.kc.get_iopub_msg(timeout=timeout)
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = m["msg_type"], m["content"]
            if kind == "stream":
                out[content["name"]] += content["text"]
            elif kind in ("execute_result", "display_data"):
                out["results"].append(content["data"])
            elif kind == "error":
                out["error"] = content
            elif kind == "status" and content["execution_state"] == "idle":
                break
        self.kc.get_shell_msg(timeout=timeout)
        return out

    def ok(self, code: str, cell_id: str | None = None) -> dict[str, Any]:
        """Run a cell that must succeed: no exception, no usage error, no red mlver line."""
        out = self.run(code, cell_id)
        assert out["error"] is None, "\n".join(out["error"]["traceback"])
        failed = [
            ln for ln in out["stderr"].splitlines() if ln.startswith(("mlver:", "UsageError"))
        ]
        assert not failed, f"{code!r} failed: {failed}"
        return out

    def value(self, expression: str) -> Any:
        out = self.ok(f"import json as _j; print(_j.dumps({expression}))")
        return json.loads(out["stdout"])

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture
def kernel_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "IPYTHONDIR": str(tmp_path / "ipython"), "PYTHONUNBUFFERED": "1"}


@pytest.fixture
def start_kernel(kernel_env: dict[str, str]) -> Iterator[Any]:
    started: list[Kernel] = []

    def start(cwd: Path, notebook: Path | None = None, **env: str) -> Kernel:
        extra = {"JPY_SESSION_NAME": str(notebook)} if notebook else {}
        k = Kernel(cwd, {**kernel_env, **extra, **env})
        started.append(k)
        return k

    yield start
    for k in started:
        k.close()


def write_notebook(path: Path, sources: list[str]) -> list[str]:
    """A notebook of code cells; returns the cell ids."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "language": "python",
        "display_name": "Python 3",
    }
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)
    return [c.id for c in nb.cells]
