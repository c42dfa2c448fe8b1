"""``deploy watch``: judge a canary against its stable version on live traffic, then roll it
back, promote it or hold it, and record which in the deployment's history.

Every ``interval`` seconds the servers and the proxy are read. The window is everything since
the watch began: counts are differences of the servers' counters, durations are those of every
prediction the servers answered in between (``GET /mlver/durations``). Each check:

1. the canary's drift share above ``max_drift_share``, or the verdict (``verdict.py``: error
   rate by a two-proportion test, latency by a Mann–Whitney U test, each once both sides have
   ``min_requests``; latency also in each of the last three checks) finding it worse:
   **rolled back** at once. Each check is one more look at the same growing window, so
   each uses ``alpha`` divided by the number of checks the watch makes (Bonferroni), and a
   canary no worse than its stable version is rolled back by chance well under ``alpha`` of
   the time over the whole watch;
2. from ``promote_after`` seconds, once the verdict could judge both and found nothing:
   **promoted**, unless the model's gate refuses it for ``production`` (then
   **refused**: the canary is taken out as by a rollback; ``force`` with a reason overrides);
3. at ``for_`` seconds without a verdict: **held** (the canary keeps its share).

Every outcome is a ``mlver.deployment/1`` event with its reason and figures.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import Conflict, InvalidInput
from ..models import registry
from ..models.aliases import check_force
from ..records import DeploymentRecord
from . import events as ev
from . import local
from .metrics import Recent
from .status import DeploymentStatus, DriftReferences, Reading, read, summarize
from .verdict import CanaryRules, Side, Verdict, judge

ROLLED_BACK_EXIT = 3


@dataclass(frozen=True)
class Limits:
    canary: CanaryRules = field(default_factory=CanaryRules)
    max_drift_share: float | None = None

    def __post_init__(self) -> None:
        share = self.max_drift_share
        if share is not None and not 0 <= share <= 1:
            raise InvalidInput(
                f"--max-drift-share {share:g} is not a share from 0 to 1", "e.g. 0.5"
            )

    def to_json(self) -> dict[str, Any]:
        return {**self.canary.to_json(), "max_drift_share": self.max_drift_share}


@dataclass(frozen=True)
class WatchOptions:
    for_: float = 300.0
    promote_after: float | None = None  # default: at the end of ``for_``
    interval: float = 5.0
    force: bool = False  # promote even when the gate refuses (needs ``reason``)
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.for_ <= 0 or self.interval <= 0:
            raise InvalidInput("--for and --interval must be more than 0 seconds")
        if self.promote_after is not None and not 0 <= self.promote_after <= self.for_:
            raise InvalidInput(
                f"--promote-after {self.promote_after:g} is not within --for {self.for_:g}",
                "promote after at most the watch's whole period",
            )
        check_force(self.force, self.reason)


@dataclass
class WatchResult:
    deployment: str
    outcome: str  # promoted | rolled_back | refused | held | ended (changed by someone else)
    reason: str
    seconds: float
    status: DeploymentStatus
    event: DeploymentRecord | None = None
    verdict: Verdict | None = None

    @property
    def exit_code(self) -> int:
        return ROLLED_BACK_EXIT if self.outcome in ("rolled_back", "refused") else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "deployment": self.deployment,
            "outcome": self.outcome,
            "reason": self.reason,
            "seconds": round(self.seconds, 1),
            "status": self.status.to_json(),
            "verdict": self.verdict.to_json() if self.verdict is not None else None,
            "event": self.event,
        }


class _Durations:
    """The durations each server reported since the watch began, a block per check."""

    def __init__(self, baseline: Reading) -> None:
        self.cursors: dict[int, Recent] = dict(baseline.durations)
        self.blocks: dict[int, list[tuple[float, ...]]] = {v: [] for v in baseline.durations}

    def add(self, reading: Reading) -> None:
        for version, found in reading.durations.items():
            self.blocks.setdefault(version, []).append(found.seconds)
            self.cursors[version] = found


def _side(status: DeploymentStatus, version: int | None) -> Side:
    v = status.version(version) if version is not None else None
    return Side(0, 0) if v is None else Side(v.requests, v.errors, v.blocks)


def _figures(
    window: DeploymentStatus, limits: Limits, per_check: CanaryRules, verdict: Verdict
) -> dict[str, Any]:
    return {
        "window_seconds": round(window.window_seconds or 0.0, 1),
        "limits": limits.to_json(),
        "alpha_per_check": float(f"{per_check.alpha:.3g}"),
        "verdict": verdict.to_json(),
        "versions": {str(v.version): v.to_json() for v in window.versions},
    }


def _drifted(window: DeploymentStatus, canary: int, limits: Limits) -> str | None:
    v = window.version(canary)
    share, limit = (v.drift_share if v else None), limits.max_drift_share
    if limit is None or share is None or share <= limit:
        return None
    return f"drift share {share:g} > {limit:g} of the inputs' columns"


def _decide(
    window: DeploymentStatus,
    canary: int,
    limits: Limits,
    verdict: Verdict,
    elapsed: float,
    promote_after: float,
    options: WatchOptions,
) -> tuple[str, str] | None:
    """What this check decides, and why: ``rolled_back``, ``promoted`` or ``held``; None
    while the watch goes on."""
    worse = verdict.worse
    breach = _drifted(window, canary, limits) or (worse.message if worse else None)
    if breach is not None:
        return "rolled_back", breach
    if elapsed >= promote_after and verdict.judged:
        why = f"held {elapsed:.0f} s: {verdict.summary()}"
        return "promoted", why + (f"; forced: {options.reason}" if options.force else "")
    if elapsed >= options.for_:
        return "held", f"not promoted after {elapsed:.0f} s: {verdict.summary()}"
    return None


def _promote(
    deployment: local.Deployment, why: str, force: bool, figures: dict[str, Any]
) -> tuple[str, str, DeploymentRecord]:
    """Promoted, or refused when the model's gate keeps the canary out of production: the
    outcome, its reason and its event."""
    try:
        return "promoted", why, deployment.promote(f"watch: {why}", figures, force)
    except Conflict as refused:
        why = f"promotion refused by the gate: {refused.message.removeprefix('refused: ')}"
        return "refused", why, deployment.rollback(f"watch: {why}", figures, "refused")


def _hold(
    deployment: local.Deployment, why: str, state: ev.DeploymentState, figures: dict[str, Any]
) -> DeploymentRecord:
    """The canary keeps its share."""
    return ev.append(
        deployment.store,
        deployment=deployment.name,
        event="held",
        model=registry.resolve(deployment.store, f"{state.model}:{state.canary}"),
        weight=state.canary_weight,
        stable=state.stable,
        port=state.port,
        reason=f"watch: {why}",
        figures=figures,
    )


def watch(
    deployment: local.Deployment,
    limits: Limits,
    options: WatchOptions,
    on_tick: Callable[[DeploymentStatus], None] = lambda _: None,
    sleep: Callable[[float], None] = time.sleep,
) -> WatchResult:
    store, engine, name = deployment.store, deployment.engine, deployment.name
    state = ev.state(store, name)
    if state.stopped or state.canary is None:
        raise InvalidInput(
            f"deployment {name} has no canary to watch",
            f"start one with `deploy {state.model}:VERSION --canary PERCENT --name {name}`",
        )
    canary, stable = state.canary, state.stable
    promote_after = options.for_ if options.promote_after is None else options.promote_after
    references = DriftReferences(store) if limits.max_drift_share is not None else None
    host = engine.local_address()
    baseline = read(engine, name, state.model, limit=0)
    durations = _Durations(baseline)
    looks = max(1, math.ceil(options.for_ / options.interval))
    per_check = replace(limits.canary, alpha=limits.canary.alpha / looks)
    window = summarize(store, state, baseline, baseline, None, host)
    while True:
        elapsed = time.monotonic() - baseline.at
        sleep(max(0.0, min(options.interval, options.for_ - elapsed)))
        state = ev.state(store, name)
        if state.canary != canary:  # promoted, rolled back or stopped by someone else
            why = f"the canary was changed by {state.changes[-1]['event']}"
            return WatchResult(name, "ended", why, time.monotonic() - baseline.at, window)
        now = read(engine, name, state.model, since=durations.cursors)
        durations.add(now)
        window = summarize(store, state, now, baseline, references, host, durations.blocks)
        on_tick(window)
        elapsed = now.at - baseline.at
        verdict = judge(_side(window, stable), _side(window, canary), per_check)
        decided = _decide(window, canary, limits, verdict, elapsed, promote_after, options)
        if decided is not None:
            outcome, why = decided
            figures = _figures(window, limits, per_check, verdict)
            if outcome == "promoted":
                outcome, why, event = _promote(deployment, why, options.force, figures)
            elif outcome == "held":
                event = _hold(deployment, why, state, figures)
            else:
                event = deployment.rollback(f"watch: {why}", figures)
            return WatchResult(name, outcome, why, elapsed, window, event, verdict)
