"""Whether a canary is worse than its stable version: the rule ``deploy watch`` and the
governance table's "roll back" share.

Both versions serve the same traffic on the same machine at the same time, so whatever slows
or fails both (a busy host, bad client input) is not the canary's fault: the canary is judged
against the stable version, never against a fixed figure alone, and only on a difference a
test finds unlikely to be chance (as Kayenta's canary judge does).

- **Error rate**: a one-sided two-proportion z-test (pooled) of the canary's failed requests
  against the stable version's. The canary is worse when ``p < alpha`` and its error rate is
  above ``max_error_rate`` (a rate below it is tolerated, however significant).
- **Latency**: a one-sided Mann–Whitney U test of the durations of the canary's successful
  requests against the stable version's. The canary is slower when ``p < alpha``, its
  median is more than ``latency_ratio`` times the stable's, it was that much slower in each
  of the last ``STEADY`` blocks of the window (a watch's checks, or thirds of the durations
  in the order they came), and (with ``max_p95_ms``) its p95 is above that limit. The blocks
  are there because a busy machine's noise comes in bursts that slow one server for a second
  or two, and a rank test takes a burst's requests for independent evidence.
- Neither test gives a verdict before each side has ``min_requests`` requests (for latency:
  successful requests with a duration) in the window.

A canary no worse than its stable version is found worse by one test about ``alpha`` of the
time; ``deploy watch``, which looks again at every check, divides ``alpha`` by its number of
checks.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ..errors import InvalidInput

ALPHA = 0.01
MIN_REQUESTS = 50
MAX_ERROR_RATE = 0.05
LATENCY_RATIO = 1.2
#: The canary must be slower in each of this many of the window's newest blocks.
STEADY = 3


@dataclass(frozen=True)
class CanaryRules:
    alpha: float = ALPHA
    min_requests: int = MIN_REQUESTS
    max_error_rate: float = MAX_ERROR_RATE
    latency_ratio: float = LATENCY_RATIO
    max_p95_ms: float | None = None

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1:  # a watch's per-check share of it may be tiny
            raise InvalidInput(f"--alpha {self.alpha:g} is not between 0 and 1", "e.g. 0.01")
        if self.min_requests < 2:  # a rank test needs two requests a side
            raise InvalidInput("--min-requests must be 2 or more", "e.g. 50")
        if not 0 <= self.max_error_rate <= 1:
            raise InvalidInput(
                f"--max-error-rate {self.max_error_rate:g} is not a share from 0 to 1", "e.g. 0.05"
            )
        if self.latency_ratio < 1:
            raise InvalidInput(f"--latency-ratio {self.latency_ratio:g} must be 1 or more")
        if self.max_p95_ms is not None and self.max_p95_ms <= 0:
            raise InvalidInput(f"--max-p95-ms {self.max_p95_ms:g} must be more than 0")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Side:
    """One version's requests in the window: how many, how many failed, and the durations
    (seconds) of the successful ones that its server reported, in blocks of time (oldest
    first; a block may be empty)."""

    requests: int
    errors: int
    blocks: Sequence[Sequence[float]] = ()

    @property
    def seconds(self) -> list[float]:
        return [s for block in self.blocks for s in block]


def in_blocks(seconds: Sequence[float], n: int = STEADY) -> list[Sequence[float]]:
    """Durations in the order they came, cut into ``n`` blocks of (nearly) equal size."""
    cuts = [round(i * len(seconds) / n) for i in range(n + 1)]
    return [seconds[a:b] for a, b in itertools.pairwise(cuts)]


@dataclass(frozen=True)
class Check:
    """One test's outcome. ``judged`` is False while a side has too few requests."""

    test: str  # "error rate" | "latency"
    judged: bool
    worse: bool
    message: str
    p_value: float | None = None
    canary: float | None = None  # the error rate, or the median in ms
    stable: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "judged": self.judged,
            "worse": self.worse,
            "p_value": None if self.p_value is None else float(f"{self.p_value:.3g}"),
            "canary": self.canary,
            "stable": self.stable,
            "message": self.message,
        }


@dataclass(frozen=True)
class Verdict:
    errors: Check
    latency: Check
    durations: bool = True  # the servers report durations (images before 0.3 do not)

    @property
    def worse(self) -> Check | None:
        """The first test that found the canary worse, or None."""
        return next((c for c in (self.errors, self.latency) if c.worse), None)

    @property
    def judged(self) -> bool:
        """Both tests could judge (latency only where the servers report durations)."""
        return self.errors.judged and (self.latency.judged or not self.durations)

    def summary(self) -> str:
        return "; ".join(c.message for c in (self.errors, self.latency))

    def to_json(self) -> dict[str, Any]:
        return {"errors": self.errors.to_json(), "latency": self.latency.to_json()}


