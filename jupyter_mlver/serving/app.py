"""The ASGI application: routes of both protocols, metrics, samples, JSON errors.

Decoding, prediction and encoding run in a worker thread, so a long prediction never stalls
health probes or ``/metrics``; sampled rows are written after the answer is sent.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import jsonio, mlflow, v2
from .batching import DEFAULT_MAX_ROWS, Batcher
from .metrics import Metrics
from .model import PredictError, ServedModel
from .sampling import Sampler, json_lines
from .table import PayloadError, Table

log = logging.getLogger(__name__)

JSON = "application/json"
JSONL = "application/jsonl"
# What a handler's worker thread returns: status, JSON body, and the rows it decoded (if any).
Outcome = tuple[int, bytes, Table | None]


def create_app(
    served: ServedModel, sampler: Sampler | None = None, max_batch_rows: int = DEFAULT_MAX_ROWS
) -> Starlette:
    server = _Server(served, sampler, Batcher(served, max_batch_rows))
    model = "/v2/models/{name}"
    versioned = "/v2/models/{name}/versions/{version}"
    routes = [
        Route("/v2/health/live", server.live),
        Route("/v2/health/ready", server.ready),
        Route("/v2", server.server_metadata),
        Route("/v2/", server.server_metadata),  # the protocol's path
        Route(model, server.model_metadata),
        Route(versioned, server.model_metadata),
        Route(f"{model}/ready", server.model_ready),
        Route(f"{versioned}/ready", server.model_ready),
        Route(f"{model}/infer", server.infer, methods=["POST"]),
        Route(f"{versioned}/infer", server.infer, methods=["POST"]),
        Route("/ping", server.ping),
        Route("/invocations", server.invocations, methods=["POST"]),
        Route("/metrics", server.metrics_text),
        Route("/mlver/samples", server.samples),
        Route("/mlver/durations", server.durations),
    ]
    return Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_error, Exception: _internal_error},
    )


def _json(obj: Any, status: int = 200) -> Response:
    return Response(jsonio.encode(obj), status_code=status, media_type=JSON)


def _error(status: int, message: str) -> Response:
    return Response(jsonio.error(message), status_code=status, media_type=JSON)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {404: f"no such endpoint: {request.url.path}", 405: "method not allowed"}
    return _error(exc.status_code, message.get(exc.status_code, str(exc.detail)))


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return _error(500, f"internal error: {type(exc).__name__}")


class _Server:
    def __init__(self, served: ServedModel, sampler: Sampler | None, batcher: Batcher) -> None:
        self.served = served
        self.sampler = sampler
        self.batcher = batcher
        self.metrics = Metrics(served)

    async def live(self, request: Request) -> Response:
        return _json({"live": True})

    async def ready(self, request: Request) -> Response:
        return _json({"ready": True})

    async def ping(self, request: Request) -> Response:
        return Response(b"\n", media_type=JSON)

    async def server_metadata(self, request: Request) -> Response:
        return _json(v2.server_metadata())

    async def model_metadata(self, request: Request) -> Response:
        return self._unknown(request) or _json(v2.model_metadata(self.served))

    async def model_ready(self, request: Request) -> Response:
        return self._unknown(request) or _json({"name": self.served.name, "ready": True})

    async def metrics_text(self, request: Request) -> Response:
        body, content_type = self.metrics.exposition(request.headers.get("accept", ""))
        return Response(body, headers={"content-type": content_type})

    async def samples(self, request: Request) -> Response:
        text = request.query_params.get("limit", "")
        if text and not text.isdigit():
            return _error(400, "limit: expected a number of rows")
        if self.sampler is None:
            return Response(b"", media_type=JSONL)
        body = await run_in_threadpool(self.sampler.newest, int(text) if text else None)
        return Response(body, media_type=JSONL)

    async def durations(self, request: Request) -> Response:
        """The durations of answered predictions numbered above ``after`` (the newest
        ``limit`` of them)."""
        after, limit = (request.query_params.get(k, "") for k in ("after", "limit"))
        if any(text and not text.isdigit() for text in (after, limit)):
            return _error(400, "after, limit: expected whole numbers")
        found = self.metrics.durations.after(int(after or 0), int(limit) if limit else None)
        return _json(found)

    async def infer(self, request: Request) -> Response:
        start = time.perf_counter()
        unknown = self._unknown(request)
        if unknown is not None:
            self.metrics.observe("infer", unknown.status_code, time.perf_counter() - start, 0)
            return unknown
        return await self._predict(request, "infer", self._infer)

    async def invocations(self, request: Request) -> Response:
        return await self._predict(request, "invocations", self._invocations)

    def _unknown(self, request: Request) -> Response | None:
        """404 unless the path names this model (and its version, if it names one)."""
        name = request.path_params["name"]
        version = request.path_params.get("version")
        if name != self.served.name:
            return _error(404, f"model {name!r} is not served here (this is {self.served.name})")
        if version is not None and version != self.served.version:
            here = f"this is version {self.served.version}"
            return _error(404, f"{name} version {version} is not served here ({here})")
        return None

    async def _predict(
        self, request: Request, endpoint: str, work: Callable[[bytes, str], Outcome]
    ) -> Response:
        start = time.perf_counter()
        body = await request.body()
        try:
            status, content, table = await run_in_threadpool(
                work, body, request.headers.get("content-type", "")
            )
        except Exception as exc:
            log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
            status, content, table = 500, jsonio.error(f"internal error: {exc!r}"), None
        rows = table.rows if table is not None and status == 200 else 0
        self.metrics.observe(endpoint, status, time.perf_counter() - start, rows)
        task = None
        if table is not None and self.sampler is not None and self.sampler.chosen():
            task = BackgroundTask(self._sample, table)
        return Response(content, status_code=status, media_type=JSON, background=task)

    def _infer(self, body: bytes, content_type: str) -> Outcome:
        try:
            request = v2.parse_infer(body, self.served)
        except PayloadError as exc:
            return exc.status, jsonio.error(str(exc)), None
        return _answer(
            request.table,
            lambda: v2.infer_response(
                self.served,
                request.id,
                {m: self.batcher.predict(request.table, m) for m in request.outputs},
            ),
        )

    def _invocations(self, body: bytes, content_type: str) -> Outcome:
        try:
            table, method = mlflow.parse(body, content_type, self.served)
        except PayloadError as exc:
            return exc.status, jsonio.error(str(exc)), None
        return _answer(table, lambda: mlflow.response(self.batcher.predict(table, method)))

    def _sample(self, table: Table) -> None:
        assert self.sampler is not None
        written = self.sampler.write(json_lines(table, self.sampler.cap))
        self.metrics.count_sampled(written)


def _answer(table: Table, predict: Callable[[], Any]) -> Outcome:
    """200 with the predictions, or 500 with the model's error (its input is still sampled)."""
    try:
        return 200, jsonio.encode(predict()), table
    except PredictError as exc:
        log.error("%s", exc, exc_info=exc.__cause__)
        return 500, jsonio.error(str(exc)), table
