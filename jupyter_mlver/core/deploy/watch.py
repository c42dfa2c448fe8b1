"""``deploy watch``: judge a canary on its live figures, roll it back or promote it.

Every ``interval`` seconds the servers and the proxy are read and the canary's figures over
the window since the watch began are checked against the limits. Once the canary has served
at least ``min_requests`` requests in the window, a breached limit rolls it back at once; a
canary that held until ``promote_after`` seconds is promoted. The watch ends after ``for_``
seconds in any case (exit 0: nothing breached), as Argo Rollouts' analysis does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from ..engine.protocol import Engine
from ..errors import InvalidInput
from ..records import Record
from ..store.store import Store
from . import events as ev
from . import local
from .status import DeploymentStatus, DriftReferences, VersionStatus, read, summarize

ROLLED_BACK_EXIT = 3


@dataclass(frozen=True)
class Limits:
    max_error_rate: float | None = 0.05
    max_p95_ms: float | None = None
    max_drift_share: float | None = None
    min_requests: int = 20

    def __post_init__(self) -> None:
        for label, value in (
            ("--max-error-rate", self.max_error_rate),
            ("--max-drift-share", self.max_drift_share),
        ):
            if value is not None and not 0 <= value <= 1:
                raise InvalidInput(f"{label} {value} is not a share from 0 to 1", "e.g. 0.05")
        if self.max_p95_ms is not None and self.max_p95_ms <= 0:
            raise InvalidInput(f"--max-p95-ms {self.max_p95_ms} must be more than 0")
        if self.min_requests < 1:
            raise InvalidInput("--min-requests must be 1 or more")

    def breach(self, v: VersionStatus) -> str | None:
        """The first limit the figures break, said with the figures; None when none is.
        Error rate and latency count only over ``min_requests`` requests in the window;
        drift has its own minimum of sampled rows (``live_drift.MIN_ROWS``)."""
        over = f"over {v.requests} requests"
        if v.requests >= self.min_requests:
            if self.max_error_rate is not None and (v.error_rate or 0) > self.max_error_rate:
                return (
                    f"error rate {v.error_rate:.3f} > {self.max_error_rate:g} "
                    f"({v.errors} errors {over})"
                )
            if self.max_p95_ms is not None and (v.p95_ms or 0) > self.max_p95_ms:
                return f"p95 latency {v.p95_ms:g} ms > {self.max_p95_ms:g} ms {over}"
        if (
            self.max_drift_share is not None
            and v.drift_share is not None
            and v.drift_share > self.max_drift_share
        ):
            return (
                f"drift share {v.drift_share:g} > {self.max_drift_share:g} of the inputs' columns"
            )
        return None


@dataclass(frozen=True)
class WatchOptions:
    for_: float = 300.0
    promote_after: float | None = None  # default: at the end of ``for_``
    interval: float = 5.0

    def __post_init__(self) -> None:
        if self.for_ <= 0 or self.interval <= 0:
            raise InvalidInput("--for and --interval must be more than 0 seconds")
        if self.promote_after is not None and not 0 <= self.promote_after <= self.for_:
            raise InvalidInput(
                f"--promote-after {self.promote_after:g} is not within --for {self.for_:g}",
                "promote after at most the watch's whole period",
            )


@dataclass
class WatchResult:
    deployment: str
    outcome: str  # promoted | rolled_back | held | not_enough_requests | ended
    reason: str
    seconds: float
    status: DeploymentStatus
    event: Record | None = None

    @property
    def exit_code(self) -> int:
        return ROLLED_BACK_EXIT if self.outcome == "rolled_back" else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "deployment": self.deployment,
            "outcome": self.outcome,
            "reason": self.reason,
            "seconds": round(self.seconds, 1),
            "status": self.status.to_json(),
            "event": self.event,
        }


def _figures(window: DeploymentStatus, limits: Limits) -> dict[str, Any]:
    return {
        "window_seconds": round(window.window_seconds or 0.0, 1),
        "limits": asdict(limits),
        "versions": {str(v.version): v.to_json() for v in window.versions},
    }


def watch(
    store: Store,
    engine: Engine,
    name: str,
    limits: Limits,
    options: WatchOptions,
    local_options: local.LocalOptions,
    on_tick: Callable[[DeploymentStatus], None] = lambda _: None,
    sleep: Callable[[float], None] = time.sleep,
) -> WatchResult:
    state = ev.state(store, name)
    if state.stopped or state.canary is None:
        raise InvalidInput(
            f"deployment {name} has no canary to watch",
            f"start one with `deploy {state.model}:VERSION --canary PERCENT --name {name}`",
        )
    canary = state.canary
    promote_after = options.for_ if options.promote_after is None else options.promote_after
    references = DriftReferences(store) if limits.max_drift_share is not None else None
    host = engine.local_address()
    baseline = read(engine, name, state.model)
    window = summarize(store, state, baseline, baseline, None, host)
    while True:
        elapsed = time.monotonic() - baseline.at
        sleep(max(0.0, min(options.interval, options.for_ - elapsed)))
        state = ev.state(store, name)
        if state.canary != canary:  # promoted, rolled back or stopped by someone else
            why = f"the canary was changed by {state.events[-1]['event']}"
            return WatchResult(name, "ended", why, time.monotonic() - baseline.at, window)
        now = read(engine, name, state.model)
        window = summarize(store, state, now, baseline, references, host)
        on_tick(window)
        elapsed = now.at - baseline.at
        figures = window.version(canary)
        assert figures is not None
        enough = figures.requests >= limits.min_requests
        breach = limits.breach(figures)
        if breach is not None:
            event = local.rollback(
                store,
                engine,
                name,
                options=local_options,
                reason=f"watch: {breach}",
                figures=_figures(window, limits),
            )
            return WatchResult(name, "rolled_back", breach, elapsed, window, event)
        if elapsed >= promote_after and enough:
            why = (
                f"held {elapsed:.0f} s: error rate {figures.error_rate or 0:.3f}, "
                f"p95 {figures.p95_ms} ms over {figures.requests} requests"
            )
            event = local.promote(
                store,
                engine,
                name,
                options=local_options,
                reason=f"watch: {why}",
                figures=_figures(window, limits),
            )
            return WatchResult(name, "promoted", why, elapsed, window, event)
        if elapsed >= options.for_:
            if not enough:
                why = (
                    f"only {figures.requests} requests reached the canary in {elapsed:.0f} s "
                    f"(--min-requests {limits.min_requests}): not promoted"
                )
                return WatchResult(name, "not_enough_requests", why, elapsed, window)
            return WatchResult(
                name, "held", f"no limit breached in {elapsed:.0f} s", elapsed, window
            )
