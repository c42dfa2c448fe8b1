"""The panel's "Run with parameters…": ``jupyter mlver run`` as a background job."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import tornado.web
from jupyter_server.auth.decorator import authorized

from ..config import Mlver
from ..core import records
from ..core.errors import InvalidInput
from ..core.runs.sweep import RunEvent, RunOptions, check_name, check_options
from ..core.store.store import Store
from .base import MlverHandler
from .jobs import Job, JobFunction

MAX_POINTS = 256
MAX_JOBS = 8


def _scalar(where: str, value: Any) -> Any:
    records.check_scalar(where, value)
    return value


def run_options(body: dict[str, Any]) -> RunOptions:
    """The request's ``params``, ``sweep``, ``jobs``, ``metric``, ``timeout`` as options."""
    params = body.get("params") or {}
    sweep = body.get("sweep") or {}
    if not isinstance(params, dict) or not isinstance(sweep, dict):
        raise InvalidInput("'params' and 'sweep' must be objects", 'e.g. {"sweep": {"lr": [0.1]}}')
    for name, values in sweep.items():
        if not isinstance(values, list) or not values:
            raise InvalidInput(f"sweep {name}: give a non-empty list of values")
    jobs = body.get("jobs", 1)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= MAX_JOBS:
        raise InvalidInput(f"'jobs' must be an integer from 1 to {MAX_JOBS}")
    timeout = body.get("timeout")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0
    ):
        raise InvalidInput("'timeout' must be a positive number of seconds")
    metric = body.get("metric") or None
    if metric is not None and not isinstance(metric, str):
        raise InvalidInput("'metric' must be a string: NAME, NAME:max or NAME:min")
    points = 1
    for values in sweep.values():
        points *= len(values)
    if points > MAX_POINTS:
        raise InvalidInput(f"the sweep has {points} points", f"at most {MAX_POINTS} from the panel")
    return RunOptions(
        params={check_name(k, "params"): _scalar(f"param {k}", v) for k, v in params.items()},
        sweep={
            check_name(k, "sweep"): list(dict.fromkeys(_scalar(f"sweep {k}", v) for v in vs))
            for k, vs in sweep.items()
        },
        jobs=jobs,
        metric=metric,
        timeout=float(timeout) if timeout is not None else None,
    )


def check_run(notebook: Path, options: RunOptions) -> int:
    """Refuse a bad request before a job starts; the number of runs."""
    return len(check_options(notebook, options)[3])


def run_job(notebook: Path, options: RunOptions, settings: Mlver) -> JobFunction:
    """A job function that runs the grid; its result is ``jupyter mlver run --json``."""

    def run(job: Job) -> dict[str, Any]:
        from ..core.runs.sweep import run_notebook
        from ..notebook.executor import execute_run
        from ..views.runs.text import event as format_event

        done = [0]

        def progress(event: RunEvent) -> None:
            if event.kind == "finished":
                done[0] += 1
            if event.kind != "cell":
                job.note(format_event(event), done[0], event.total)

        with Store.open(notebook.parent, explicit=settings.store_dir, create=True) as store:
            result = run_notebook(store, notebook, options, execute_run, progress=progress)
            out: dict[str, Any] = result.to_json()
        failed = len(result.failed)
        job.note(f"{len(result.runs)} run(s): {len(result.runs) - failed} ok, {failed} failed")
        return out

    return run


class RunsHandler(MlverHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        """``{notebook, params, sweep, jobs, metric, timeout}`` -> 202 ``{job, url, runs}``."""
        body = self.body_json()
        notebook = self.ctx.notebook_path(self.str_field(body, "notebook", required=True))
        assert notebook is not None
        options = run_options(body)
        runs = await self.call(check_run, notebook, options)
        self.start_job(
            "notebook-run",
            {
                "notebook": notebook.relative_to(self.ctx.root_dir).as_posix(),
                "params": dict(options.params),
                "sweep": {k: list(v) for k, v in options.sweep.items()},
                "jobs": options.jobs,
                "metric": options.metric,
                "runs": runs,
            },
            run_job(notebook, options, self.ctx.settings),
            runs=runs,
        )


def routes(url: Callable[..., str]) -> list[tuple[str, type[MlverHandler]]]:
    return [(url("runs"), RunsHandler)]
