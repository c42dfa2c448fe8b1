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
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado.ioloop import IOLoop

from .._version import __version__
from ..config import Mlver
from ..core.errors import InvalidInput, MlverError, RecordNotFound
from ..core.index import ALL, SnapshotRow
from ..core.store import Store, find_store_dir
from .jobs import JobManager, error_code

T = TypeVar("T")

NAMESPACE = "jupyter-mlver"
AUTH_RESOURCE = "mlver"
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
#: A page of a snapshot's data files.
FILES_LIMIT = 200
MAX_FILES_LIMIT = 5000
_HASH = re.compile(r"^[0-9a-f]{64}$")


class MlverContext:
    """What the handlers share: the server root, settings, a thread pool, stores, jobs."""

    def __init__(self, root_dir: str | os.PathLike[str], settings: Mlver, log: logging.Logger):
        self.root_dir = Path(os.path.abspath(root_dir))
        self._real_root = self.root_dir.resolve()
        self.settings = settings
        self.log = log
        self.executor = ThreadPoolExecutor(4, thread_name_prefix="mlver-api")
        self.jobs = JobManager(log=log)
        # SQLite connections are per thread: each pool thread keeps its own Store objects.
        self._local = threading.local()

    def close(self) -> None:
        self.jobs.shutdown()
        self.executor.shutdown(wait=False, cancel_futures=True)

    # -- paths -------------------------------------------------------------------

    def notebook_path(self, path: str | None) -> Path | None:
        """A request's path (relative to the server root) as an absolute path inside it.

        Absolute paths, ``..`` escapes and symlinks leading out of the root are refused (403).
        """
        if path is None or path == "":
            return None
        if "\x00" in path:
            raise InvalidInput("a path cannot contain NUL characters")
        candidate = Path(path)
        if candidate.is_absolute() or path.startswith("~"):
            raise tornado.web.HTTPError(
                403, "paths are relative to the server's root directory: %s", path
            )
        absolute = Path(os.path.normpath(self.root_dir / candidate))
        real = absolute.resolve()
        if not (real == self._real_root or real.is_relative_to(self._real_root)):
            raise tornado.web.HTTPError(403, "path outside the server's root directory: %s", path)
        return absolute

    def server_path(self, store: Store, store_path: str | None) -> str | None:
        """A notebook path as records keep it (store-relative) as the frontend knows it."""
        if store_path is None:
            return None
        absolute = Path(os.path.normpath(store.root / store_path))
        try:
            return absolute.relative_to(self.root_dir).as_posix()
        except ValueError:
            return store_path

    # -- stores ------------------------------------------------------------------

    def store_dir(self, notebook: Path | None) -> Path:
        start = notebook.parent if notebook is not None else self.root_dir
        return find_store_dir(start, explicit=self.settings.store_dir)

    def store(self, notebook: Path | None) -> Store | None:
        """This thread's Store for a notebook (or the root), or None if none exists yet."""
        store_dir = self.store_dir(notebook)
        if not (store_dir / "objects").is_dir():
            return None
        stores: dict[Path, Store] | None = getattr(self._local, "stores", None)
        if stores is None:
            stores = self._local.stores = {}
        store = stores.get(store_dir)
        if store is None:
            store = stores[store_dir] = Store(store_dir)
        return store

    def require_store(self, notebook: Path | None) -> Store:
        store = self.store(notebook)
        if store is None:
            raise RecordNotFound(
                f"no jupyter_mlver store at {self.store_dir(notebook)}",
                "take a snapshot first (`%mlver snapshot` or the panel's Snapshot button)",
            )
        return store

    # -- the calls behind the endpoints (run in the pool) -------------------------

    def row_json(
        self, store: Store, row: SnapshotRow, pushed: dict[str, dict[str, bool]]
    ) -> dict[str, Any]:
        return {
            **row.summary,
            "id": row.id,
            "created": row.created,
            "notebook": self.server_path(store, row.notebook),
            "parent": row.parent,
            "environment": row.environment,
            "tags": row.tags,
            "pushed": sorted(name for name, ids in pushed.items() if row.id in ids),
        }

    def list_snapshots(
        self,
        notebook: Path | None,
        q: str | None,
        tag: str | None,
        limit: int,
        offset: int,
        all_notebooks: bool,
    ) -> dict[str, Any]:
        store = self.store(notebook)
        page: dict[str, Any] = {
            "snapshots": [],
            "total": 0,
            "offset": offset,
            "limit": limit,
            "latest": None,
            "generation": 0,
            "store": str(self.store_dir(notebook)),
        }
        if store is None:
            return page
        where: object = ALL
        if notebook is not None and not all_notebooks:
            where = store.relpath(notebook)
        rows, total = store.index.snapshots(
            notebook=where, q=q or None, tag=tag or None, limit=limit, offset=offset
        )
        if rows and offset == 0:
            latest: str | None = rows[0].id
        else:
            newest, _ = store.index.snapshots(notebook=where, q=q or None, tag=tag or None, limit=1)
            latest = newest[0].id if newest else None
        from ..core.detail import pushed

        remotes = pushed(store) if rows else {}
        page.update(
            snapshots=[self.row_json(store, row, remotes) for row in rows],
            total=total,
            latest=latest,
            generation=store.index.generation(),
        )
        return page

    def show_snapshot(self, notebook: Path | None, ref: str) -> dict[str, Any]:
        from ..core.detail import snapshot_detail

        store = self.require_store(notebook)
        detail = snapshot_detail(store, store.resolve(ref, self._where(store, notebook)))
        nb = detail.record.get("notebook") or {}
        return {**detail.to_json(), "notebook_path": self.server_path(store, nb.get("path"))}

    def list_files(
        self, notebook: Path | None, ref: str, path: str, limit: int, offset: int
    ) -> dict[str, Any]:
        from ..core.datarefs import files_page

        store = self.require_store(notebook)
        rid = store.resolve(ref, self._where(store, notebook))
        files, total = files_page(store.objects.get_bytes, store.get(rid), path, offset, limit)
        return {
            "snapshot": rid,
            "path": path,
            "files": files,
            "total": total,
            "offset": offset,
            "limit": limit,
        }

    def diff(self, notebook: Path | None, a: str, b: str) -> dict[str, Any]:
        store = self.require_store(notebook)
        where = self._where(store, notebook)
        a_id, b_id = store.resolve(a, where), store.resolve(b, where)
        if not _has_module("diff"):
            raise tornado.web.HTTPError(501, "comparison is not available in this version")
        from ..core.diff import diff_snapshots

        return dict(diff_snapshots(store, a_id, b_id))

    def get_notebook(self, notebook: Path | None, oid: str) -> bytes:
        if not _HASH.match(oid):
            raise InvalidInput(
                f"{oid!r} is not a notebook hash", "give the 64 hex digits of record.notebook.hash"
            )
        store = self.require_store(notebook)
        if not store.objects.exists(oid):
            raise RecordNotFound(f"no stored notebook {oid[:12]}")
        data = store.objects.get_bytes(oid)
        try:
            doc = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError):
            doc = None
        if not isinstance(doc, dict) or not isinstance(doc.get("cells"), list):
            raise RecordNotFound(f"object {oid[:12]} is not a notebook")
        return data

    def add_tag(self, notebook: Path | None, ref: str, name: str) -> dict[str, Any]:
        store = self.require_store(notebook)
        tag = store.add_tag(ref, name, self._where(store, notebook))
        snapshot = tag["snapshot"]
        return {"name": name, "snapshot": snapshot, "tags": store.index.tags_of(snapshot)}

    def resolve(self, notebook: Path | None, ref: str) -> tuple[Path, str]:
        store = self.require_store(notebook)
        return store.dir, store.resolve(ref, self._where(store, notebook))

    @staticmethod
    def _where(store: Store, notebook: Path | None) -> object:
        """HEAD means the latest snapshot of the notebook when one is given."""
        return store.relpath(notebook) if notebook is not None else ALL


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
        limit = self.int_arg("limit", DEFAULT_LIMIT, 0, MAX_LIMIT)
        offset = self.int_arg("offset", 0, 0, 2**31)
        all_notebooks = self.get_query_argument("all", "") in ("1", "true")
        page = await self.call(
            self.ctx.list_snapshots,
            notebook,
            self.get_query_argument("q", None),
            self.get_query_argument("tag", None),
            limit,
            offset,
            all_notebooks,
        )
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
    from .dashboard import DriftHandler, ExperimentsHandler

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
            (url_path_join(base, "notebooks", r"(?P<oid>[^/]+)"), NotebookHandler),
            (url_path_join(base, "images"), ImagesHandler),
            (url_path_join(base, "runs"), RunsHandler),
            (url_path_join(base, "jobs"), JobsHandler),
            (url_path_join(base, "jobs", r"(?P<job_id>[^/]+)"), JobHandler),
            *models.routes(base),
        ],
    )
    return ctx
