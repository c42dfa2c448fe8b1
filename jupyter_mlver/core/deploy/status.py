"""What a deployment is doing: per version its weight, requests, errors, latency and drift.

One ``Reading`` scrapes every server's ``/metrics`` and the proxy's exporter, and reads the
durations of its newest answered predictions. ``deploy status`` shows the counts since each
server started; ``deploy watch`` shows the difference between its first reading and the latest
(the watch window).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..engine.protocol import Engine
from ..records import ModelRecord
from ..store.store import Store
from . import events as ev
from . import haproxy as hp
from . import live_drift
from . import runtime as rt
from .metrics import Counts, Recent, fetch, parse_proxy, parse_server, recent
from .verdict import in_blocks


@dataclass(frozen=True)
class Reading:
    """One scrape: per version its cumulative counts and its weight at the proxy."""

    at: float
    counts: dict[int, Counts]
    weights: dict[int, int]
    urls: dict[int, str]  # version -> its server's URL
    durations: dict[int, Recent] = field(default_factory=dict)  # servers that report them


def read(
    engine: Engine,
    name: str,
    model: str,
    since: Mapping[int, Recent] | None = None,
    limit: int | None = None,
) -> Reading:
    """Scrape every server and the proxy. Durations are those after ``since`` (per version;
    all a server keeps without it), the newest ``limit`` of them."""
    servers = rt.servers(engine, name)
    counts: dict[int, Counts] = {}
    urls: dict[int, str] = {}
    durations: dict[int, Recent] = {}
    for server in servers.values():
        url = rt.server_url(engine, server.info)
        urls[server.version] = url
        parsed = parse_server(fetch(f"{url}/metrics"))
        counts[server.version] = parsed.get((model, str(server.version)), Counts())
        reported = recent(url, (since or {}).get(server.version), limit)
        if reported is not None:
            durations[server.version] = reported
    weights: dict[int, int] = {}
    proxy = rt.proxy(engine, name)
    if proxy is not None and proxy.running:
        page = fetch(f"http://{engine.local_address()}:{proxy.ports[hp.METRICS_PORT]}/metrics")
        for slot, figures in parse_proxy(page, hp.BACKEND).items():
            found = servers.get(slot)
            if found is None:
                continue
            weights[found.version] = figures.weight
            # Requests the proxy could not get an answer for count as failed requests.
            failed = Counts(figures.failed, figures.failed)
            counts[found.version] = counts.get(found.version, Counts()) + failed
    return Reading(time.monotonic(), counts, weights, urls, durations)


@dataclass
class VersionStatus:
    model: str
    version: int
    role: str  # stable | canary | retired (taken out by the last change)
    weight: int
    requests: int
    errors: int
    error_rate: float | None
    p50_ms: float | None
    p95_ms: float | None
    drift_share: float | None = None
    running: bool = True
    #: Durations (seconds) of answered predictions in blocks of time, for the canary
    #: verdict (not in the JSON).
    blocks: Sequence[Sequence[float]] = field(default=(), repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "version": self.version,
            "role": self.role,
            "weight": self.weight,
            "requests": self.requests,
            "errors": self.errors,
            "error_rate": self.error_rate,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "drift_share": self.drift_share,
            "running": self.running,
        }


def figures(model: str, version: int, role: str, weight: int, counts: Counts) -> VersionStatus:
    requests = round(counts.requests)
    p50, p95 = counts.quantile(0.5), counts.quantile(0.95)
    return VersionStatus(
        model=model,
        version=version,
        role=role,
        weight=weight,
        requests=requests,
        errors=round(counts.errors),
        error_rate=round(counts.errors / counts.requests, 4) if counts.requests else None,
        p50_ms=round(p50 * 1000, 2) if p50 is not None else None,
        p95_ms=round(p95 * 1000, 2) if p95 is not None else None,
    )


@dataclass
class DeploymentStatus:
    deployment: str
    model: str
    port: int
    url: str
    running: bool
    versions: list[VersionStatus] = field(default_factory=list)
    window_seconds: float | None = None  # a watch's window; None: since each server started

    def version(self, v: int) -> VersionStatus | None:
        return next((s for s in self.versions if s.version == v), None)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "deployment": self.deployment,
            "model": self.model,
            "port": self.port,
            "url": self.url,
            "running": self.running,
            "versions": [v.to_json() for v in self.versions],
        }
        if self.window_seconds is not None:
            out["window_seconds"] = round(self.window_seconds, 1)
        return out


class DriftReferences:
    """Training tables by model version, read once per command."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[str, live_drift.Reference | None] = {}

    def of(self, model: ModelRecord) -> live_drift.Reference | None:
        if model["id"] not in self._cache:
            self._cache[model["id"]] = live_drift.training_table(self.store, model)
        return self._cache[model["id"]]


def summarize(
    store: Store,
    state: ev.DeploymentState,
    now: Reading,
    since: Reading | None = None,
    drift: DriftReferences | None = None,
    host: str = "127.0.0.1",
    durations: Mapping[int, Sequence[Sequence[float]]] | None = None,
) -> DeploymentStatus:
    """The figures of ``now`` (minus ``since``, for a window), per version the events say
    serve, with the drift of each one's sampled inputs when ``drift`` is given. Durations
    are ``durations`` (a watch's window, a block per check) or, without it, those ``now``
    read, in thirds."""
    from ..models import registry

    result = DeploymentStatus(
        deployment=state.name,
        model=state.model,
        port=state.port,
        url=f"http://{host}:{state.port}",
        running=not state.stopped and bool(now.urls),
        window_seconds=(now.at - since.at) if since is not None else None,
    )
    if state.stopped:
        return result
    for version in state.weights:
        counts = now.counts.get(version, Counts())
        if since is not None:
            counts = counts - since.counts.get(version, Counts())
        role = {state.canary: "canary", state.retired: "retired"}.get(version, "stable")
        status = figures(state.model, version, role, now.weights.get(version, 0), counts)
        status.running = version in now.urls
        if durations is not None:
            status.blocks = durations.get(version, ())
        elif version in now.durations:
            status.blocks = in_blocks(now.durations[version].seconds)
        if not status.running:
            status.weight = 0
        if drift is not None and status.running:
            model = registry.resolve(store, f"{state.model}:{version}")
            sample = live_drift.sampled(now.urls[version])
            status.drift_share = live_drift.drift_share(drift.of(model), sample)
        result.versions.append(status)
    return result


def status(store: Store, engine: Engine, name: str, drift: bool = True) -> DeploymentStatus:
    state = ev.state(store, name)
    reading = read(engine, name, state.model) if not state.stopped else Reading(0, {}, {}, {})
    references = DriftReferences(store) if drift else None
    return summarize(store, state, reading, None, references, engine.local_address())
