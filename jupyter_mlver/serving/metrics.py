"""Prometheus metrics of the prediction endpoints, labelled by model name and version.

``mlver_requests_total`` and ``mlver_request_errors_total`` count answers per ``endpoint``
(``infer`` for v2, ``invocations``) and ``status`` class (``2xx``, ``4xx``, ``5xx``; errors are
the 4xx and 5xx answers). ``mlver_request_duration_seconds`` is a histogram whose buckets step by
about 1.5x from 1 ms to 10 s, so p50 and p95 read from it are within a bucket's width anywhere in
that range. The same durations of answered predictions are kept as samples too
(``durations.py``) for the rank test of a canary against its stable version.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
)
from prometheus_client.exposition import choose_encoder

from .durations import Durations
from .model import ServedModel

BUCKETS = (
    0.0005, 0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.04,
    0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 7.5, 10.0,
)  # fmt: skip
ENDPOINTS = ("infer", "invocations")
STATUS_CLASSES = ("2xx", "4xx", "5xx")


class Metrics:
    def __init__(self, served: ServedModel) -> None:
        # ``*_created`` series only double the output; rates need none of them.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry()
        self._model = (served.name, served.version)
        self.durations = Durations()
        labels = ("model", "version", "endpoint")
        self.requests = Counter(
            "mlver_requests",
            "Prediction requests answered.",
            (*labels, "status"),
            registry=self.registry,
        )
        self.errors = Counter(
            "mlver_request_errors",
            "Prediction requests answered with a 4xx or 5xx status.",
            (*labels, "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "mlver_request_duration_seconds",
            "Time from request to answer of predictions.",
            labels,
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.rows = Counter(
            "mlver_predicted_rows", "Input rows predicted.", labels, registry=self.registry
        )
        self.sampled = Counter(
            "mlver_sampled_rows",
            "Input rows written to the sample log.",
            ("model", "version"),
            registry=self.registry,
        )
        Gauge(
            "mlver_model_info",
            "The served model (always 1).",
            ("model", "version", "flavor"),
            registry=self.registry,
        ).labels(served.name, served.version, served.flavor).set(1)
        ProcessCollector(registry=self.registry)
        # Every series exists from the start, so rates and ratios are defined before traffic.
        for endpoint in ENDPOINTS:
            for status in STATUS_CLASSES:
                self.requests.labels(*self._model, endpoint, status)
                if status != "2xx":
                    self.errors.labels(*self._model, endpoint, status)
            self.latency.labels(*self._model, endpoint)
            self.rows.labels(*self._model, endpoint)
        self.sampled.labels(*self._model)

    def observe(self, endpoint: str, status: int, seconds: float, rows: int) -> None:
        status_class = f"{status // 100}xx"
        self.requests.labels(*self._model, endpoint, status_class).inc()
        if status >= 400:
            self.errors.labels(*self._model, endpoint, status_class).inc()
        self.latency.labels(*self._model, endpoint).observe(seconds)
        if status < 400:
            self.durations.record(seconds)
        if rows:
            self.rows.labels(*self._model, endpoint).inc(rows)

    def count_sampled(self, rows: int) -> None:
        self.sampled.labels(*self._model).inc(rows)

    def exposition(self, accept: str) -> tuple[bytes, str]:
        """The metrics in the format the scraper asks for (OpenMetrics or Prometheus text)."""
        encoder, content_type = choose_encoder(accept)
        return encoder(self.registry), content_type
