"""The canary verdict (pure): the two tests against scipy, the minimum of requests, the
tolerances, and what it says of noisy-but-equal and really slower canaries."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from jupyter_mlver.core.deploy.verdict import (
    CanaryRules,
    Side,
    in_blocks,
    judge,
    mann_whitney_p,
    two_proportion_p,
)
from jupyter_mlver.core.errors import InvalidInput

RULES = CanaryRules()


def busy(n: int, seed: int, shift_ms: float = 0.0) -> list[float]:
    """Durations on a busy machine: ~3 ms with a heavy tail, and one request in ten stalled
    10-40 ms (the same noise for both versions: they share the machine)."""
    rng = np.random.default_rng(seed)
    base = rng.lognormal(np.log(0.003), 0.4, n)
    stalls = np.where(rng.random(n) < 0.1, rng.uniform(0.01, 0.04, n), 0.0)
    durations: list[float] = (base + stalls + shift_ms / 1000).tolist()
    return durations


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), [(30, 100, 10, 100), (3, 500, 1, 2000)])
def test_two_proportion_p_is_the_z_test(x1: int, n1: int, x2: int, n2: int) -> None:
    # The pooled z-test's two-sided p is the chi-squared test's without continuity correction.
    table = [[x1, n1 - x1], [x2, n2 - x2]]
    chi2 = stats.chi2_contingency(table, correction=False)
    assert 2 * two_proportion_p(x1, n1, x2, n2) == pytest.approx(chi2.pvalue, rel=1e-9)
    assert two_proportion_p(x2, n2, x1, n1) == pytest.approx(1 - two_proportion_p(x1, n1, x2, n2))
    assert two_proportion_p(0, 50, 0, 80) == 1.0


def test_mann_whitney_p_is_one_sided() -> None:
    slow, fast = busy(80, 1, shift_ms=5), busy(80, 2)
    assert mann_whitney_p(slow, fast) < 1e-6 < 0.99 < mann_whitney_p(fast, slow)
    expected = stats.mannwhitneyu(slow, fast, alternative="greater").pvalue
    assert mann_whitney_p(slow, fast) == pytest.approx(expected)
    assert mann_whitney_p([0.1] * 5, [0.1] * 5) == 1.0


def test_no_verdict_before_min_requests_per_side() -> None:
    failing = Side(49, 49, in_blocks(busy(49, 3, shift_ms=50)))
    v = judge(Side(500, 0, in_blocks(busy(500, 4))), failing, RULES)
    assert not v.judged
    assert v.worse is None
    assert not v.errors.judged
    assert not v.latency.judged
    assert v.errors.message == (
        "error rate not judged yet: 49 canary and 500 stable requests (at least 50 each)"
    )
    assert judge(Side(49, 0, in_blocks(busy(49, 4))), Side(500, 500), RULES).worse is None
    full = judge(Side(500, 0, in_blocks(busy(500, 4))), Side(50, 50, ()), RULES)
    assert full.worse is full.errors
    assert not full.latency.judged


def test_a_noisy_but_equal_canary_is_rarely_worse() -> None:
    """About ``alpha`` of equal pairs look worse by chance (why a watch, which looks many
    times, divides alpha by its number of checks), far fewer than p95s that differ."""
    worse, p95_apart = 0, 0
    for seed in range(200):
        stable, canary = busy(100, seed), busy(100, 1000 + seed)
        v = judge(Side(100, 1, in_blocks(stable)), Side(100, 2, in_blocks(canary)), RULES)
        worse += v.worse is not None
        p95_apart += p95(canary) > 1.3 * p95(stable)
    assert worse <= 0.01 * 200
    assert (
        judge(
            Side(100, 1, in_blocks(busy(100, 7))), Side(100, 2, in_blocks(busy(100, 1007))), RULES
        ).worse
        is None
    )
    assert p95_apart >= 10  # what a comparison of p95s would have rolled back


def test_a_really_slower_canary_is_worse() -> None:
    for seed in range(50):
        v = judge(
            Side(100, 0, in_blocks(busy(100, seed))),
            Side(60, 0, in_blocks(busy(60, 500 + seed, 5))),
            RULES,
        )
        assert v.worse is v.latency, v.latency.message
        assert v.latency.p_value is not None
        assert v.latency.p_value < RULES.alpha
        assert v.latency.canary is not None
        assert v.latency.stable is not None
        assert v.latency.canary > RULES.latency_ratio * v.latency.stable


def test_tolerances() -> None:
    stable = Side(1000, 0, in_blocks(busy(1000, 1)))
    # Significantly more errors, but within max_error_rate.
    v = judge(stable, Side(1000, 30, in_blocks(busy(1000, 2))), RULES)
    assert v.errors.p_value is not None
    assert v.errors.p_value < RULES.alpha
    assert v.worse is None
    assert v.errors.message.endswith("higher, but within 0.05")
    v = judge(stable, Side(1000, 80, in_blocks(busy(1000, 2))), RULES)
    assert v.worse is v.errors
    assert "above 0.05" in v.errors.message
    # Both fail alike (bad client input): not the canary's fault.
    assert judge(Side(1000, 200), Side(1000, 210), RULES).worse is None
    # Significantly slower, but within the ratio, or within --max-p95-ms.
    slightly = Side(1000, 0, in_blocks(busy(1000, 3, shift_ms=0.3)))
    v = judge(stable, slightly, RULES)
    assert v.latency.p_value is not None
    assert v.latency.p_value < RULES.alpha
    assert v.worse is None
    assert "is within 1.2×" in v.latency.message
    slower = Side(1000, 0, in_blocks(busy(1000, 3, shift_ms=5)))
    assert judge(stable, slower, RULES).worse is not None
    assert judge(stable, slower, CanaryRules(max_p95_ms=100)).worse is None
    assert judge(stable, slower, CanaryRules(max_p95_ms=10)).worse is not None


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"alpha": 0}, "--alpha 0 is not between 0 and 1"),
        ({"min_requests": 1}, "--min-requests must be 2 or more"),
        ({"max_error_rate": 2}, "--max-error-rate 2 is not a share from 0 to 1"),
        ({"latency_ratio": 0.5}, "--latency-ratio 0.5 must be 1 or more"),
        ({"max_p95_ms": 0}, "--max-p95-ms 0 must be more than 0"),
    ],
)
def test_bad_rules(rules: dict[str, float], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        CanaryRules(**rules)  # type: ignore[arg-type]


def test_a_burst_on_one_server_is_not_a_slower_version() -> None:
    stable = in_blocks(busy(300, 1))
    canary = [busy(100, 2), busy(100, 3, shift_ms=8), busy(100, 4)]  # stalled for a while
    v = judge(Side(300, 0, stable), Side(300, 0, canary), RULES)
    assert v.latency.judged
    assert v.worse is None
    assert v.latency.message.endswith("but not in each of the last 3 blocks (a burst)")
    steady = [busy(100, 2, shift_ms=8), busy(100, 3, shift_ms=8), busy(100, 4, shift_ms=8)]
    assert judge(Side(300, 0, stable), Side(300, 0, steady), RULES).worse is not None
    early = judge(Side(300, 0, stable[:2]), Side(300, 0, steady[:2]), RULES)
    assert not early.latency.judged
    assert not early.judged
    assert early.latency.message == "latency not judged yet: 2 blocks of durations (at least 3)"
    # Servers that report no durations (older images): judged on the error rate alone.
    assert judge(Side(300, 0), Side(300, 0), RULES).judged
