"""The base of every REST handler under ``<base_url>/jupyter-mlver/``: thin front doors over
the core.

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
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado.ioloop import IOLoop

from ..core.errors import InvalidInput, MlverError
from ..core.snapshot.read import SnapshotQuery
from .context import MlverContext
from .jobs import JobFunction, error_code

T = TypeVar("T")

NAMESPACE = "jupyter-mlver"
AUTH_RESOURCE = "mlver"
#: A page of a snapshot's data files.
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

    def start_job(self, kind: str, params: dict[str, Any], fn: JobFunction, **more: Any) -> None:
        """Submit a job and answer 202 with its URL (also in ``Location``) and ``more``."""
        job = self.ctx.jobs.submit(kind, params, fn)
        url = url_path_join(self.base_url, NAMESPACE, "jobs", job.id)
        self.set_header("Location", url)
        self.reply({"job": job.id, "url": url, **more}, status=202)

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

    def two_refs_arg(self, what: str) -> tuple[str, str]:
        """``?a=<ref>&b=<ref>``: the two snapshots ``what`` compares."""
        a = self.get_query_argument("a", None)
        b = self.get_query_argument("b", None)
        if not a or not b:
            raise InvalidInput(f"{what} needs two refs: ?a=<ref>&b=<ref>")
        return a, b

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


def has_module(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(f"jupyter_mlver.core.{name}") is not None
    except ModuleNotFoundError:
        return False
