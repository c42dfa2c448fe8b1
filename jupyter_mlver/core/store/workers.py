"""Worker processes for ``FileWriter``: each runs ``filebatch`` batches, a directory of its
own while there are directories nobody has started (their entries change under one kernel
lock), then helping with the directory that has the most left (files made without a name
take that lock only to be linked). A worker has one batch at a time: it is handed the next
when it answers.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import subprocess
import sys
from collections import deque
from collections.abc import Callable
from typing import IO

from ..errors import StoreError
from . import filebatch
from .filebatch import Batch, Failed, Written

#: How a worker is started (it is told this process's id, to die with it).
WORKER_COMMAND = [sys.executable, "-m", "jupyter_mlver.core.store.filebatch"]

#: Called with each batch and its result; False stops handing out batches.
OnDone = Callable[[Batch, tuple[Written, Failed]], bool]


class Workers:
    class Unavailable(Exception):
        """No worker process could be started: the caller runs the batches itself."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Workers:
        try:
            for _ in range(self.count):
                self.procs.append(
                    subprocess.Popen(
                        [*WORKER_COMMAND, str(os.getpid())],
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                    )
                )
        except OSError as e:
            self._stop()
            raise Workers.Unavailable(str(e)) from None
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        self._stop(kill=exc_type is not None)

    def _stop(self, kill: bool = False) -> None:
        for proc in self.procs:
            if kill:
                proc.kill()
            with contextlib.suppress(OSError):
                _stdin(proc).close()
        for proc in self.procs:
            proc.wait()
            _stdout(proc).close()
        self.procs = []

    def run(self, queues: list[deque[Batch]], on_done: OnDone) -> None:
        """Run every batch of ``queues`` (one queue per directory)."""
        waiting = deque(q for q in queues if q)
        mine: dict[int, deque[Batch]] = {}

        def next_batch(worker: int) -> Batch | None:
            queue = mine.get(worker)
            if not queue:
                queue = waiting.popleft() if waiting else max(mine.values(), key=len, default=None)
                if not queue:
                    return None
                mine[worker] = queue
            return queue.popleft()

        busy: dict[int, Batch] = {}
        going = True
        with selectors.DefaultSelector() as selector:
            for worker, proc in enumerate(self.procs):
                selector.register(_stdout(proc), selectors.EVENT_READ, worker)
                self._hand(worker, next_batch(worker), busy)
            while busy:
                for key, _ in selector.select():
                    worker = key.data
                    result = filebatch.receive(_stdout(self.procs[worker]))
                    if result is None:
                        raise self._died(worker)
                    going = on_done(busy.pop(worker), result) and going
                    if going:
                        self._hand(worker, next_batch(worker), busy)

    def _hand(self, worker: int, batch: Batch | None, busy: dict[int, Batch]) -> None:
        if batch is None:
            return
        try:
            filebatch.send(_stdin(self.procs[worker]), batch)
        except OSError:
            raise self._died(worker) from None
        busy[worker] = batch

    def _died(self, worker: int) -> StoreError:
        proc = self.procs[worker]
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        return StoreError(
            f"a file writer process stopped unexpectedly (exit code {proc.returncode})",
            "run the same command again: it finishes what was left",
        )


def _stdin(proc: subprocess.Popen[bytes]) -> IO[bytes]:
    assert proc.stdin is not None
    return proc.stdin


def _stdout(proc: subprocess.Popen[bytes]) -> IO[bytes]:
    assert proc.stdout is not None
    return proc.stdout
