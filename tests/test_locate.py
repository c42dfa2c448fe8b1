"""Finding a kernel's notebook by what it executed (papermill, nbconvert, scripts)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from pathlib import Path

import nbformat

from jupyter_mlver.core.capture.locate import (
    COMMAND_LINE,
    MAX_CANDIDATES,
    PAPERMILL,
    WORKING_DIRECTORY,
    Located,
    launcher_notebooks,
    locate_notebook,
)


def notebook(path: Path, sources: list[str], papermill: Mapping[str, object] | None = None) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    if papermill is not None:
        nb.metadata["papermill"] = papermill
    nbformat.write(nb, path)
    return path


def test_the_file_holding_every_executed_cell_is_chosen(tmp_path: Path) -> None:
    notebook(tmp_path / "other.ipynb", ["a = 1", "b = 2"])
    wanted = notebook(tmp_path / "train.ipynb", ["a = 1", "b = 2", "%mlver snapshot"])
    found = locate_notebook(["a = 1  ", "\nb = 2\n", "%mlver snapshot"], tmp_path, named=[])
    assert found == Located(wanted, WORKING_DIRECTORY)


def test_nothing_when_some_executed_code_is_in_no_file(tmp_path: Path) -> None:
    notebook(tmp_path / "train.ipynb", ["a = 1"])
    assert locate_notebook(["a = 1", "c = 3"], tmp_path, named=[]) is None
    assert locate_notebook([], tmp_path, named=[]) is None
    assert locate_notebook(["a = 1"], tmp_path / "missing", named=[]) is None


def test_papermill_output_while_it_runs_beats_input_and_stale_outputs(tmp_path: Path) -> None:
    cells = ["lr = 0.1", "%mlver snapshot"]
    running = {"start_time": "2026-01-01T00:00:00", "end_time": None}
    out = notebook(tmp_path / "out.ipynb", cells, papermill=running)
    time.sleep(0.01)
    notebook(tmp_path / "train.ipynb", cells)  # newer, named too
    notebook(tmp_path / "old.ipynb", cells, papermill={**running, "end_time": "x"})
    named = [tmp_path / "train.ipynb", out]
    assert locate_notebook(cells, tmp_path, named=named) == Located(out, PAPERMILL)


def test_a_notebook_named_on_the_command_line_beats_a_newer_copy(tmp_path: Path) -> None:
    elsewhere = tmp_path / "nb"
    elsewhere.mkdir()
    given = notebook(elsewhere / "train.ipynb", ["x = 1"])
    time.sleep(0.01)
    notebook(tmp_path / "train.nbconvert.ipynb", ["x = 1"])
    found = locate_notebook(["x = 1"], tmp_path, named=[given])
    assert found == Located(given, COMMAND_LINE)


def test_the_previous_hit_is_kept_while_it_matches(tmp_path: Path) -> None:
    first = notebook(tmp_path / "a.ipynb", ["x = 1", "y = 2"])
    hint = Located(first, COMMAND_LINE)
    time.sleep(0.01)
    notebook(tmp_path / "b.ipynb", ["x = 1", "y = 2"])  # newer: would win a fresh search
    assert locate_notebook(["x = 1"], tmp_path, named=[], hint=hint) == hint
    # once it no longer holds what ran, the search starts again
    assert locate_notebook(["x = 1", "y = 2", "z"], tmp_path, named=[], hint=hint) is None


def test_the_search_is_bounded_and_skips_broken_files(tmp_path: Path) -> None:
    (tmp_path / "broken.ipynb").write_text("{not json")
    (tmp_path / "list.ipynb").write_text(json.dumps([1, 2]))
    target = notebook(tmp_path / "target.ipynb", ["q = 1"])
    past = time.time() - 1000
    os.utime(target, (past, past))  # the oldest: beyond the newest MAX_CANDIDATES
    for i in range(MAX_CANDIDATES):
        notebook(tmp_path / f"n{i}.ipynb", [f"n = {i}"])
    assert locate_notebook(["q = 1"], tmp_path, named=[]) is None
    assert locate_notebook(["q = 1"], tmp_path, named=[target]) == Located(target, COMMAND_LINE)


def test_launcher_notebooks_read_the_parent_command_line(tmp_path: Path) -> None:
    proc = tmp_path / "proc"
    (proc / "42").mkdir(parents=True)
    cwd = tmp_path / "work"
    cwd.mkdir()
    argv = ["python", "papermill", "in.ipynb", "/abs/out.ipynb", "--output=o2.ipynb", "-p", "x"]
    (proc / "42" / "cmdline").write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")
    os.symlink(cwd, proc / "42" / "cwd")
    assert launcher_notebooks(42, proc) == [
        cwd / "in.ipynb",
        Path("/abs/out.ipynb"),
        cwd / "o2.ipynb",
    ]
    assert launcher_notebooks(43, proc) == []
