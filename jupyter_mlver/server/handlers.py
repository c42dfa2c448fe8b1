"""REST handlers under ``<base_url>/jupyter-mlver/``: thin front doors over the core.

Every handler is authenticated; those that write are also ``@authorized``. Store reads run
in a thread pool, image builds run as jobs (``jobs.py``). One error mapper
(``MlverHandler.write_error``) turns an ``MlverError`` into ``{"code", "message", "hint"}``
with the error's HTTP status; a ``tornado.web.HTTPError`` passes through with its own.

Paths in requests (``notebook=``) are relative to the server's root directory and must stay
inside it; the store is the one the kernel of that notebook would use (``find_store_dir``
from the notebook's folder, or from the root when no notebook is given).
"""

from __future__ import annotations

import http
import json
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado.ioloop import IOLoop

from .._version import __version__
from ..config import Mlver
from ..core.errors import InvalidInput, MlverError
from ..core.snapshot.read import SnapshotQuery
from .context import MlverContext
from .jobs import error_code

T = TypeVar("T")

NAMESPACE = "jupyter-mlver"
AUTH_RESOURCE = "mlver"
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
#: A page of a snapshot's data files.
FILES_LIMIT = 200
MAX_FILES_LIMIT = 5000
_HASH = re.compile(r"^[0-9a-f]{64}$")


def http_code(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return f"http_{status}"


class MlverHandler(APIHandler):
    """Base of every handler: the shared context, the executor, the one error mapper."""

    auth_resource = AUTH_RESOURCE

    @property
    def ctx(self) -> MlverContext:
        ctx: MlverContext = self.settings["jupyter_mlver"]
        return ctx

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking store work in the pool, never on the tornado loop."""
        return await IOLoop.current().run_in_executor(self.ctx.executor, fn, *args)

    def reply(self, body: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False))

    def notebook_arg(self) -> Path | None:
        return self.ctx.notebook_path(self.get_query_argument("notebook", None))

    def int_arg(self, name: str, default: int, lo: int, hi: int) -> int:
        raw = self.get_query_argument(name, None)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise InvalidInput(f"{name} must be an integer, got {raw!r}") from None
        if not lo <= value <= hi:
            raise InvalidInput(f"{name} must be between {lo} and {hi}, got {value}")
        return value

    def all_notebooks_arg(self) -> bool:
        return self.get_query_argument("all", "") in ("1", "true")

    def snapshot_query(self, default_limit: int, max_limit: int) -> SnapshotQuery:
        """``q``, ``tag``, ``limit`` and ``offset`` of a page of snapshots (the notebook's
        scope is the context's to apply)."""
        return SnapshotQuery(
            q=self.get_query_argument("q", None),
            tag=self.get_query_argument("tag", None),
            limit=self.int_arg("limit", default_limit, 0, max_limit),
            offset=self.int_arg("offset", 0, 0, 2**31),
        )

    def body_json(self) -> dict[str, Any]:
        try:
            body = json.loads(self.request.body or b"{}")
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise InvalidInput(f"the request body is not JSON: {e}") from None
        if not isinstance(body, dict):
            raise InvalidInput("the request body must be a JSON object")
        return body

    @staticmethod
    def str_field(body: dict[str, Any], name: str, required: bool = False) -> str | None:
        value = body.get(name)
        if value is None or value == "":
            if required:
                raise InvalidInput(f"{name!r} is required")
            return None
        if not isinstance(value, str):
            raise InvalidInput(f"{name!r} must be a string")
        return value

    # -- the one error mapper ------------------------------------------------------

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = (kwargs.get("exc_info") or (None, None, None))[1]
        body: dict[str, Any]
        if isinstance(exc, MlverError):
            status_code = exc.status
            self.set_status(status_code)
            body = {"code": error_code(exc), "message": exc.message, "hint": exc.hint}
        elif isinstance(exc, tornado.web.HTTPError):
            message = exc.log_message % exc.args if exc.log_message and exc.args else None
            body = {
                "code": http_code(status_code),
                "message": message or exc.log_message or exc.reason or http_code(status_code),
                "hint": None,
            }
        elif exc is not None:
            body = {
                "code": "internal_error",
                "message": f"unexpected {type(exc).__name__}; see the server log",
                "hint": None,
            }
        else:
            body = {"code": http_code(status_code), "message": self._reason, "hint": None}
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, MlverError):  # expected: one line, no traceback
            self.log.info(
                "jupyter_mlver: %s %s -> %s %s",
                self.request.method,
                self.request.path,
                value.status,
                value,
            )
            return
        super().log_exception(typ, value, tb)


class InfoHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        notebook = self.notebook_arg()
        store_dir = await self.call(self.ctx.store_dir, notebook)
        self.reply(
            {
                "version": __version__,
                "store": str(store_dir),
                "store_exists": (store_dir / "objects").is_dir(),
                "features": {"diff": _has_module("diff"), "images": _has_module("images.build")},
            }
        )


class SnapshotsHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        notebook = self.notebook_arg()
        all_notebooks = self.all_notebooks_arg()
        query = self.snapshot_query(DEFAULT_LIMIT, MAX_LIMIT)
        page = await self.call(self.ctx.list_snapshots, notebook, all_notebooks, query)
        self.reply(page)


class SnapshotHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self, ref: str) -> None:
        self.reply(await self.call(self.ctx.show_snapshot, self.notebook_arg(), ref))


