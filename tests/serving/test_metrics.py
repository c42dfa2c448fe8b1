"""``GET /metrics``: requests, errors, latency and rows per model version, endpoint, status."""

from __future__ import annotations

from itertools import pairwise

import pandas as pd
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from jupyter_mlver.serving.durations import Durations
from jupyter_mlver.serving.metrics import BUCKETS
from tests.serving.conftest import records

LABELS = {"model": "churn", "version": "2"}


def samples(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    out = {}
    for family in text_string_to_metric_families(answer.text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(
    metrics: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return metrics[(name, frozenset({**LABELS, **labels}.items()))]


def test_counts_requests_errors_rows_and_latency(client: TestClient, rows: pd.DataFrame) -> None:
    before = samples(client)
    assert value(before, "mlver_requests_total", endpoint="invocations", status="2xx") == 0
    assert value(before, "mlver_model_info", flavor="sklearn") == 1

    good = {"dataframe_records": records(rows)}
    for _ in range(3):
        assert client.post("/invocations", json=good).status_code == 200
    assert client.post("/invocations", json={"nope": 1}).status_code == 400
    assert (
        client.post(
            "/invocations", content="age\n1\n", headers={"content-type": "text/csv"}
        ).status_code
        == 400
    )
    broken = {"dataframe_records": [{**records(rows)[0], "income": None}]}
    assert client.post("/invocations", json=broken).status_code == 500
    tensor = [{"name": "x", "shape": [1, 4], "datatype": "BYTES", "data": [30, 1.0, "pro", True]}]
    assert client.post("/v2/models/churn/infer", json={"inputs": tensor}).status_code == 200
    assert client.post("/v2/models/other/infer", json={"inputs": tensor}).status_code == 404
    client.get("/v2/health/ready")  # probes are not prediction requests

    m = samples(client)
    assert value(m, "mlver_requests_total", endpoint="invocations", status="2xx") == 3
    assert value(m, "mlver_requests_total", endpoint="invocations", status="4xx") == 2
    assert value(m, "mlver_requests_total", endpoint="invocations", status="5xx") == 1
    assert value(m, "mlver_request_errors_total", endpoint="invocations", status="4xx") == 2
    assert value(m, "mlver_request_errors_total", endpoint="invocations", status="5xx") == 1
    assert value(m, "mlver_requests_total", endpoint="infer", status="2xx") == 1
    assert value(m, "mlver_requests_total", endpoint="infer", status="4xx") == 1
    assert value(m, "mlver_predicted_rows_total", endpoint="invocations") == 3 * len(rows)
    assert value(m, "mlver_predicted_rows_total", endpoint="infer") == 1
    count = value(m, "mlver_request_duration_seconds_count", endpoint="invocations")
    assert count == 6
    assert value(m, "mlver_request_duration_seconds_sum", endpoint="invocations") > 0
    top = value(m, "mlver_request_duration_seconds_bucket", endpoint="invocations", le="+Inf")
    assert top == count
    # Every row of the requests whose payload decoded was sampled (the model failed on one).
    assert value(m, "mlver_sampled_rows_total") == 3 * len(rows) + 1 + 1


def test_buckets_resolve_p50_and_p95_from_1ms_to_10s() -> None:
    assert BUCKETS[0] <= 0.001
    assert BUCKETS[-1] >= 10.0
    assert list(BUCKETS) == sorted(BUCKETS)
    # Neighbouring bounds within 2x of each other from 1 ms up: a quantile interpolated in a
    # bucket is off by less than the bucket's width.
    ratios = [b / a for a, b in pairwise(BUCKETS) if a >= 0.001]
    assert max(ratios) <= 2.0


def test_openmetrics_when_the_scraper_asks(client: TestClient) -> None:
    answer = client.get(
        "/metrics", headers={"accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert answer.headers["content-type"].startswith("application/openmetrics-text")
    assert answer.text.rstrip().endswith("# EOF")
    assert "mlver_requests_total" in answer.text


def test_durations_of_answered_predictions(client: TestClient, rows: pd.DataFrame) -> None:
    empty = client.get("/mlver/durations").json()
    assert (empty["last"], empty["seconds"]) == (0, [])
    good = {"dataframe_records": records(rows)}
    for _ in range(3):
        assert client.post("/invocations", json=good).status_code == 200
    assert client.post("/invocations", json={"nope": 1}).status_code == 400  # not a sample
    every = client.get("/mlver/durations").json()
    assert every["last"] == 3
    assert len(every["seconds"]) == 3
    assert all(0 < s < 10 for s in every["seconds"])
    assert every["server"] == empty["server"]
    assert client.post("/invocations", json=good).status_code == 200
    newer = client.get("/mlver/durations?after=3").json()
    assert newer["last"] == 4
    assert len(newer["seconds"]) == 1
    assert client.get("/mlver/durations?after=4").json()["seconds"] == []
    newest = [every["seconds"][2], *newer["seconds"]]
    assert client.get("/mlver/durations?limit=2").json()["seconds"] == newest
    assert client.get("/mlver/durations?limit=0").json()["seconds"] == []
    assert client.get("/mlver/durations?after=x").status_code == 400


def test_durations_ring_keeps_the_newest() -> None:
    ring = Durations(cap=3)
    for i in range(5):
        ring.record(i / 10)
    assert ring.after(0) == {"server": ring.server, "last": 5, "seconds": [0.2, 0.3, 0.4]}
    assert ring.after(3)["seconds"] == [0.3, 0.4]
    assert ring.after(9)["seconds"] == []  # a number from before a restart
