"""Local deployments: how long each change takes, what the proxy adds to a request, and how
many requests a promotion loses under load.

The peer for latency is the same server reached directly (its published port), without
HAProxy in front. Needs a Docker engine, the test base image and the proxy image:

    export DOCKER_HOST=$(scripts/ensure-docker.sh | tail -n1)
    export MLVER_TEST_BASE_IMAGE=$(scripts/ensure-base-image.sh | tail -n1)
    export MLVER_TEST_PROXY_IMAGE=$(scripts/ensure-proxy-image.sh | tail -n1)
    .venv/bin/python benchmarks/bench_deploy.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jupyter_mlver.core.deploy import local
from jupyter_mlver.core.deploy import runtime as rt
from jupyter_mlver.core.deploy.status import status
from jupyter_mlver.core.engine.docker import DockerEngine
from jupyter_mlver.core.store.store import Store
from tests.deploy.fleet import make_fleet
from tests.deploy.traffic import Client, Loop, body
from tests.images.helpers import DEFAULT_BASE

REQUESTS = 2000


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def latencies(url: str, n: int) -> tuple[float, float]:
    """p50 and p95 in ms of ``n`` one-row requests, one after another."""
    data = body([0.3], [0.4])
    seconds = []
    for _ in range(n):
        request = urllib.request.Request(url, data, {"Content-Type": "application/json"})
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as answer:
            answer.read()
        seconds.append(time.perf_counter() - start)
    cuts = statistics.quantiles(seconds, n=100)
    return cuts[49] * 1000, cuts[94] * 1000


def main() -> None:
    engine = DockerEngine.connect()
    base = os.environ.get("MLVER_TEST_BASE_IMAGE") or DEFAULT_BASE
    proxy = os.environ.get("MLVER_TEST_PROXY_IMAGE", "mlver-test/haproxy:2.6-bookworm")
    options = local.LocalOptions(proxy_image=proxy)
    with tempfile.TemporaryDirectory(prefix="mlver-bench-deploy-") as tmp:
        fleet = make_fleet(Path(tmp), engine, base, proxy)
        name, d, port = fleet.name, f"{fleet.name}-bench", 18600
        rows: list[list[str]] = [["what", "jupyter_mlver", "peer"]]
        with Store.open(fleet.root) as store:
            try:
                took, _ = timed(
                    lambda: local.deploy(
                        store, engine, f"{name}:1", name=d, port=port, options=options
                    )
                )
                rows.append(["deploy v1 (network, server ready, proxy up)", f"{took:.2f} s", ""])
                server = next(iter(rt.servers(engine, d).values()))
                direct = rt.server_url(engine, server.info) + f"/v2/models/{name}/infer"
                proxied = f"http://127.0.0.1:{port}/v2/models/{name}/infer"
                latencies(proxied, 200)  # warm up both paths
                latencies(direct, 200)
                p50, p95 = latencies(proxied, REQUESTS)
                q50, q95 = latencies(direct, REQUESTS)
                rows.append(
                    [
                        f"latency of {REQUESTS} one-row requests through HAProxy",
                        f"p50 {p50:.2f} ms, p95 {p95:.2f} ms",
                        f"direct: p50 {q50:.2f} ms, p95 {q95:.2f} ms",
                    ]
                )
                loop = Loop(Client(port, name))
                loop.start()
                took, _ = timed(
                    lambda: local.canary(
                        store, engine, f"{name}:2", name=d, percent=20, options=options
                    )
                )
                rows.append(
                    ["canary v2 at 20% (server ready, slot up, weights)", f"{took:.2f} s", ""]
                )
                took, _ = timed(
                    lambda: local.canary(
                        store, engine, f"{name}:2", name=d, percent=50, options=options
                    )
                )
                rows.append(["weight change 20% -> 50%", f"{took * 1000:.0f} ms", ""])
                took, _ = timed(lambda: status(store, engine, d))
                rows.append(
                    ["status with drift (2 servers, proxy, samples)", f"{took * 1000:.0f} ms", ""]
                )
                took, _ = timed(lambda: local.Deployment(store, engine, d, options).promote())
                rows.append(["promote v2 (drain v1, stop it)", f"{took:.2f} s", ""])
                loop.stop()
                total = sum(loop.answers.values()) + len(loop.failures)
                rows.append(
                    [
                        "requests failed during canary, weight change and promotion",
                        f"{len(loop.failures)} of {total}",
                        "",
                    ]
                )
                took, _ = timed(lambda: local.Deployment(store, engine, d, options).rollback())
                rows.append(
                    ["rollback after promotion (start v1 again, drain v2)", f"{took:.2f} s", ""]
                )
            finally:
                took, _ = timed(lambda: local.Deployment(store, engine, d).stop())
                rows.append(["stop (2 containers, network)", f"{took:.2f} s", ""])
        print(table(rows[0], rows[1:]))


if __name__ == "__main__":
    main()
