"""``jupyter mlver run``: execute a notebook with parameters, once or over a sweep grid."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .common import load_settings, print_json


def cmd_run(args: argparse.Namespace) -> int:
    from ..core.params import parse_value
    from ..core.run import RunOptions, check_options, parse_sweep, run_notebook
    from ..core.store import Store
    from ..display_run import format_event, format_sweep

    notebook = Path(args.notebook)
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
    settings = load_settings()
    start = notebook.absolute().parent
    with Store.open(start, explicit=args.store or settings.store_dir, create=True) as store:
        # Progress goes to stderr in both modes: stdout stays the table (or the JSON).
        result = run_notebook(
            store,
            notebook,
            options,
            progress=lambda event: print(format_event(event), file=sys.stderr, flush=True),
        )
        if args.json:
            print_json(result.to_json(store))
        else:
            print(format_sweep(result, store))
    return 1 if result.failed else 0


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``run`` to the ``jupyter mlver`` parser."""
    help_text = (
        "execute a notebook in fresh kernels of this environment, its parameters injected "
        "as papermill does, once per point of a sweep grid; each run is one snapshot "
        "(exit 1 if any run failed)"
    )
    p = sub.add_parser(
        "run",
        parents=[common],
        help=help_text,
        description=help_text,
        epilog="examples:\n"
        "  jupyter mlver run train.ipynb -p lr 0.01 -p epochs 5\n"
        "  jupyter mlver run train.ipynb --sweep lr=0.1,0.01 --sweep depth=2,4 -j 2 "
        "--metric acc\n"
        "  jupyter mlver run train.ipynb --sweep seed=1,2,3 --metric loss:min --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(handler=cmd_run)
    p.add_argument("notebook", metavar="NOTEBOOK", help="the .ipynb file to run")
    p.add_argument(
        "-p",
        "--param",
        nargs=2,
        metavar=("NAME", "VALUE"),
        action="append",
        default=[],
        help="a parameter of every run (numbers and true/false are typed; repeatable)",
    )
    p.add_argument(
        "--sweep",
        metavar="NAME=V1,V2,...",
        action="append",
        default=[],
        help="run once per value; several --sweep make a grid of every combination",
    )
    p.add_argument(
        "-j", "--jobs", type=int, default=1, metavar="N", help="kernels at a time (default: 1)"
    )
    p.add_argument(
        "--output",
        metavar="DIR",
        help="where the executed notebooks go (default: runs/<name>-<time>/ beside it)",
    )
    p.add_argument(
        "--metric",
        metavar="NAME[:max|:min]",
        help="rank the runs by this metric, best first (default :max, higher is better)",
    )
    p.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="fail a cell that runs longer than this"
    )
    p.add_argument(
        "--engine",
        choices=["auto", "papermill", "nbclient"],
        default="auto",
        help="papermill executes the notebook when installed (auto); nbclient injects the "
        "parameters the same way without it",
    )
