"""The side panel's API with 10,000 snapshots (target: a page of 50 in < 50 ms median).

    .venv/bin/python benchmarks/bench_api.py [--snapshots 10000] [--repeat 50]

Builds a store of SNAPSHOTS snapshot records directly (``ObjectWriter`` + one ``Index.add``
transaction; no capture, so it takes seconds), spread over 20 notebooks, each with a few
params and metrics and every 100th tagged. Starts a real Jupyter server with the
jupyter_mlver extension and token auth on a free loopback port, then times, median and p95
of REPEAT requests over one kept-alive HTTP connection:

- ``GET /jupyter-mlver/snapshots?limit=50``: the panel's first page (all notebooks);
- the same for one notebook, a deep page (offset 9,000), a text filter, a tag;
- ``limit=0``: the panel's poll;
- ``GET /jupyter-mlver/snapshots/<id>`` and ``GET /api/status`` (the server's own floor).

Peers in the same run: ``Index.snapshots()`` in process (the query alone, no HTTP), and
``jupyter mlver list -n 50 --json`` as a subprocess (what a terminal user waits for).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from _common import BIN, WORK, table, timed

from jupyter_mlver.core import records
from jupyter_mlver.core.store.store import Store

NOTEBOOKS = 20
TOKEN = "bench-api-token"


def make_store(root: Path, count: int) -> tuple[str, str]:
    """``count`` snapshot records in a fresh store under ``root``; (newest id, a notebook)."""
    if root.exists():
        shutil.rmtree(root)
    (root / "nb").mkdir(parents=True)
    Store.create(root / ".mlver")
    environment: dict[str, Any] = {
        "schema": records.ENVIRONMENT,
        "python": {"version": "3.11.7", "implementation": "CPython", "executable": "python"},
        "platform": {"system": "Linux", "release": "6.1", "machine": "x86_64", "libc": None},
        "hardware": {"cpu": "bench", "cores": 2, "memory_bytes": 0, "gpus": []},
        "packages": [],
        "conda": None,
        "env_vars": {},
        "fingerprint": "0" * 64,
    }
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    stored: list[dict[str, Any]] = []
    parents: dict[str, str] = {}
    with Store(root / ".mlver") as store, store.writing(), store.objects.writer() as writer:
        env_id = writer.add_bytes(records.encode(environment)[1])
        stored.append({"id": env_id, **environment})
        for i in range(count):
            notebook = f"nb/experiment-{i % NOTEBOOKS:02}.ipynb"
            created = (start + timedelta(seconds=37 * i)).strftime("%Y-%m-%dT%H:%M:%S.%f")
            record: dict[str, Any] = {
                "schema": records.SNAPSHOT,
                "parent": parents.get(notebook),
                "created": created[:-3] + "Z",
                "author": {"name": "bench", "email": "bench@example.org"},
                "message": f"run {i}: lr sweep step {i % 50}",
                "tags": [f"t{i}"] if i % 100 == 0 else [],
                "notebook": {
                    "path": notebook,
                    "hash": "0" * 64,
                    "source": "disk",
                    "kernel": {"name": "python3", "language": "python"},
                },
                "execution": None,
                "namespace": None,
                "state": None,
                "state_skipped": None,
                "params": {"lr": 10 ** -(i % 5), "epochs": i % 30, "model": "resnet"},
                "metrics": {"acc": (i % 1000) / 1000, "loss": [1.0, 0.5, 0.1 + (i % 7) / 10]},
                "data": [],
                "environment": env_id,
                "git": None,
                "mlver_version": "bench",
            }
            rid = writer.add_bytes(records.encode(record)[1])
            parents[notebook] = rid
            stored.append({"id": rid, **record})
        writer.commit()
        store.index.add(*stored)
    newest = stored[-1]
    return newest["id"], newest["notebook"]["path"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A real `jupyter server` with the extension, token auth, on loopback."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.log = open(WORK / "bench_api-server.log", "w")  # noqa: SIM115
        env = {k: v for k, v in os.environ.items() if k != "MLVER_STORE"}
        env["JUPYTER_CONFIG_DIR"] = str(WORK / "jupyter-config")
        self.proc = subprocess.Popen(
            [
                str(BIN / "jupyter"),
                "server",
                f"--ServerApp.root_dir={root}",
                f"--port={self.port}",
                "--ip=127.0.0.1",
                "--no-browser",
                "--allow-root",
                f"--IdentityProvider.token={TOKEN}",
                "--ServerApp.jpserver_extensions={'jupyter_mlver': True}",
                "--ServerApp.log_level=WARN",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.get("/api/status")
                return
            except (OSError, http.client.HTTPException):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit(f"the server did not start; see {self.log.name}") from None
                self.conn.close()
                time.sleep(0.2)

    def get(self, path: str, **query: Any) -> Any:
        url = path + ("?" + urlencode(query) if query else "")
        self.conn.request("GET", url, headers={"Authorization": f"token {TOKEN}"})
        response = self.conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"GET {url}: {response.status} {body[:200]!r}")
        return json.loads(body)

    def stop(self) -> None:
        self.conn.close()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def measure(fn: Any, repeat: int) -> tuple[float, float]:
    fn()  # warm-up (opens the store in the pool thread, fills SQLite's cache)
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    runs.sort()
    return statistics.median(runs), runs[min(len(runs) - 1, int(len(runs) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshots", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    root = WORK / "api-project"

    t = time.perf_counter()
    newest, notebook = make_store(root, args.snapshots)
    build_s = time.perf_counter() - t
    print(f"made a store of {args.snapshots:,} snapshots in {build_s:.1f} s", file=sys.stderr)

    rows: list[list[str]] = []

    def add(name: str, fn: Any) -> None:
        median, p95 = measure(fn, args.repeat)
        rows.append([name, f"{median * 1000:.1f}", f"{p95 * 1000:.1f}"])

    server = Server(root)
    try:
        api = "/jupyter-mlver"
        page = server.get(f"{api}/snapshots", limit=50)
        assert page["total"] == args.snapshots, page["total"]
        assert len(page["snapshots"]) == 50, page["total"]
        assert page["latest"] == newest
        add(
            "GET snapshots?limit=50 (newest page)",
            lambda: server.get(f"{api}/snapshots", limit=50),
        )
        add(
            "GET snapshots?notebook=…&limit=50",
            lambda: server.get(f"{api}/snapshots", notebook=notebook, limit=50),
        )
        add(
            "GET snapshots?limit=50&offset=9000",
            lambda: server.get(f"{api}/snapshots", limit=50, offset=9000),
        )
        add(
            "GET snapshots?q=step 7&limit=50",
            lambda: server.get(f"{api}/snapshots", q="step 7", limit=50),
        )
        add("GET snapshots?tag=t500", lambda: server.get(f"{api}/snapshots", tag="t500"))
        add("GET snapshots?limit=0 (the poll)", lambda: server.get(f"{api}/snapshots", limit=0))
        add(f"GET snapshots/{newest[:8]}", lambda: server.get(f"{api}/snapshots/{newest[:8]}"))
        add("GET /api/status (server floor)", lambda: server.get("/api/status"))
    finally:
        server.stop()

    with Store(root / ".mlver") as store:
        add("peer: Index.snapshots(limit=50)", lambda: store.index.snapshots(limit=50))
    cli = [str(BIN / "jupyter-mlver"), "list", "-n", "50", "--json"]
    env = {k: v for k, v in os.environ.items() if k != "MLVER_STORE"}
    cli_s = timed(
        lambda: subprocess.run(cli, cwd=root, env=env, check=True, capture_output=True),
        repeat=max(3, args.repeat // 10),
    )
    rows.append(["peer: jupyter mlver list -n 50 --json", f"{cli_s * 1000:.1f}", "-"])

    print(f"\nside panel API, {args.snapshots:,} snapshots, {args.repeat} requests each\n")
    print(table(["request", "median ms", "p95 ms"], rows))
    target = float(rows[0][1])
    print(f"\nfirst page of 50: {target:.1f} ms median (target < 50 ms): ", end="")
    print("OK" if target < 50 else "TOO SLOW")


if __name__ == "__main__":
    main()
