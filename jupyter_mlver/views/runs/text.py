"""Text views of ``jupyter mlver run``: one progress line per event, the grid as a table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..format import format_value, table

if TYPE_CHECKING:
    from ...core.runs.sweep import RunEvent, RunResult, SweepResult

#: Metric columns shown in the table; --json has them all.
MAX_METRICS = 5


def _label(run: RunResult, total: int) -> str:
    shown = " ".join(f"{k}={format_value(v)}" for k, v in run.params.items())
    return f"[{run.index}/{total}{' ' + shown if shown else ''}]"


def _failure(run: RunResult) -> str:
    error = run.error or {}
    where = f" at cell {error['cell'] + 1}" if "cell" in error else ""
    return f"failed{where}: {error.get('error', 'unknown error')}"


def event(e: RunEvent) -> str:
    """One progress line: a run started, reached a cell, or finished."""
    run = e.run
    label = _label(run, e.total)
    if e.kind == "started":
        return f"{label} started"
    if e.kind == "cell":
        return f"{label} cell {e.cell}/{e.cells}"
    took = f"in {run.seconds:.1f} s"
    if run.status == "ok":
        metrics = " ".join(f"{k}={format_value(v)}" for k, v in sorted(run.metrics.items()))
        snap = f" (snapshot {run.snapshot[:12]})" if run.snapshot else ""
        return f"{label} ok {took}{': ' + metrics if metrics else ''}{snap}"
    return f"{label} {_failure(run)} {took}"


def columns(runs: list[RunResult], metric: str | None) -> tuple[list[str], list[str]]:
    """The grid's parameter names in the order the runs set them, and its metric names:
    the chosen ``metric`` first, then the others sorted."""
    params = list(dict.fromkeys(k for r in runs for k in r.params))
    metrics = sorted({k for r in runs for k in r.metrics})
    if metric in metrics:
        metrics.remove(metric)
        metrics.insert(0, metric)
    return params, metrics


def sweep(result: SweepResult) -> str:
    """Every run with its params and metrics, best first when a metric was chosen."""
    runs = result.ranked()
    params, metrics = columns(runs, result.metric)
    hidden = metrics[MAX_METRICS:]
    metrics = metrics[:MAX_METRICS]
    rows = [["#", "STATUS", *params, *metrics, "SNAPSHOT"]]
    for run in runs:
        values = [run.params.get(k) for k in params] + [run.metrics.get(k) for k in metrics]
        rows.append(
            [
                str(run.index),
                run.status,
                *("-" if v is None else format_value(v) for v in values),
                run.snapshot[:12] if run.snapshot else "-",
            ]
        )
    ok = len(runs) - len(result.failed)
    head = f"{len(runs)} run(s) of {result.notebook}: {ok} ok, {len(result.failed)} failed"
    if result.metric:
        direction = "higher" if result.higher_is_better else "lower"
        head += f"; best first by {result.metric} ({direction} is better)"
    lines = [head, *table(rows, indent="  ")]
    if hidden:
        lines.append(f"  ({len(hidden)} more metric(s) in --json: {', '.join(hidden)})")
    lines += [f"  run {r.index} {_failure(r)}" for r in result.failed]
    lines.append(f"executed notebooks in {result.to_json()['output']}/")
    return "\n".join(lines)