def two_proportion_p(canary_errors: int, canary_n: int, stable_errors: int, stable_n: int) -> float:
    """One-sided p-value of a pooled two-proportion z-test that the canary's error rate is
    higher than the stable's (1.0 when neither or both sides always fail)."""
    from scipy.stats import norm

    pooled = (canary_errors + stable_errors) / (canary_n + stable_n)
    if pooled in (0.0, 1.0):
        return 1.0
    spread = math.sqrt(pooled * (1 - pooled) * (1 / canary_n + 1 / stable_n))
    z = (canary_errors / canary_n - stable_errors / stable_n) / spread
    return float(norm.sf(z))


def mann_whitney_p(canary: Sequence[float], stable: Sequence[float]) -> float:
    """One-sided p-value of a Mann–Whitney U test that the canary's durations tend to be
    larger than the stable's."""
    from scipy.stats import mannwhitneyu

    if len(set(canary) | set(stable)) == 1:  # all tied: no difference to find
        return 1.0
    return float(mannwhitneyu(canary, stable, alternative="greater").pvalue)


def _few(test: str, stable: int, canary: int, rules: CanaryRules, what: str) -> Check:
    return Check(
        test,
        judged=False,
        worse=False,
        message=f"{test} not judged yet: {canary} canary and {stable} stable {what} "
        f"(at least {rules.min_requests} each)",
    )


def _p(p: float) -> str:
    return f"p={p:.2g}"


def judge_errors(stable: Side, canary: Side, rules: CanaryRules) -> Check:
    test = "error rate"
    if min(stable.requests, canary.requests) < rules.min_requests:
        return _few(test, stable.requests, canary.requests, rules, "requests")
    p = two_proportion_p(canary.errors, canary.requests, stable.errors, stable.requests)
    new, old = canary.errors / canary.requests, stable.errors / stable.requests
    worse = p < rules.alpha and new > rules.max_error_rate
    figures = (
        f"{new:.3f} ({canary.errors} of {canary.requests}) against {old:.3f} "
        f"({stable.errors} of {stable.requests}) of the stable version, "
        f"two-proportion z-test {_p(p)}"
    )
    if worse:
        why = f"< α {rules.alpha:.2g}, above {rules.max_error_rate:g}"
    elif p >= rules.alpha:
        why = f"≥ α {rules.alpha:.2g}: not higher"
    else:
        why = f"higher, but within {rules.max_error_rate:g}"
    message = f"error rate {figures} {why}"
    return Check(test, True, worse, message, p, round(new, 4), round(old, 4))


def _p95(values: Sequence[float]) -> float:
    """The nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _ratio(new: float, old: float) -> float:
    return new / old if old > 0 else math.inf


def judge_latency(stable: Side, canary: Side, rules: CanaryRules) -> Check:
    test = "latency"
    new_s, old_s = canary.seconds, stable.seconds
    if min(len(new_s), len(old_s)) < rules.min_requests:
        return _few(test, len(old_s), len(new_s), rules, "durations")
    pairs = [(o, n) for o, n in zip(stable.blocks, canary.blocks, strict=False) if o and n]
    if len(pairs) < STEADY:
        return Check(
            test,
            judged=False,
            worse=False,
            message=f"latency not judged yet: {len(pairs)} blocks of durations (at least {STEADY})",
        )
    p = mann_whitney_p(new_s, old_s)
    new, old = statistics.median(new_s) * 1000, statistics.median(old_s) * 1000
    p95 = _p95(new_s) * 1000
    ratio = _ratio(new, old)
    steady = all(
        _ratio(statistics.median(n), statistics.median(o)) > rules.latency_ratio
        for o, n in pairs[-STEADY:]
    )
    worse = p < rules.alpha and ratio > rules.latency_ratio and steady
    worse = worse and (rules.max_p95_ms is None or p95 > rules.max_p95_ms)
    figures = (
        f"median {new:.1f} ms against {old:.1f} ms of the stable version "
        f"({len(new_s)} and {len(old_s)} requests), Mann–Whitney U {_p(p)}"
    )
    if p >= rules.alpha:
        why = f"≥ α {rules.alpha:.2g}: not slower"
    elif ratio <= rules.latency_ratio:
        why = f"slower, but {ratio:.2f}× is within {rules.latency_ratio:g}×"
    elif not steady:
        why = f"{ratio:.2f}× slower, but not in each of the last {STEADY} blocks (a burst)"
    elif not worse:
        why = f"{ratio:.2f}× slower, but its p95 {p95:.1f} ms is within {rules.max_p95_ms:g} ms"
    else:
        why = f"< α {rules.alpha:.2g}, {ratio:.2f}× > {rules.latency_ratio:g}× in each of the last "
        why += f"{STEADY} blocks"
        if rules.max_p95_ms is not None:
            why += f", p95 {p95:.1f} ms > {rules.max_p95_ms:g} ms"
    message = f"latency {figures} {why}"
    return Check(test, True, worse, message, p, round(new, 2), round(old, 2))


def judge(stable: Side, canary: Side, rules: CanaryRules) -> Verdict:
    reported = bool(stable.blocks or canary.blocks)
    return Verdict(
        judge_errors(stable, canary, rules), judge_latency(stable, canary, rules), reported
    )
