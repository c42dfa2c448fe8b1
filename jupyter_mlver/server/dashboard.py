"""REST handlers behind the main-area dashboard: the experiments table, data drift and the
models' governance table.

``GET experiments`` lists snapshots as table rows (params and metrics as columns, a metric
series by its last value, with the series' lengths apart) in one response, so the table can
sort and filter 10,000 rows in the browser. ``GET drift`` compares the tabular data files
two snapshots recorded (the compare view shows it for the files that changed).
``GET governance`` is ``jupyter mlver model health --json`` with the store's generation.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tornado.web

from ..core.errors import InvalidInput
from ..core.store.index.db import ALL

if TYPE_CHECKING:
    from ..core.records import DriftReportJson
    from .context import MlverContext

from .base import MlverHandler

DEFAULT_ROWS = 10_000
MAX_ROWS = 50_000
MAX_PATHS = 100


def drift_between(
    ctx: MlverContext, notebook: Path | None, a: str, b: str, paths: list[str]
) -> DriftReportJson:
    """``mlver.drift/1`` of snapshot a's tabular files against b's, for the files whose
    content changed (or the given ones), with histograms of the drifted columns."""
    from ..core.drift import DriftReport, drift_snapshot, is_table
    from ..core.store.datarefs import data_files

    store = ctx.require_store(notebook)
    where = store.relpath(notebook) if notebook is not None else ALL
    a_id, b_id = store.resolve(a, where), store.resolve(b, where)
    recorded = data_files(store.objects.get_bytes, store.get(a_id))
    if not paths and not any(is_table(str(d["path"])) for d in recorded):
        report = DriftReport(
            {"source": "snapshot", "snapshot": a_id}, {"source": "snapshot", "snapshot": b_id}, []
        )
    else:
        # Paths in the request are as records keep them (store-relative), not cwd-relative.
        absolute = [str(store.root / p) for p in paths]
        report = drift_snapshot(
            store, a_id, b_id, paths=absolute, histograms=True, changed_only=not paths
        )
    return report.to_json()


def model_governance(
    ctx: MlverContext, notebook: Path | None, names: list[str], live: bool
) -> dict[str, Any]:
    """The governance table of the store's models (or of ``names``), with the live figures
    of running deployments unless ``live`` is false."""
    from ..core.engine.docker import DockerEngine
    from ..core.governance import Rules, governance
    from ..core.models.refs import check_name

    for name in names:
        check_name(name)
    store = ctx.store(notebook)
    if store is None:
        empty = {"models": [], "rules": Rules().to_json(), "live": False, "notes": []}
        return {**empty, "now": None, "generation": 0}
    connect = DockerEngine.connect if live else None
    result: dict[str, Any] = governance(store, names=names or None, connect=connect).to_json()
    result["generation"] = store.index.generation()
    return result


class ExperimentsHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        query = self.snapshot_query(DEFAULT_ROWS, MAX_ROWS)
        page = await self.call(
            self.ctx.list_experiments, self.notebook_arg(), self.all_notebooks_arg(), query
        )
        self.reply(page)


class DriftHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        a, b = self.two_refs_arg("drift")
        paths = self.get_query_arguments("path")
        if len(paths) > MAX_PATHS:
            raise InvalidInput(f"at most {MAX_PATHS} paths")
        for p in paths:
            if p.startswith("/") or ".." in Path(p).parts:
                raise InvalidInput(f"{p!r}: give a path as the snapshot records it")
        self.reply(await self.call(drift_between, self.ctx, self.notebook_arg(), a, b, paths))


class GovernanceHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        names = self.get_query_arguments("name")
        live = self.get_query_argument("live", "1") not in ("0", "false")
        table = await self.call(model_governance, self.ctx, self.notebook_arg(), names, live)
        self.reply(table)


def routes(url: Callable[..., str]) -> list[tuple[str, type[MlverHandler]]]:
    return [
        (url("experiments"), ExperimentsHandler),
        (url("drift"), DriftHandler),
        (url("governance"), GovernanceHandler),
    ]
