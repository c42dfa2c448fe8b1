"""A kernel in a small virtual environment of its own, shared by every test of a session that
runs a notebook whose environment becomes an image (reproduce, the lifecycle notebook): the
same packages give the same environment fingerprint, so its image is built once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: The kernel's environment: what the quickstart imports, a kernel, nbclient to run
#: notebooks, and jupyter_mlver itself (for %mlver). The test base image has this
#: interpreter's Python, so nothing is pinned back for an older one.
KERNEL_PACKAGES = (
    "ipykernel",
    "nbclient",
    "numpy==2.4.6",
    "pandas==3.1.1",
    "scikit-learn==1.9.1",
)


def make_kernel_venv(venv: Path) -> Path:
    """A virtual environment with a real kernel and jupyter_mlver installed from this
    checkout (not editable: the image then gets the same wheel); its python."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    proc = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            *KERNEL_PACKAGES,
            str(REPO),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, f"installing the kernel environment failed:\n{proc.stderr}"
    return python


def execute_notebook(
    python: Path,
    notebook: Path,
    env: dict[str, str] | None = None,
    timeout: int = 600,
    executed: Path | None = None,
) -> None:
    """Run a notebook top to bottom in a real kernel of ``python``'s environment, the way
    JupyterLab would (the kernel knows its notebook through JPY_SESSION_NAME); the notebook
    with its outputs is written to ``executed`` (also when a cell fails)."""
    script = (
        "import nbformat, nbclient, os, sys\n"
        "path, out = sys.argv[1], sys.argv[2]\n"
        "nb = nbformat.read(path, as_version=4)\n"
        "try:\n"
        f"    nbclient.NotebookClient(nb, kernel_name='python3', timeout={timeout},"
        " resources={'metadata': {'path': os.path.dirname(path)}})"
        ".execute(env={**os.environ, 'JPY_SESSION_NAME': path})\n"
        "finally:\n"
        "    if out:\n"
        "        nbformat.write(nb, out)\n"
    )
    proc = subprocess.run(
        [str(python), "-c", script, str(notebook), str(executed or "")],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert proc.returncode == 0, f"{notebook.name} failed:\n{proc.stderr[-3000:]}"
