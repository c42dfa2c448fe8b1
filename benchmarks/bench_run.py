"""Notebooks run without JupyterLab: finding the notebook, and `jupyter mlver run` sweeps.

    .venv/bin/python benchmarks/bench_run.py [--notebooks 12] [--cells 60] [--points 4]

1. What a snapshot pays to find its notebook in a kernel started by papermill or nbconvert:
   `locate_notebook` over a directory of notebooks (each with outputs), cold and with the
   previous hit remembered, against the `JPY_SESSION_NAME` lookup a JupyterLab kernel does.
2. A sweep of a small notebook: `papermill` run once per point (the peer, one after the
   other) against `jupyter mlver run --sweep` with one and two kernels at a time (each run
   also recorded as a snapshot).
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

import nbformat
from _common import BIN, WORK, run, table, timed

from jupyter_mlver.core.capture.locate import locate_notebook
from jupyter_mlver.core.capture.notebook import find_notebook_path


def make_notebooks(directory: Path, count: int, cells: int) -> list[str]:
    """``count`` notebooks of ``cells`` code cells with a 1 KB output each; the sources of
    the oldest (the one to find: newest-first order makes it the last candidate)."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    wanted: list[str] = []
    for n in range(count):
        nb = nbformat.v4.new_notebook()
        for c in range(cells):
            cell = nbformat.v4.new_code_cell(f"x_{n}_{c} = {c}\nprint(x_{n}_{c})")
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="y" * 1024)]
            nb.cells.append(cell)
        path = directory / f"nb{n:02d}.ipynb"
        nbformat.write(nb, path)
        os.utime(path, (1_000_000 + n, 1_000_000 + n))
        if n == 0:
            wanted = [c.source for c in nb.cells]
    return wanted


SWEEP_NOTEBOOK = [
    ("lr = 0.1\ndepth = 2", ["parameters"]),
    ("%load_ext jupyter_mlver", []),
    ("import time\ntime.sleep(0.5)\nscore = lr * depth", []),
    ("%mlver log score={score}", []),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notebooks", type=int, default=12)
    parser.add_argument("--cells", type=int, default=60)
    parser.add_argument("--points", type=int, default=4)
    args = parser.parse_args()

    directory = WORK / "locate"
    wanted = make_notebooks(directory, args.notebooks, args.cells)
    size = sum(p.stat().st_size for p in directory.glob("*.ipynb"))
    target = directory / "nb00.ipynb"
    env = {"JPY_SESSION_NAME": str(target)}
    found = locate_notebook(wanted, directory, named=[])
    assert found is not None
    assert found.path == target
    rows = [
        (
            "JPY_SESSION_NAME (JupyterLab kernel)",
            timed(lambda: find_notebook_path(env, {}, directory), 50),
        ),
        ("locate_notebook, cold", timed(lambda: locate_notebook(wanted, directory, named=[]), 20)),
        (
            "locate_notebook, previous hit",
            timed(lambda: locate_notebook(wanted, directory, named=[], hint=found), 20),
        ),
    ]
    print(f"\nfinding the notebook among {args.notebooks} notebooks ({size / 1e6:.1f} MB)")
    print(table(["lookup", "ms"], [(name, f"{s * 1000:.2f}") for name, s in rows]))

    project = WORK / "sweep"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    for source, tags in SWEEP_NOTEBOOK:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = tags
        nb.cells.append(cell)
    nbformat.write(nb, project / "train.ipynb")
    run([BIN / "jupyter-mlver", "snapshot", "-m", "store"], project)  # the store exists first
    depths = [str(d) for d in range(1, args.points + 1)]

    def papermill() -> None:
        for d in depths:
            run(
                [
                    BIN / "papermill",
                    "train.ipynb",
                    f"pm-{d}.ipynb",
                    "-p",
                    "depth",
                    d,
                    "--no-progress-bar",
                ],
                project,
            )

    def mlver(jobs: int) -> None:
        run(
            [
                BIN / "jupyter-mlver",
                "run",
                "train.ipynb",
                "--sweep",
                "depth=" + ",".join(depths),
                "-j",
                str(jobs),
            ],
            project,
        )

    sweep = [
        (f"papermill x{args.points}, one after the other (peer)", timed(papermill)),
        (f"jupyter mlver run --sweep ({args.points} points) -j 1", timed(lambda: mlver(1))),
        (f"jupyter mlver run --sweep ({args.points} points) -j 2", timed(lambda: mlver(2))),
    ]
    print(f"\na sweep of {args.points} points (each run sleeps 0.5 s)")
    print(table(["how", "seconds"], [(name, f"{s:.1f}") for name, s in sweep]))


if __name__ == "__main__":
    main()
