"""HTML view of ``jupyter mlver run`` for notebooks: the grid as a table, best first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..format import format_value
from ..markup import card, code, e, lines, muted, table
from .text import MAX_METRICS, columns

if TYPE_CHECKING:
    from ...core.runs.sweep import RunResult, SweepResult


def _failure(run: RunResult) -> str:
    error = run.error or {}
    where = f" at cell {error['cell'] + 1}" if "cell" in error else ""
    return f"run {run.index} failed{where}: {error.get('error', 'unknown error')}"


def sweep(result: SweepResult) -> str:
    runs = result.ranked()
    params, metrics = columns(runs, result.metric)
    metrics = metrics[:MAX_METRICS]
    body = []
    for run in runs:
        values = [run.params.get(k) for k in params] + [run.metrics.get(k) for k in metrics]
        status = (
            e(run.status)
            if run.status == "ok"
            else f'<span class="mlver-error">{e(run.status)}</span>'
        )
        body.append(
            [
                e(run.index),
                status,
                *(muted("-") if v is None else e(format_value(v)) for v in values),
                code(run.snapshot[:12]) if run.snapshot else muted("-"),
            ]
        )
    head = ["#", "status", *params, *metrics, "snapshot"]
    numeric = {0, *range(2, 2 + len(params) + len(metrics))}
    ok = len(runs) - len(result.failed)
    title = f"{len(runs)} run(s) of {code(result.notebook)}: {ok} ok, {len(result.failed)} failed"
    if result.metric:
        direction = "higher" if result.higher_is_better else "lower"
        title += " " + muted(f"best first by {result.metric} ({direction} is better)")
    failures = lines([f'<span class="mlver-error">{e(_failure(r))}</span>' for r in result.failed])
    where = muted(f"executed notebooks in {result.to_json()['output']}/")
    return card(title, table(head, body, numeric=numeric) + failures + where)
