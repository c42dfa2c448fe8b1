"""``jupyter mlver run``: a notebook once per point of a parameter grid, N kernels at a time,
each run recorded as a snapshot; the grid ranked by a metric.
"""

from __future__ import annotations

import importlib.util
import itertools
import keyword
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import records
from ..errors import InvalidInput
from ..params import parse_value
from ..records import RunContext
from ..store.store import Store

ENGINES = ("auto", "papermill", "nbclient")
OK, FAILED = "ok", "failed"


@dataclass
class RunOptions:
    params: Mapping[str, Any] = field(default_factory=dict)  # every run
    sweep: Mapping[str, Sequence[Any]] = field(default_factory=dict)  # the grid, in order
    jobs: int = 1
    output: Path | None = None  # default: runs/<stem>-<time>/ beside the notebook
    metric: str | None = None  # NAME, NAME:max or NAME:min
    timeout: float | None = None  # seconds per cell
    engine: str = "auto"


@dataclass
class RunSpec:
    """One point of the grid for the executor to run."""

    store_dir: Path
    notebook: Path
    output: Path
    params: Mapping[str, Any]
    context: RunContext  # the record's run field, without the outcome
    message: str
    engine: str  # "papermill" | "nbclient"
    timeout: float | None
    on_cell: Callable[[int, int], None]  # (code cells started, code cells in all)
    live: set[Any]  # the executor's kernel managers while they run: killed on Ctrl-C


@dataclass
class Outcome:
    status: str  # "ok" | "failed"
    snapshot: str | None
    error: dict[str, Any] | None = None  # {error, cell, execution_count}


#: Runs one point in a kernel (``jupyter_mlver.notebook.executor.execute_run``): the core
#: plans and records, the kernels are the front doors' business.
Execute = Callable[[RunSpec], Outcome]


def papermill_available() -> bool:
    return importlib.util.find_spec("papermill") is not None


@dataclass
class RunEvent:
    """Progress: a run ``started``, reached a ``cell``, or ``finished``."""

    kind: str
    run: RunResult
    total: int
    cell: int = 0
    cells: int = 0


@dataclass
class RunResult:
    index: int  # 1-based point of the grid
    params: dict[str, Any]
    output: Path
    status: str = "pending"
    snapshot: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    started: str | None = None
    finished: str | None = None
    seconds: float = 0.0

    def to_json(self, root: Path) -> dict[str, Any]:
        return {
            "index": self.index,
            "params": self.params,
            "status": self.status,
            "snapshot": self.snapshot,
            "metrics": self.metrics,
            "output": relative(self.output, root),
            "error": self.error,
            "started": self.started,
            "finished": self.finished,
            "seconds": round(self.seconds, 3),
        }


def relative(path: Path, root: Path) -> str:
    """A path as records keep it: relative to the store root when inside it."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def parse_metric(spec: str | None) -> tuple[str | None, bool]:
    """``acc`` / ``acc:max`` -> ("acc", higher is better); ``loss:min`` -> ("loss", False)."""
    if not spec:
        return None, True
    name, _, direction = spec.partition(":")
    if not name or direction not in ("", "max", "min"):
        raise InvalidInput(
            f"--metric {spec!r}: expected NAME, NAME:max or NAME:min", "for example acc:max"
        )
    return name, direction != "min"


@dataclass
class SweepResult:
    notebook: str  # relative to the store root, like ``output``
    sweep: str
    root: Path  # the store's root
    output: Path
    runs: list[RunResult]
    metric: str | None = None
    higher_is_better: bool = True

    @property
    def failed(self) -> list[RunResult]:
        return [r for r in self.runs if r.status != OK]

    def ranked(self) -> list[RunResult]:
        """Best first by the metric (its last value for a series); runs without it, and
        failed runs, after, in grid order."""
        metric = self.metric
        if metric is None:
            return list(self.runs)

        def value(run: RunResult) -> float | None:
            raw = run.metrics.get(metric)
            raw = raw[-1] if isinstance(raw, list) else raw
            if run.status != OK or isinstance(raw, bool) or not isinstance(raw, (int, float)):
                return None
            return float(raw)

        sign = -1.0 if self.higher_is_better else 1.0
        good: list[tuple[float, RunResult]] = []
        rest: list[RunResult] = []
        for run in self.runs:
            score = value(run)
            if score is None:
                rest.append(run)
            else:
                good.append((sign * score, run))
        good.sort(key=lambda pair: pair[0])  # stable: ties keep grid order
        return [run for _, run in good] + rest

    def to_json(self) -> dict[str, Any]:
        return {
            "notebook": self.notebook,
            "sweep": self.sweep,
            "output": relative(self.output, self.root),
            "metric": self.metric,
            "higher_is_better": self.higher_is_better,
            "runs": [r.to_json(self.root) for r in self.ranked()],
        }


def check_name(name: str, flag: str) -> str:
    if not name.isidentifier() or keyword.iskeyword(name):
        raise InvalidInput(
            f"{flag}: {name!r} is not a Python variable name",
            "parameters are assigned in the notebook: use letters, digits and _",
        )
    return name


def parse_sweep(items: Sequence[str]) -> dict[str, list[Any]]:
    """``["lr=0.1,0.01", "depth=2,4"]`` -> ``{"lr": [0.1, 0.01], "depth": [2, 4]}``."""
    out: dict[str, list[Any]] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        name = check_name(name.strip(), "--sweep")
        values = [parse_value(v.strip()) for v in raw.split(",") if v.strip()]
        if not sep or not values:
            raise InvalidInput(
                f"--sweep expects NAME=V1,V2,..., got {item!r}", "for example --sweep lr=0.1,0.01"
            )
        if name in out:
            raise InvalidInput(f"--sweep {name} given twice", "give all its values in one --sweep")
        out[name] = list(dict.fromkeys(values))
    return out


def grid(params: Mapping[str, Any], sweep: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the sweep's values (the last name varies fastest), each with
    the fixed parameters."""
    both = sorted(set(params) & set(sweep))
    if both:
        raise InvalidInput(f"{both[0]} is given with both -p and --sweep", "keep one of them")
    names = list(sweep)
    return [
        {**params, **dict(zip(names, combo, strict=True))}
        for combo in itertools.product(*(sweep[n] for n in names))
    ]


