"""Figures from Prometheus text: the server's own exposition parsed back, quantiles as
Prometheus computes them, windows as differences of two scrapes."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from jupyter_mlver.core.deploy.metrics import Counts, parse_proxy, parse_server, quantile
from jupyter_mlver.serving.metrics import BUCKETS, Metrics


def _metrics(version: str = "2") -> Metrics:
    served: Any = SimpleNamespace(name="churn", version=version, flavor="sklearn")
    return Metrics(served)


def test_counts_of_the_servers_exposition() -> None:
    metrics = _metrics()
    rng = np.random.default_rng(3)
    seconds = rng.lognormal(mean=np.log(0.004), sigma=0.6, size=2000)
    for i, s in enumerate(seconds):
        metrics.observe("infer" if i % 3 else "invocations", 500 if i % 10 == 0 else 200, s, 1)
    body, _ = metrics.exposition("text/plain")
    counts = parse_server(body.decode())[("churn", "2")]
    assert counts.requests == 2000
    assert counts.errors == 200
    for q in (0.5, 0.95):
        estimate = counts.quantile(q)
        assert estimate is not None
        true = float(np.quantile(seconds, q))
        # Within the width of the bucket the true quantile falls in (about 1.5x steps).
        upper = min(b for b in BUCKETS if b >= true)
        lower = max([b for b in BUCKETS if b < true], default=0.0)
        assert lower <= estimate <= upper, (q, estimate, true)


def test_openmetrics_exposition_parses_the_same() -> None:
    metrics = _metrics()
    metrics.observe("infer", 200, 0.003, 1)
    metrics.observe("infer", 404, 0.001, 0)
    text, _ = metrics.exposition("text/plain")
    counts = parse_server(text.decode())[("churn", "2")]
    assert (counts.requests, counts.errors) == (2, 1)


def test_window_is_the_difference_and_a_restart_starts_over() -> None:
    before = Counts(100, 4, {0.01: 90, 0.1: 100, float("inf"): 100})
    after = Counts(160, 10, {0.01: 100, 0.1: 160, float("inf"): 160})
    window = after - before
    assert (window.requests, window.errors) == (60, 6)
    assert window.buckets[0.01] == 10
    restarted = Counts(5, 1, {0.01: 5, float("inf"): 5})
    assert (restarted - before) is restarted


def test_quantile_like_prometheus() -> None:
    buckets = {0.1: 50.0, 0.2: 100.0, float("inf"): 100.0}
    assert quantile(buckets, 0.5) == pytest.approx(0.1)
    assert quantile(buckets, 0.75) == pytest.approx(0.15)
    # A rank in the +Inf bucket is the highest finite bound.
    assert quantile({0.1: 1.0, float("inf"): 10.0}, 0.99) == 0.1
    assert quantile({0.1: 0.0, float("inf"): 0.0}, 0.5) is None
    assert quantile({}, 0.5) is None


def test_proxy_weights_and_failures() -> None:
    text = """
# TYPE haproxy_server_weight gauge
haproxy_server_weight{proxy="versions",server="a"} 80
haproxy_server_weight{proxy="versions",server="b"} 20
haproxy_server_weight{proxy="other",server="a"} 1
# TYPE haproxy_server_connection_errors_total counter
haproxy_server_connection_errors_total{proxy="versions",server="b"} 3
# TYPE haproxy_server_response_errors_total counter
haproxy_server_response_errors_total{proxy="versions",server="b"} 2
"""
    slots = parse_proxy(text, "versions")
    assert slots["a"].weight == 80
    assert slots["a"].failed == 0
    assert slots["b"].weight == 20
    assert slots["b"].failed == 5
