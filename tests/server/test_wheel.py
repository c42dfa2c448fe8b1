"""The built wheel, installed with plain pip into a fresh virtual environment without Node,
enables the server extension and the prebuilt JupyterLab extension by itself."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILT = REPO / "jupyter_mlver" / "labextension" / "static" / "style.js"


def run(args: list[str], env: dict[str, str], cwd: Path | None = None) -> str:
    proc = subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd, timeout=900)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)  # no colours


@pytest.mark.slow
def test_wheel_installs_enabled_extensions_without_node(tmp_path: Path) -> None:
    if not BUILT.exists():
        pytest.fail("build the labextension first (`make labextension`; `make test` does)")
    dist = tmp_path / "dist"
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(REPO)],
        env=base_env,
    )
    (wheel,) = dist.glob("jupyter_mlver-*.whl")

    target = tmp_path / "fresh"
    venv.create(target, with_pip=True)
    bin_dir = target / "bin"
    # Only the fresh environment's bin on PATH (plus the system's basic tools): no Node.
    path = os.pathsep.join([str(bin_dir), "/usr/local/sbin", "/usr/sbin", "/sbin"])
    assert shutil.which("node", path=path) is None
    env = {
        **base_env,
        "PATH": path,
        "HOME": str(tmp_path / "home"),
        "VIRTUAL_ENV": str(target),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    jupyterlab = next(
        line.split(";")[0].strip().strip('"').strip(",").strip('"')
        for line in (REPO / "pyproject.toml").read_text().splitlines()
        if line.strip().startswith('"jupyterlab==')
    )
    run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel), jupyterlab], env=env)

    servers = run([str(bin_dir / "jupyter"), "server", "extension", "list"], env=env, cwd=tmp_path)
    assert "jupyter_mlver enabled" in servers, servers
    assert re.search(r"jupyter_mlver \S+ OK", servers), servers
    labs = run([str(bin_dir / "jupyter"), "labextension", "list"], env=env, cwd=tmp_path)
    line = next((ln for ln in labs.splitlines() if "jupyter_mlver" in ln), "")
    assert "enabled" in line, labs
    assert "OK" in line, labs
    assert "(python, jupyter_mlver)" in line, labs
    shared = target / "share" / "jupyter" / "labextensions" / "jupyter_mlver"
    assert (shared / "static" / "style.js").is_file()
    assert (shared / "install.json").is_file()
