"""Run ``jupyter mlver`` and SIGKILL it at a chosen point: the N-th call of a step.

    python tests/crashpoints.py POINT N -- snapshot -m x --data big
    python tests/crashpoints.py count 0 -- snapshot -m x --data big   (prints how often
                                                                      each point is passed)

Points name the steps where a crash could leave a store half-written (hashing, staging a
copy or packing it, syncing, renaming into ``objects/``, writing the hash cache's claims,
each statement of the index, pack index and ledger transactions, uploads, the conditional
creates that claim version numbers, downloads) or a checkout half-done (``place``/``placed``:
before and after each file is put in place, ``written``: its bytes written but the file not
named yet, ``linked``: a replacing file under its temporary name, ``checkout-sync``: the one
sync at the end). The kill is real: the process dies mid-step with no cleanup, exactly as
with ``kill -9``. A checkout's file writer processes are armed too: the one that reaches the
point kills the checkout and itself (the others die with the checkout).
``$MLVER_CRASH_PROCESS_MIN_FILES`` lowers how many files a checkout needs before it starts
writer processes.
"""

from __future__ import annotations

import atexit
import functools
import importlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

COUNTS_MARK = "crashpoints-counts:"


class _Counter:
    """Counts passes of one point; kills the process at the ``n``-th (never if n == 0),
    and first the process ``also`` (a writer process's checkout)."""

    def __init__(self, n: int, also: int | None = None) -> None:
        self.n = n
        self.also = also
        self.passed = 0
        self.lock = threading.Lock()

    def tick(self) -> None:
        with self.lock:
            self.passed += 1
            if self.passed == self.n:
                if self.also is not None:
                    os.kill(self.also, signal.SIGKILL)
                os.kill(os.getpid(), signal.SIGKILL)


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


_SQL_TRACES: dict[str, list[tuple[str, _Counter]]] = {}


def _trace_sql(module: Any, pattern: str, counter: _Counter) -> None:
    """Count (and kill) as each statement containing ``pattern`` starts on ``module``'s
    connections: those its ``connect`` opens, or its ``LazyDatabase``'s (``prepare`` gets each
    one first)."""
    traces = _SQL_TRACES.setdefault(module.__name__, [])
    traces.append((pattern, counter))
    if len(traces) > 1:
        return  # connections are traced already; the callback reads the list

    from jupyter_mlver.core.store.sqlite import LazyDatabase

    def traced(conn: sqlite3.Connection) -> sqlite3.Connection:
        def trace(statement: str) -> None:
            for wanted, c in traces:
                if wanted in statement:
                    c.tick()

        conn.set_trace_callback(trace)
        return conn

    databases = [
        cls
        for cls in vars(module).values()
        if isinstance(cls, type)
        and cls.__module__ == module.__name__
        and issubclass(cls, LazyDatabase)
    ]
    for cls in databases:
        prepare = cls.prepare

        def prepare_traced(self: Any, conn: sqlite3.Connection, prepare: Any = prepare) -> None:
            prepare(self, traced(conn))

        cls.prepare = prepare_traced  # type: ignore[method-assign]
    if not databases:
        original = module.connect
        module.connect = lambda *args, **kwargs: traced(original(*args, **kwargs))


def _modules() -> dict[str, Any]:
    modules = {
        "index": "store.index.db",
        "objects": "store.objects",
        "packs": "store.packs",
        "state": "store.state",
        "durable": "store.durable",
        "filebatch": "store.filebatch",
        "filewriter": "store.filewriter",
        "placing": "store.placing",
        "capture.files": "capture.files",
        "remote.backend": "remote.backend",
        "remote.ledger": "remote.ledger",
        "remote.fetch": "remote.fetch",
        "remote.conditional": "remote.conditional",
    }
    return {
        name: importlib.import_module(f"jupyter_mlver.core.{module}")
        for name, module in modules.items()
    }


Modules = dict[str, Any]


def _hash(m: Modules, counter: _Counter) -> None:  # reading small files, hashing large ones
    _wrap(m["capture.files"], "_read_small", counter)
    _wrap(m["capture.files"], "hash_file", counter)


def _stage(m: Modules, counter: _Counter, after: bool = False) -> None:
    """A loose copy in tmp/, or an object into a pack."""
    _wrap(m["objects"], "copy_into", counter, after=after)
    _wrap(m["packs"].PackWriter, "add", counter, after=after)


def _sync(m: Modules, counter: _Counter) -> None:
    _wrap(os, "sync", counter)
    _wrap(m["objects"], "fsync_path", counter)
    _wrap(m["durable"], "_syncfs", counter)


def _rename(m: Modules, counter: _Counter) -> None:
    """Publishing a staged object or pack into objects/."""
    replace = os.replace

    def publish(src: Any, dst: Any) -> None:
        if f"{os.sep}objects{os.sep}" in os.fspath(dst):
            counter.tick()
        replace(src, dst)

    m["objects"].os.replace = publish


def _unlink(m: Modules, counter: _Counter) -> None:
    """Removing an object file (gc, migrate)."""
    import pathlib

    unlink = pathlib.Path.unlink

    def remove(self: pathlib.Path, missing_ok: bool = False) -> None:
        if f"{os.sep}objects{os.sep}" in str(self):
            counter.tick()
        unlink(self, missing_ok=missing_ok)

    pathlib.Path.unlink = remove  # type: ignore[method-assign]


def _claim(m: Modules, counter: _Counter, after: bool = False) -> None:
    for name in ("save_tree", "save_files"):
        _wrap(m["state"].StateCache, name, counter, after=after)


def _upload(m: Modules, counter: _Counter, after: bool = False) -> None:
    for name in ("put_file", "put_bytes"):
        _wrap(m["remote.backend"].RemoteFS, name, counter, after=after)