class FilesHandler(MlverHandler):
    """A page of a snapshot's data files, directories expanded from their trees."""

    @tornado.web.authenticated
    async def get(self, ref: str) -> None:
        page = await self.call(
            self.ctx.list_files,
            self.notebook_arg(),
            ref,
            self.get_query_argument("path", ""),
            self.int_arg("limit", FILES_LIMIT, 1, MAX_FILES_LIMIT),
            self.int_arg("offset", 0, 0, 2**62),
        )
        self.reply(page)


class TagsHandler(MlverHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self, ref: str) -> None:
        name = self.str_field(self.body_json(), "name", required=True)
        result = await self.call(self.ctx.add_tag, self.notebook_arg(), ref, name)
        self.reply(result, status=201)


class DiffHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        a = self.get_query_argument("a", None)
        b = self.get_query_argument("b", None)
        if not a or not b:
            raise InvalidInput("a diff needs two refs: ?a=<ref>&b=<ref>")
        self.reply(await self.call(self.ctx.diff, self.notebook_arg(), a, b))


class NotebookHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self, oid: str) -> None:
        data = await self.call(self.ctx.get_notebook, self.notebook_arg(), oid)
        self.set_header("Content-Type", "application/json")
        self.finish(data)


class ImagesHandler(MlverHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.body_json()
        ref = self.str_field(body, "snapshot", required=True)
        options = {name: self.str_field(body, name) for name in ("tag", "base", "push")}
        no_cache = body.get("no_cache", False)
        if not isinstance(no_cache, bool):
            raise InvalidInput("'no_cache' must be true or false")
        notebook = self.ctx.notebook_path(self.str_field(body, "notebook"))
        if not _has_module("images.build"):
            raise tornado.web.HTTPError(501, "image builds are not available in this version")
        store_dir, snapshot_id = await self.call(self.ctx.resolve, notebook, ref)
        from .images import build_job

        job = self.ctx.jobs.submit(
            "image-build",
            {"snapshot": snapshot_id, **options, "no_cache": no_cache},
            build_job(store_dir, snapshot_id, self.ctx.settings, no_cache=no_cache, **options),
        )
        url = url_path_join(self.base_url, NAMESPACE, "jobs", job.id)
        self.set_header("Location", url)
        self.reply({"job": job.id, "url": url}, status=202)


class RunsHandler(MlverHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        """``{notebook, params, sweep, jobs, metric, timeout}`` -> 202 ``{job, url, runs}``."""
        from .runs import check_run, run_job, run_options

        body = self.body_json()
        notebook = self.ctx.notebook_path(self.str_field(body, "notebook", required=True))
        assert notebook is not None
        options = run_options(body)
        runs = await self.call(check_run, notebook, options)
        job = self.ctx.jobs.submit(
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
        )
        url = url_path_join(self.base_url, NAMESPACE, "jobs", job.id)
        self.set_header("Location", url)
        self.reply({"job": job.id, "url": url, "runs": runs}, status=202)


class JobsHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        self.reply({"jobs": [job.to_json(log_lines=0) for job in self.ctx.jobs.list()]})


class JobHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self, job_id: str) -> None:
        lines = self.int_arg("log_lines", 50, 0, 200)
        self.reply(self.ctx.jobs.get(job_id).to_json(log_lines=lines))


def _has_module(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(f"jupyter_mlver.core.{name}") is not None
    except ModuleNotFoundError:
        return False


def setup_handlers(
    web_app: tornado.web.Application, log: logging.Logger | None = None
) -> MlverContext:
    """Add the REST API to a Jupyter server's web application."""
    from . import models

    settings = web_app.settings
    ctx = MlverContext(
        settings.get("server_root_dir") or os.getcwd(),
        Mlver(config=settings.get("config")),
        log or logging.getLogger("jupyter_mlver"),
    )
    settings["jupyter_mlver"] = ctx
    from .dashboard import DriftHandler, ExperimentsHandler, GovernanceHandler

    base = url_path_join(settings.get("base_url", "/"), NAMESPACE)
    ref = r"(?P<ref>[^/]+)"
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "info"), InfoHandler),
            (url_path_join(base, "snapshots"), SnapshotsHandler),
            (url_path_join(base, "snapshots", ref), SnapshotHandler),
            (url_path_join(base, "snapshots", ref, "tags"), TagsHandler),
            (url_path_join(base, "snapshots", ref, "files"), FilesHandler),
            (url_path_join(base, "diff"), DiffHandler),
            (url_path_join(base, "drift"), DriftHandler),
            (url_path_join(base, "experiments"), ExperimentsHandler),
            (url_path_join(base, "governance"), GovernanceHandler),
            (url_path_join(base, "notebooks", r"(?P<oid>[^/]+)"), NotebookHandler),
            (url_path_join(base, "images"), ImagesHandler),
            (url_path_join(base, "runs"), RunsHandler),
            (url_path_join(base, "jobs"), JobsHandler),
            (url_path_join(base, "jobs", r"(?P<job_id>[^/]+)"), JobHandler),
            *models.routes(base),
        ],
    )
    return ctx
