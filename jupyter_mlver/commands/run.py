"""``run``: execute a notebook with parameters, once or over a sweep grid."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..views.runs import html as runs_html
from ..views.runs import text as runs_text
from .context import Context
from .spec import Command, arg, jobs_arg

if TYPE_CHECKING:
    from ..core.runs.sweep import SweepResult


def _run(ctx: Context, args: argparse.Namespace) -> SweepResult:
    from ..core.params import parse_value
    from ..core.runs.sweep import RunOptions, check_options, parse_sweep, run_notebook
    from ..notebook.executor import execute_run

    notebook = Path(args.notebook).absolute()
    options = RunOptions(
        params={name: parse_value(value) for name, value in args.param},
        sweep=parse_sweep(args.sweep),
        jobs=args.jobs,
        output=Path(args.output) if args.output else None,
        metric=args.metric,
        timeout=args.timeout,
        engine=args.engine,
    )
    check_options(notebook, options)  # before the store is created
    with ctx.open_store(create=True, near=notebook) as store:
        say = ctx.say
        return run_notebook(
            store, notebook, options, execute_run, progress=lambda e: say(runs_text.event(e))
        )


RUN: Command[SweepResult] = Command(
    name="run",
    help="execute a notebook in fresh kernels of this environment, its parameters injected as "
    "papermill does, once per point of a sweep grid; each run is one snapshot (exit 1 if any "
    "run failed)",
    run=_run,
    text=runs_text.sweep,
    html=runs_html.sweep,
    exit_code=lambda r: 1 if r.failed else 0,
    args=[
        arg("notebook", metavar="NOTEBOOK", help="the .ipynb file to run"),
        arg(
            "-p",
            "--param",
            nargs=2,
            metavar=("NAME", "VALUE"),
            action="append",
            default=[],
            help="a parameter of every run (numbers and true/false are typed; repeatable)",
        ),
        arg(
            "--sweep",
            metavar="NAME=V1,V2,...",
            action="append",
            default=[],
            help="run once per value; several --sweep make a grid of every combination",
        ),
        jobs_arg("kernels at a time (default: 1)", default=1),
        arg(
            "--output",
            metavar="DIR",
            help="where the executed notebooks go (default: runs/<name>-<time>/ beside it)",
        ),
        arg(
            "--metric",
            metavar="NAME[:max|:min]",
            help="rank the runs by this metric, best first (default :max, higher is better)",
        ),
        arg(
            "--timeout",
            type=float,
            metavar="SECONDS",
            help="fail a cell that runs longer than this",
        ),
        arg(
            "--engine",
            choices=["auto", "papermill", "nbclient"],
            default="auto",
            help="papermill executes the notebook when installed (auto); nbclient injects the "
            "parameters the same way without it",
        ),
    ],
    examples=[
        (
            "run train.ipynb --sweep lr=0.1,0.01 --sweep depth=2,4 -j 2 --metric acc",
            "",
        ),
        ("run train.ipynb -p lr 0.01 -p epochs 5", "one run with these parameters"),
        ("run train.ipynb --sweep seed=1,2,3 --metric loss:min --json", ""),
    ],
)