def _number(m: Modules, counter: _Counter, after: bool = False) -> None:
    """A conditional create: a version's number claimed on a remote (or the S3 check)."""
    _wrap(m["remote.conditional"], "create", counter, after=after)


def _download(m: Modules, counter: _Counter, after: bool = False) -> None:
    for name in ("download", "small"):  # a large object into tmp/, a small one into memory
        _wrap(m["remote.fetch"].RemoteReader, name, counter, after=after)


def _place(m: Modules, counter: _Counter, after: bool = False) -> None:
    """A file written and renamed into the work tree by a checkout (small or large)."""
    _wrap(m["filebatch"], "place", counter, after=after)
    _wrap(m["filewriter"].FileWriter, "_large", counter, after=after)


def _written(m: Modules, counter: _Counter) -> None:
    """A file's bytes written (to a file without a name, or under a temporary one), before
    it is put in place."""
    _wrap(m["placing"], "fill", counter, after=True)
    _wrap(m["filewriter"], "copy_large", counter, after=True)


def _linked(m: Modules, counter: _Counter) -> None:
    """A file that replaces another, linked to its temporary name, not yet renamed."""
    _wrap(m["placing"], "link_temporary", counter, after=True)


def _checkout_sync(m: Modules, counter: _Counter) -> None:
    _wrap(m["filewriter"], "sync_all", counter)


def _seconds(m: Modules, counter: _Counter) -> None:  # a kill N ms in, wherever it is
    threading.Timer(counter.n / 1000, os.kill, (os.getpid(), signal.SIGKILL)).start()


#: Each point's installer; "<step>ed" kills just after the call instead of just before it.
_POINTS: dict[str, Callable[[Modules, _Counter], None]] = {
    "hash": _hash,
    "stage": _stage,
    "staged": functools.partial(_stage, after=True),
    "sync": _sync,
    "rename": _rename,
    "unlink": _unlink,
    "claim": _claim,
    "claimed": functools.partial(_claim, after=True),
    "upload": _upload,
    "uploaded": functools.partial(_upload, after=True),
    "number": _number,
    "numbered": functools.partial(_number, after=True),
    "download": _download,
    "downloaded": functools.partial(_download, after=True),
    "place": _place,
    "placed": functools.partial(_place, after=True),
    "written": _written,
    "linked": _linked,
    "checkout-sync": _checkout_sync,
    "seconds": _seconds,
}
#: "<prefix>:<pattern>" points: each statement containing the pattern on that module's
#: connections (its transactions).
_SQL_POINTS = {"index": "index", "packs": "packs", "ledger": "remote.ledger"}


def _install(point: str, counter: _Counter) -> None:
    prefix, colon, pattern = point.partition(":")
    if colon and prefix in _SQL_POINTS:
        _trace_sql(_modules()[_SQL_POINTS[prefix]], pattern, counter)
    elif point in _POINTS:
        _POINTS[point](_modules(), counter)
    else:
        raise SystemExit(f"unknown crash point {point!r}")


#: What ``count`` reports: every point that is a count of calls.
COUNTED = [
    "hash",
    "stage",
    "sync",
    "rename",
    "claim",
    "unlink",
    "index:BEGIN",
    "index:INSERT OR IGNORE INTO records",
    "index:COMMIT",
    "packs:INSERT",
    "packs:COMMIT",
    "ledger:COMMIT",
    "upload",
    "number",
    "download",
]


def _arm_workers(point: str, n: int) -> None:
    """Checkout writer processes start through this file, armed with the same point."""
    from jupyter_mlver.core.store import filewriter, workers

    workers.WORKER_COMMAND = [sys.executable, __file__, "worker", point, str(n), "--"]
    minimum = os.environ.get("MLVER_CRASH_PROCESS_MIN_FILES")
    if minimum:
        filewriter.PROCESS_MIN_FILES = int(minimum)


def _worker(point: str, n: int, parent: int) -> None:
    """A checkout's writer process, killing its checkout and itself at the point."""
    if point not in ("count", "seconds"):  # a timed kill is the checkout's own
        _install(point, _Counter(n, also=parent))
    from jupyter_mlver.core.store.filebatch import serve

    serve(parent)


def arm(point: str, n: int) -> None:
    _arm_workers(point, n)
    if point != "count":
        _install(point, _Counter(n))
        return
    counters = {p: _Counter(0) for p in COUNTED}
    for p, counter in counters.items():
        _install(p, counter)
    atexit.register(
        lambda: print(
            COUNTS_MARK + json.dumps({p: c.passed for p, c in counters.items()}), file=sys.stderr
        )
    )


def run_armed(
    cwd: Path, point: str, n: int, *args: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``jupyter mlver ARGS`` in ``cwd``, killed at its ``n``-th pass of ``point`` (``count
    0``: never killed, every point counted; see ``counts``)."""
    return subprocess.run(
        [sys.executable, __file__, point, str(n), "--", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=None if env is None else {**os.environ, **env},
    )


def counts(stderr: str) -> dict[str, int]:
    """The counts a ``count`` run printed."""
    line = next(x for x in stderr.splitlines() if x.startswith(COUNTS_MARK))
    out: dict[str, int] = json.loads(line[len(COUNTS_MARK) :])
    return out


if __name__ == "__main__":
    if sys.argv[1] == "worker":
        _, point, n, _sep, parent = sys.argv[1:]
        _worker(point, int(n), int(parent))
        sys.exit(0)
    point, n, sep, *argv = sys.argv[1:]
    assert sep == "--", "usage: crashpoints.py POINT N -- ARGS..."
    arm(point, int(n))
    from jupyter_mlver.cli import main

    code = main(argv)
    sys.stdout.flush()
    sys.exit(code)
