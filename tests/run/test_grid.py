"""The parts of `jupyter mlver run` that need no kernel: grids, names, ranking, injection."""

from __future__ import annotations

from importlib.machinery import ModuleSpec
from pathlib import Path

import nbformat
import pytest

from jupyter_mlver.core.errors import InvalidInput
from jupyter_mlver.core.runs.sweep import (
    FAILED,
    OK,
    RunResult,
    SweepResult,
    grid,
    output_paths,
    parse_metric,
    parse_sweep,
)
from jupyter_mlver.notebook.executor import inject_parameters


def test_sweep_values_are_typed_and_the_grid_is_every_combination() -> None:
    sweep = parse_sweep(["lr=0.1, 0.01", "depth=2,4,4", "opt=adam,sgd"])
    assert sweep == {"lr": [0.1, 0.01], "depth": [2, 4], "opt": ["adam", "sgd"]}
    points = grid({"seed": 1}, sweep)
    assert len(points) == 8
    assert points[0] == {"seed": 1, "lr": 0.1, "depth": 2, "opt": "adam"}
    assert points[1] == {"seed": 1, "lr": 0.1, "depth": 2, "opt": "sgd"}  # last name fastest
    assert points[-1] == {"seed": 1, "lr": 0.01, "depth": 4, "opt": "sgd"}
    assert grid({"a": True}, {}) == [{"a": True}]


@pytest.mark.parametrize(
    "items",
    [["lr"], ["lr="], ["lr=,"], ["1x=1,2"], ["class=1"], ["lr=1", "lr=2"]],
)
def test_bad_sweeps_are_refused(items: list[str]) -> None:
    with pytest.raises(InvalidInput):
        parse_sweep(items)


def test_a_name_both_fixed_and_swept_is_refused() -> None:
    with pytest.raises(InvalidInput, match="both -p and --sweep"):
        grid({"lr": 1}, {"lr": [1, 2]})


def test_metric_direction() -> None:
    assert parse_metric("acc") == ("acc", True)
    assert parse_metric("acc:max") == ("acc", True)
    assert parse_metric("loss:min") == ("loss", False)
    assert parse_metric(None) == (None, True)
    with pytest.raises(InvalidInput):
        parse_metric("loss:lowest")


def test_ranking_best_first_then_failed_and_missing_in_grid_order(tmp_path: Path) -> None:
    def run(i: int, status: str, metrics: dict[str, object]) -> RunResult:
        return RunResult(i, {"i": i}, tmp_path / f"{i}.ipynb", status, metrics=metrics)

    runs = [
        run(1, OK, {"loss": 0.5}),
        run(2, FAILED, {"loss": 0.01}),
        run(3, OK, {"loss": [0.9, 0.2]}),  # a series ranks by its last value
        run(4, OK, {}),
        run(5, OK, {"loss": 0.5}),
    ]
    by_loss = SweepResult("nb.ipynb", "s", tmp_path, tmp_path, runs, "loss", higher_is_better=False)
    assert [r.index for r in by_loss.ranked()] == [3, 1, 5, 2, 4]
    by_max = SweepResult("nb.ipynb", "s", tmp_path, tmp_path, runs, "loss", higher_is_better=True)
    assert [r.index for r in by_max.ranked()] == [1, 5, 3, 2, 4]
    unranked = SweepResult("nb.ipynb", "s", tmp_path, tmp_path, runs)
    assert [r.index for r in unranked.ranked()] == [1, 2, 3, 4, 5]
    assert [r.index for r in by_loss.failed] == [2]


def test_output_names_carry_the_point_and_its_parameters(tmp_path: Path) -> None:
    points = [{"lr": 0.1, "name": "a/b c"}] * 10 + [{}]
    paths = output_paths(Path("train.ipynb"), points, tmp_path)
    assert paths[0] == tmp_path / "train-01-lr=0.1_name=a-b-c.ipynb"
    assert paths[10] == tmp_path / "train-11.ipynb"
    assert len(set(paths)) == len(paths)


def test_injection_follows_papermills_convention() -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("lr = 0.1")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_code_cell("import os"), params, nbformat.v4.new_code_cell("x")]
    inject_parameters(nb, {"lr": 0.5, "name": "it's", "flag": True})
    injected = nb.cells[2]
    assert injected.metadata["tags"] == ["injected-parameters"]
    assert injected.source == '# Parameters\nlr = 0.5\nname = "it\'s"\nflag = True\n'
    # a second injection replaces the first; without a parameters cell it goes first
    inject_parameters(nb, {"lr": 0.7})
    assert [c.source for c in nb.cells].count("# Parameters\nlr = 0.7\n") == 1
    assert len(nb.cells) == 4
    bare = nbformat.v4.new_notebook()
    bare.cells = [nbformat.v4.new_code_cell("x")]
    inject_parameters(bare, {"a": 1})
    assert bare.cells[0].source == "# Parameters\na = 1\n"
    assert inject_parameters(bare, {}) is bare


def test_the_engine_is_papermill_where_installed_else_nbclient(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    from jupyter_mlver.core.runs.sweep import RunOptions, check_options

    notebook = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), notebook)
    assert check_options(notebook, RunOptions())[0] == "papermill"
    real = importlib.util.find_spec

    def without_papermill(name: str, package: str | None = None) -> ModuleSpec | None:
        return None if name == "papermill" else real(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", without_papermill)
    assert check_options(notebook, RunOptions())[0] == "nbclient"
    with pytest.raises(InvalidInput, match="papermill is not installed"):
        check_options(notebook, RunOptions(engine="papermill"))
