"""Notebooks executed without JupyterLab: papermill, ``jupyter nbconvert --execute`` and a
plain jupyter_client script record their notebook and its parameters."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import nbformat
import pytest

from jupyter_mlver.core.store.store import Store
from tests.support import BIN
from tests.test_records import validate

from .conftest import Kernel

PARAMS = "lr = 0.1\ndepth = 2\nbatch = 32\nname = 'base'\nlayers = [8, 8]\n"
BODY = [
    "%load_ext jupyter_mlver",
    "score = lr * depth\n%mlver log score={score}",
    "%mlver log --param batch=64",
    "%mlver snapshot -m 'headless'",
]


def write_train(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    params = nbformat.v4.new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_code_cell(BODY[0]), params]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in BODY[1:]]
    nbformat.write(nb, path)


def latest(store_dir: Path) -> dict[str, Any]:
    with Store.open(explicit=store_dir) as store:
        rows, total = store.index.snapshots()
        assert total == 1
        record = store.get(rows[0].id)
    validate(record, "snapshot")
    return record


def unread_warning(record: dict[str, Any]) -> list[str]:
    warnings = record["execution"]["warnings"]
    return [n for w in warnings if w["kind"] == "params-not-recorded" for n in w["names"]]


@pytest.fixture
def env(tmp_path: Path, kernel_env: dict[str, str]) -> dict[str, str]:
    out = {**kernel_env, "MLVER_STORE": str(tmp_path / ".mlver")}
    out.pop("JPY_SESSION_NAME", None)
    return out


def run(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_papermill_records_its_output_notebook_and_the_injected_parameters(
    tmp_path: Path, env: dict[str, str]
) -> None:
    write_train(tmp_path / "train.ipynb")
    (tmp_path / "out").mkdir()
    command = [str(BIN / "papermill"), "train.ipynb", "out/run.ipynb"]
    run([*command, "-p", "lr", "0.5", "-p", "depth", "4", "--no-progress-bar"], tmp_path, env)
    record = latest(tmp_path / ".mlver")
    assert record["notebook"]["path"] == "out/run.ipynb"
    assert record["notebook"]["source"] == "papermill"
    # injected values win over the parameters cell, --param over both
    assert record["params"] == {"lr": 0.5, "depth": 4, "batch": 64, "name": "base"}
    assert record["metrics"] == {"score": 2.0}
    assert unread_warning(record) == ["layers"]
    with Store.open(explicit=tmp_path / ".mlver") as store:
        stored = json.loads(store.objects.get_bytes(record["notebook"]["hash"]))
    tags = [c["metadata"].get("tags", []) for c in stored["cells"]]
    assert ["injected-parameters"] in tags


def test_nbconvert_execute_records_the_input_notebook(tmp_path: Path, env: dict[str, str]) -> None:
    project = tmp_path / "project"
    project.mkdir()
    write_train(project / "train.ipynb")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    nbconvert = [str(BIN / "jupyter-nbconvert"), "--to", "notebook", "--execute"]
    run([*nbconvert, "../project/train.ipynb", "--output-dir", str(elsewhere)], elsewhere, env)
    assert (elsewhere / "train.ipynb").is_file()
    record = latest(tmp_path / ".mlver")
    assert record["notebook"]["path"] == "project/train.ipynb"
    assert record["notebook"]["source"] == "command-line"
    assert record["params"] == {"lr": 0.1, "depth": 2, "batch": 64, "name": "base"}
    assert record["metrics"] == {"score": 0.2}


def test_a_script_driven_kernel_finds_its_notebook_in_its_directory(
    tmp_path: Path, env: dict[str, str]
) -> None:
    write_train(tmp_path / "train.ipynb")
    other = tmp_path / "other.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), other)
    kernel = Kernel(tmp_path, env)
    try:
        nb = nbformat.read(tmp_path / "train.ipynb", as_version=4)
        for c in nb.cells:
            kernel.ok(c.source)
    finally:
        kernel.close()
    record = latest(tmp_path / ".mlver")
    assert record["notebook"]["path"] == "train.ipynb"
    assert record["notebook"]["source"] == "working-directory"
    assert record["params"]["lr"] == 0.1


def test_without_a_matching_file_the_notebook_is_rebuilt_from_history(
    tmp_path: Path, env: dict[str, str]
) -> None:
    write_train(tmp_path / "train.ipynb")
    kernel = Kernel(tmp_path, env)
    try:
        kernel.ok("%load_ext jupyter_mlver")
        kernel.ok("lr = 0.3  # not a cell of train.ipynb")
        kernel.ok("%mlver snapshot")
    finally:
        kernel.close()
    record = latest(tmp_path / ".mlver")
    assert record["notebook"]["path"] is None
    assert record["notebook"]["source"] == "history"
    assert record["params"] == {}
    assert os.path.exists(tmp_path / "train.ipynb")
