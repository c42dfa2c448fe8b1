"""Requests that arrive together are predicted together.

A scikit-learn pipeline spends most of a one-row request outside its arithmetic: validating
the frame, pandas indexing per column transformer, the estimator's checks. That cost is paid
per ``predict`` call, not per row, so a server that calls ``predict`` once for every request
that waits (instead of once per request) answers several times as many small requests on the
same cores. The first request to find nobody predicting becomes the leader: it takes what is
queued (the same method and columns, up to ``max_rows`` rows), predicts it in one call, and
hands each request its own rows of the answer; the others wait. Nothing waits for a batch to
fill: a request alone is predicted at once.

A batch whose ``predict`` fails is predicted again request by request, so each error belongs
to the request that caused it. ``max_rows`` 0 turns batching off (``--max-batch-rows``, for a
model whose answer for a row depends on the other rows of its call).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .model import PredictError, ServedModel
from .table import Table

DEFAULT_MAX_ROWS = 10_000


@dataclass(eq=False)  # identity: the queue removes this very request, never compares tables
class _Item:
    table: Table
    method: str
    done: bool = False
    result: Any = None
    error: BaseException | None = None
    event: threading.Event = field(default_factory=threading.Event)

    def answer(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.result


class Batcher:
    def __init__(self, served: ServedModel, max_rows: int = DEFAULT_MAX_ROWS) -> None:
        self.served = served
        self.max_rows = max_rows
        self._lock = threading.Lock()
        self._queue: deque[_Item] = deque()
        self._busy = False
        self.batches = 0  # predict calls made for more than one request (for tests)

    def predict(self, table: Table, method: str = "predict") -> Any:
        """``served.predict(table, method)``, maybe in one call with other requests' rows."""
        if self.max_rows <= 0:
            return self.served.predict(table, method)
        item = _Item(table, method)
        with self._lock:
            self._queue.append(item)
        while True:
            with self._lock:
                if item.done:
                    break
                lead = not self._busy
                if lead:
                    batch = self._take(item)
                    self._busy = True
            if not lead:
                item.event.wait()
                item.event.clear()
                continue
            try:
                self._run(batch)
            finally:
                with self._lock:
                    self._busy = False
                    waiting = list(self._queue)
                for other in waiting:  # one of them leads the next batch
                    other.event.set()
        return item.answer()

    def _take(self, leader: _Item) -> list[_Item]:
        """The leader's own request and the queued ones that fit with it (under the lock)."""
        batch = [leader]
        self._queue.remove(leader)
        rows = leader.table.rows
        for other in list(self._queue):
            if rows + other.table.rows > self.max_rows:
                break
            if other.method == leader.method and _same_columns(other.table, leader.table):
                self._queue.remove(other)
                batch.append(other)
                rows += other.table.rows
        return batch

    def _run(self, batch: list[_Item]) -> None:
        if len(batch) > 1:
            try:
                result = self.served.predict(_concat([i.table for i in batch]), batch[0].method)
                start = 0
                for item in batch:
                    item.result = _rows(result, start, start + item.table.rows)
                    start += item.table.rows
                self.batches += 1
                self._finish(batch)
                return
            except PredictError:
                pass  # predicted again one by one: each error is its own request's
        for item in batch:
            try:
                item.result = self.served.predict(item.table, item.method)
            except BaseException as exc:  # handed to the request's own thread
                item.error = exc
        self._finish(batch)

    @staticmethod
    def _finish(batch: list[_Item]) -> None:
        for item in batch:
            item.done = True
            item.event.set()


def _same_columns(a: Table, b: Table) -> bool:
    return (
        a.names == b.names
        and a.named == b.named
        and all(x.dtype == y.dtype for x, y in zip(a.arrays, b.arrays, strict=True))
    )


def _concat(tables: list[Table]) -> Table:
    first = tables[0]
    arrays = [np.concatenate([t.arrays[j] for t in tables]) for j in range(len(first.names))]
    return Table(list(first.names), arrays, first.named)


def _rows(result: Any, start: int, end: int) -> Any:
    """One request's rows of a batch's answer (an array, a DataFrame or Series, a list)."""
    if hasattr(result, "iloc"):
        return result.iloc[start:end]
    if isinstance(result, np.ndarray):
        return result[start:end]
    return np.asarray(result)[start:end]