def _slug(params: Mapping[str, Any], limit: int = 60) -> str:
    text = "_".join(f"{k}={v}" for k, v in params.items())
    return re.sub(r"[^A-Za-z0-9._=+-]", "-", text)[:limit]


def output_paths(notebook: Path, points: list[dict[str, Any]], directory: Path) -> list[Path]:
    width = len(str(len(points)))
    return [
        directory / ("-".join(filter(None, [notebook.stem, f"{i:0{width}d}", _slug(p)])) + ".ipynb")
        for i, p in enumerate(points, 1)
    ]


def _message(notebook: str, run: RunResult, total: int) -> str:
    shown = ", ".join(f"{k}={v}" for k, v in run.params.items())
    return f"run {run.index}/{total} of {notebook}" + (f" ({shown})" if shown else "")


def check_options(
    notebook: Path, options: RunOptions
) -> tuple[str, str | None, bool, list[dict[str, Any]]]:
    """Everything a run needs checked before anything is written: the engine, the
    metric and its direction, the grid's points."""
    if notebook.suffix != ".ipynb" or not notebook.is_file():
        raise InvalidInput(f"{notebook} is not a notebook file", "give the path of an .ipynb file")
    if options.jobs < 1:
        raise InvalidInput("-j must be 1 or more")
    if options.engine not in ENGINES:
        raise InvalidInput(f"unknown engine {options.engine!r}", f"one of {', '.join(ENGINES)}")
    engine = options.engine
    if engine == "auto":
        engine = "papermill" if papermill_available() else "nbclient"
    elif engine == "papermill" and not papermill_available():
        raise InvalidInput("papermill is not installed", "pip install papermill, or --engine auto")
    metric, higher = parse_metric(options.metric)
    for name in options.params:
        check_name(name, "-p")
    return engine, metric, higher, grid(options.params, options.sweep)


def run_notebook(
    store: Store,
    notebook: Path,
    options: RunOptions,
    execute: Execute,
    progress: Callable[[RunEvent], None] | None = None,
) -> SweepResult:
    """Run ``notebook`` once per grid point, ``options.jobs`` kernels at a time, each by
    ``execute``. A failed run is recorded as a failed snapshot and the others go on."""
    engine, metric, higher, points = check_options(notebook, options)
    notebook = notebook.absolute()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    directory = (options.output or notebook.parent / "runs" / f"{notebook.stem}-{stamp}").absolute()
    directory.mkdir(parents=True, exist_ok=True)
    rel = store.relpath(notebook)
    sweep_id = uuid.uuid4().hex
    paths = output_paths(notebook, points, directory)
    runs = [RunResult(i, p, out) for i, (p, out) in enumerate(zip(points, paths, strict=True), 1)]
    total = len(runs)
    say = progress or (lambda _event: None)
    lock = threading.Lock()

    def report(event: RunEvent) -> None:
        with lock:
            say(event)

    def one(run: RunResult) -> None:
        run.started = records.now()
        began = time.monotonic()
        report(RunEvent("started", run, total))
        context: RunContext = {
            "id": uuid.uuid4().hex,
            "sweep": sweep_id,
            "notebook": rel,
            "point": run.index,
            "points": total,
        }
        try:
            outcome = execute(
                RunSpec(
                    store.dir,
                    notebook,
                    run.output,
                    run.params,
                    context,
                    _message(rel, run, total),
                    engine,
                    options.timeout,
                    lambda cell, cells: report(RunEvent("cell", run, total, cell, cells)),
                    live,
                )
            )
            run.status, run.snapshot, run.error = outcome.status, outcome.snapshot, outcome.error
            if run.snapshot:
                with Store.open(explicit=store.dir) as own:  # SQLite: a connection per thread
                    run.metrics = dict(own.get(run.snapshot).get("metrics") or {})
        except Exception as e:  # the store refused the record: the other runs go on
            run.status, run.error = FAILED, {"error": f"{type(e).__name__}: {e}"}
        run.finished = records.now()
        run.seconds = time.monotonic() - began
        report(RunEvent("finished", run, total))

    live: set[Any] = set()  # the kernels running now, to stop on Ctrl-C
    pool = ThreadPoolExecutor(max_workers=min(options.jobs, total))
    try:
        for future in [pool.submit(one, run) for run in runs]:
            future.result()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        for km in list(live):
            km.kill_now()
        raise
    pool.shutdown()
    return SweepResult(rel, sweep_id, store.root, directory, runs, metric, higher)
