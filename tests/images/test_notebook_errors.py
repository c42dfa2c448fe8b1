"""A build that fails in a notebook says the same one line as in a terminal, once.

In a kernel, ipykernel sets ``FORCE_COLOR``: pip's output then carried colour codes, the
package it could not find was never read out of it, and the notebook said to check the
host's pip configuration instead (after showing the message a first time in the build's
card). The notebook runs in a real kernel through nbclient, like JupyterLab runs it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import nbclient
import nbformat

from .conftest import Session
from .helpers import take_snapshot
from .test_errors import cli

MISSING = "zz-mlver-missing-in-kernel==0.0.1"


def _texts(output: dict[str, Any]) -> list[str]:
    """Every text an output shows (a stream, a display's text/plain, an error)."""
    if output["output_type"] == "stream":
        return [output["text"]]
    if output["output_type"] == "error":
        return [f"{output['ename']}: {output['evalue']}"]
    return [str(output.get("data", {}).get("text/plain", ""))]


def test_a_pip_failure_reads_the_same_in_a_notebook_as_in_a_terminal(
    built: Session, base_image: str
) -> None:
    environment = {k: v for k, v in built.environment.items() if k != "id"}
    name, version = MISSING.split("==")
    environment["packages"] = [
        *environment["packages"],
        {"name": name, "version": version, "source": "index"},
    ]
    with built.store() as store:
        ref = take_snapshot(store, environment, "a package no index has", None)["id"][:12]
    command = f"env build {ref} --base {base_image} --dry-run --output ctx-{ref}"

    proc = cli(built.project, *command.split())
    assert proc.returncode == 1
    terminal = proc.stderr.strip().splitlines()[-1]
    assert terminal.startswith("jupyter mlver: error: ")
    message = terminal.removeprefix("jupyter mlver: error: ")
    assert message.startswith(f"cannot resolve {MISSING} for Python ")
    assert f"No matching distribution found for {MISSING}" in message
    assert "pip configuration" not in message

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext jupyter_mlver"),
        nbformat.v4.new_code_cell("import os; print(os.environ.get('FORCE_COLOR'))"),
        nbformat.v4.new_code_cell(f"%mlver {command}"),
    ]
    client = nbclient.NotebookClient(
        nb, timeout=600, allow_errors=True, resources={"metadata": {"path": str(built.project)}}
    )
    client.execute()
    # The kernel sets what broke the parser: the test must run where it is set.
    assert nb.cells[1].outputs[0]["text"].strip() not in ("", "None")
    shown = "\n".join(t for output in nb.cells[2].outputs for t in _texts(output))
    assert shown.count(message) == 1, json.dumps(nb.cells[2].outputs, indent=1)
    assert re.search(rf"^UsageError: {re.escape(message)}$", shown, re.M), shown
    assert "pip configuration" not in shown
