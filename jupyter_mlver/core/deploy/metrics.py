"""The servers' and the proxy's Prometheus metrics, read with ``prometheus_client``'s parser.

A server exposes ``mlver_requests_total``, ``mlver_request_errors_total`` and the histogram
``mlver_request_duration_seconds`` (labelled ``model``, ``version``, ``endpoint``,
``status``); the proxy (HAProxy's exporter) exposes per server slot its weight and the
requests that failed before any server answered. Counters only grow, so the figures of a
window are the difference of two scrapes; p50 and p95 are read from the histogram's buckets
as Prometheus's ``histogram_quantile`` does. The durations themselves (for the canary's rank
test) come from each server's ``GET /mlver/durations``.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families

from ..errors import MlverError

REQUESTS = "mlver_requests"
ERRORS = "mlver_request_errors"
LATENCY = "mlver_request_duration_seconds"


class ScrapeError(MlverError):
    status = 502


@dataclass(frozen=True)
class Counts:
    """Cumulative counts of one version (or their difference over a window)."""

    requests: float = 0.0
    errors: float = 0.0
    buckets: Mapping[float, float] = field(default_factory=dict)  # le -> cumulative count

    def __sub__(self, earlier: Counts) -> Counts:
        # A server that restarted starts again from zero: its counts are the window's.
        if self.requests < earlier.requests:
            return self
        return Counts(
            self.requests - earlier.requests,
            self.errors - earlier.errors,
            {le: n - earlier.buckets.get(le, 0.0) for le, n in self.buckets.items()},
        )

    def __add__(self, other: Counts) -> Counts:
        les = set(self.buckets) | set(other.buckets)
        return Counts(
            self.requests + other.requests,
            self.errors + other.errors,
            {le: self.buckets.get(le, 0.0) + other.buckets.get(le, 0.0) for le in les},
        )

    def quantile(self, q: float) -> float | None:
        return quantile(self.buckets, q)


def quantile(buckets: Mapping[float, float], q: float) -> float | None:
    """``histogram_quantile(q)`` of cumulative buckets: linear within the bucket the rank
    falls in; a rank in the ``+Inf`` bucket is the highest finite bound. None when empty."""
    bounds = sorted(buckets)
    if not bounds or buckets[bounds[-1]] <= 0:
        return None
    total = buckets[bounds[-1]]
    rank = q * total
    lower, below = 0.0, 0.0
    for le in bounds:
        count = buckets[le]
        if count >= rank:
            if math.isinf(le):
                return lower
            if count == below:
                return le
            return lower + (le - lower) * (rank - below) / (count - below)
        lower, below = le, count
    return lower


def parse_server(text: str) -> dict[tuple[str, str], Counts]:
    """``(model, version)`` -> counts, summed over endpoints and status classes."""
    requests: dict[tuple[str, str], float] = {}
    errors: dict[tuple[str, str], float] = {}
    buckets: dict[tuple[str, str], dict[float, float]] = {}
    for family in text_string_to_metric_families(text):
        if family.name not in (REQUESTS, ERRORS, LATENCY):
            continue
        for sample in family.samples:
            key = (sample.labels.get("model", ""), sample.labels.get("version", ""))
            if family.name == REQUESTS and sample.name == f"{REQUESTS}_total":
                requests[key] = requests.get(key, 0.0) + sample.value
            elif family.name == ERRORS and sample.name == f"{ERRORS}_total":
                errors[key] = errors.get(key, 0.0) + sample.value
            elif sample.name == f"{LATENCY}_bucket":
                le = float(sample.labels["le"])
                into = buckets.setdefault(key, {})
                into[le] = into.get(le, 0.0) + sample.value
    keys = set(requests) | set(errors) | set(buckets)
    return {k: Counts(requests.get(k, 0.0), errors.get(k, 0.0), buckets.get(k, {})) for k in keys}


@dataclass(frozen=True)
class ProxySlot:
    weight: int
    failed: float  # requests that got no answer from the server (connection and response errors)


def parse_proxy(text: str, backend: str) -> dict[str, ProxySlot]:
    """Server slot -> its weight and failures, from HAProxy's exporter."""
    weight: dict[str, int] = {}
    failed: dict[str, float] = {}
    wanted = ("haproxy_server_connection_errors", "haproxy_server_response_errors")
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.labels.get("proxy") != backend or "server" not in sample.labels:
                continue
            slot = sample.labels["server"]
            if family.name == "haproxy_server_weight":
                weight[slot] = int(sample.value)
            elif family.name in wanted and sample.name.endswith("_total"):
                failed[slot] = failed.get(slot, 0.0) + sample.value
    return {s: ProxySlot(weight.get(s, 0), failed.get(s, 0.0)) for s in set(weight) | set(failed)}


#: The servers and the proxy are reached directly: never through $HTTP_PROXY.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url: str, timeout: float, accept: str = "*/*") -> tuple[int, bytes]:
    """GET ``url`` directly: ``(status, body)``; ``URLError``/``OSError`` when unreachable."""
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with _DIRECT.open(request, timeout=timeout) as answer:
            return int(answer.status), bytes(answer.read())
    except urllib.error.HTTPError as e:
        return int(e.code), b""


def fetch(url: str, timeout: float = 5.0) -> str:
    """GET a metrics page (Prometheus text format)."""
    try:
        status, body = get(url, timeout, accept="text/plain")
    except (urllib.error.URLError, OSError) as e:
        raise ScrapeError(f"cannot read metrics from {url} ({e})") from None
    if status != 200:
        raise ScrapeError(f"cannot read metrics from {url} (HTTP {status})")
    return body.decode("utf-8", "replace")


@dataclass(frozen=True)
class Recent:
    """Durations (seconds) of a server's answered predictions numbered up to ``last`` in the
    run ``server`` of the server process."""

    server: str
    last: int
    seconds: tuple[float, ...] = ()


def recent(
    url: str, since: Recent | None = None, limit: int | None = None, timeout: float = 5.0
) -> Recent | None:
    """The durations a server reports after ``since`` (all it keeps without it), or None when
    it reports none (an image built before servers reported durations, or no answer)."""
    for after in [since.last, 0] if since is not None else [0]:
        query = f"after={after}" + (f"&limit={limit}" if limit is not None else "")
        try:
            status, body = get(f"{url}/mlver/durations?{query}", timeout, "application/json")
            data = json.loads(body) if status == 200 else None
        except (urllib.error.URLError, OSError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        found = Recent(str(data["server"]), int(data["last"]), tuple(data["seconds"]))
        if since is None or found.server == since.server:
            return found
        # The server restarted: its numbers start again, so everything it holds is new.
    return found
