"""Run ``jupyter mlver`` and SIGKILL it at a chosen point: the N-th call of a step.

    python tests/crashpoints.py POINT N -- snapshot -m x --data big

Points name the steps where a crash could leave a store half-written (hashing, staging a
copy, syncing, renaming into ``objects/``, writing the hash cache's claims, each statement of
the index transaction, uploads, markers, downloads). The kill is real: the process dies
mid-step with no cleanup, exactly as with ``kill -9``.
"""

from __future__ import annotations

import functools
import importlib
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable
from typing import Any


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class _Counter:
    def __init__(self, n: int) -> None:
        self.n = n
        self.lock = threading.Lock()

    def tick(self) -> None:
        with self.lock:
            self.n -= 1
            if self.n == 0:
                _die()


def _wrap(owner: Any, name: str, counter: _Counter, after: bool = False) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not after:
            counter.tick()
        out = original(*args, **kwargs)
        if after:
            counter.tick()
        return out

    setattr(owner, name, wrapper)


def _trace_sql(module: Any, pattern: str, counter: _Counter) -> None:
    """Kill as the N-th statement containing ``pattern`` starts on ``module``'s connections."""
    original = module.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn: sqlite3.Connection = original(*args, **kwargs)

        def trace(statement: str) -> None:
            if pattern in statement:
                counter.tick()

        conn.set_trace_callback(trace)
        return conn

    module.connect = connect


def arm(point: str, n: int) -> None:
    from jupyter_mlver.core import index, objects, state
    from jupyter_mlver.core.capture import data
    from jupyter_mlver.core.remote import backend, ledger

    pull = importlib.import_module("jupyter_mlver.core.remote.pull")  # not the function

    counter = _Counter(n)
    if point == "none":
        pass
    elif point == "hash":
        _wrap(data, "hash_file", counter)
    elif point == "stage":
        _wrap(objects, "_copy_into", counter)
    elif point == "staged":
        _wrap(objects, "_copy_into", counter, after=True)
    elif point == "sync":
        _wrap(os, "sync", counter)
        _wrap(objects, "_fsync_path", counter)
    elif point == "rename":
        replace = os.replace

        def publish(src: Any, dst: Any) -> None:
            if f"{os.sep}objects{os.sep}" in os.fspath(dst):
                counter.tick()
            replace(src, dst)

        objects.os.replace = publish  # type: ignore[attr-defined]
    elif point == "claim":
        _wrap(state.StateCache, "save_tree", counter)
        _wrap(state.StateCache, "save_files", counter)
    elif point == "claimed":
        _wrap(state.StateCache, "save_tree", counter, after=True)
        _wrap(state.StateCache, "save_files", counter, after=True)
    elif point.startswith("index:"):
        _trace_sql(index, point.split(":", 1)[1], counter)
    elif point.startswith("ledger:"):
        _trace_sql(ledger, point.split(":", 1)[1], counter)
    elif point == "upload":
        _wrap(backend.RemoteFS, "put_file", counter)
        _wrap(backend.RemoteFS, "put_bytes", counter)
    elif point == "uploaded":
        _wrap(backend.RemoteFS, "put_file", counter, after=True)
        _wrap(backend.RemoteFS, "put_bytes", counter, after=True)
    elif point == "download":
        _wrap(pull._Remote, "download", counter)
    elif point == "downloaded":
        _wrap(pull._Remote, "download", counter, after=True)
    elif point == "seconds":
        threading.Timer(n / 1000, _die).start()
    else:
        raise SystemExit(f"unknown crash point {point!r}")


if __name__ == "__main__":
    point, n, sep, *argv = sys.argv[1:]
    assert sep == "--", "usage: crashpoints.py POINT N -- ARGS..."
    arm(point, int(n))
    from jupyter_mlver.cli import main

    sys.exit(main(argv))
