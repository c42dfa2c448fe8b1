"""The rules one by one (pure: facts in, a recommendation out), the trend fit, and the
``[governance]`` settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from jupyter_mlver.core.deploy.verdict import in_blocks
from jupyter_mlver.core.errors import StoreError
from jupyter_mlver.core.governance import (
    OK,
    RETRAIN,
    ROLL_BACK,
    DeploymentLive,
    MetricChoice,
    Rules,
    VersionLive,
    recommend,
    rules_from_config,
)
from jupyter_mlver.core.governance.recommend import Facts
from jupyter_mlver.core.governance.trend import slope, trend

RULES = Rules()


def durations(median_ms: float, n: int = 200, seed: int = 0) -> list[Sequence[float]]:
    """Log-normal request durations around ``median_ms``, in three blocks."""
    rng = np.random.default_rng(seed)
    return in_blocks(rng.lognormal(np.log(median_ms / 1000), 0.5, n).tolist())


def live(version: int, role: str, **kw: Any) -> VersionLive:
    figures: dict[str, Any] = {
        "weight": 80 if role == "stable" else 20,
        "requests": 200,
        "error_rate": 0.01,
        "p95_ms": 20.0,
        "drift_share": 0.1,
        "running": True,
        "blocks": durations(10.0, seed=version),
        **kw,
    }
    return VersionLive(version=version, role=role, **figures)


def deployment(*versions: VersionLive, canary: int | None = 2) -> DeploymentLive:
    return DeploymentLive(
        deployment="d",
        stable=1,
        stable_since=None,
        canary=canary,
        canary_weight=20 if canary else 0,
        versions=list(versions),
    )


def facts(**kw: Any) -> Facts:
    base: dict[str, Any] = {
        "name": "churn",
        "metric": "auc",
        "higher_is_better": True,
        "values": {1: 0.8, 2: 0.8},
        "trend": None,
        "deployments": [],
        "data_age_seconds": None,
    }
    base.update(kw)
    return Facts(**base)


# -- ok ----------------------------------------------------------------------------------


def test_ok_says_what_it_looked_at() -> None:
    fit = trend([(1, 0.8), (2, 0.81), (3, 0.83)], higher_is_better=True, **_fit())
    rec = recommend(
        facts(trend=fit, deployments=[deployment(live(1, "stable"), canary=None)]), RULES
    )
    assert rec.action == OK
    assert rec.findings == []
    assert rec.reason == "auc +0.015 per version; live drift share 0.10 < 0.5"


def _fit(**kw: Any) -> dict[str, Any]:
    return {"newest": 5, "fewest": 3, "tolerance": 0.0, **kw}


# -- retrain -----------------------------------------------------------------------------


@pytest.mark.parametrize(("share", "action"), [(0.49, OK), (0.5, RETRAIN), (0.9, RETRAIN)])
def test_drift_share_at_the_threshold_retrains(share: float, action: str) -> None:
    d = deployment(live(1, "stable", drift_share=share), canary=None)
    rec = recommend(facts(deployments=[d]), RULES)
    assert rec.action == action
    if action == RETRAIN:
        assert rec.findings[0].rule == "drift"
    # The threshold is a setting.
    assert recommend(facts(deployments=[d]), replace(RULES, max_drift_share=0.95)).action == OK


def test_drift_of_the_canary_counts_when_the_stable_has_no_figure() -> None:
    d = deployment(live(1, "stable", drift_share=None), live(2, "canary", drift_share=0.7))
    assert d.drift_share == 0.7
    assert recommend(facts(deployments=[d]), RULES).action == RETRAIN


def test_a_falling_trend_retrains_past_the_tolerance() -> None:
    points = [(1, 0.9), (2, 0.89), (3, 0.88)]
    fit = trend(points, higher_is_better=True, **_fit())
    assert fit is not None
    assert fit.falling
    assert fit.slope == pytest.approx(-0.01)
    assert recommend(facts(trend=fit), RULES).action == RETRAIN
    tolerant = trend(points, higher_is_better=True, **_fit(tolerance=0.02))
    assert tolerant is not None
    assert not tolerant.falling


def test_old_data_retrains_only_when_a_limit_is_set() -> None:
    old = facts(data_age_seconds=100 * 86400)
    assert recommend(old, RULES).action == OK
    rec = recommend(old, replace(RULES, max_data_age_days=90))
    assert (rec.action, rec.findings[0].rule) == (RETRAIN, "data_age")


# -- roll back ---------------------------------------------------------------------------


def test_a_canary_with_a_worse_metric_rolls_back() -> None:
    d = deployment(canary=2)  # no live figures: the metric decides alone
    rec = recommend(facts(values={1: 0.8, 2: 0.75}, deployments=[d]), RULES)
    assert rec.action == ROLL_BACK
    assert rec.reason == (
        "churn:2 (20% canary in deployment d) has auc=0.75, worse than 0.8 of the stable churn:1"
    )
    # Within the margin, or better, it stays.
    assert (
        recommend(
            facts(values={1: 0.8, 2: 0.75}, deployments=[d]),
            replace(RULES, canary_metric_margin=0.1),
        ).action
        == OK
    )
    assert recommend(facts(values={1: 0.8, 2: 0.85}, deployments=[d]), RULES).action == OK
    # Lower is better: a higher value is worse.
    lower = facts(values={1: 0.8, 2: 0.85}, higher_is_better=False, deployments=[d])
    assert recommend(lower, RULES).action == ROLL_BACK


def test_a_canary_failing_more_requests_rolls_back() -> None:
    d = deployment(live(1, "stable", error_rate=0.01), live(2, "canary", error_rate=0.2))
    rec = recommend(facts(deployments=[d]), RULES)
    assert (rec.action, rec.findings[0].rule) == (ROLL_BACK, "canary_errors")
    assert rec.reason.startswith("churn:2 (20% canary in deployment d): error rate 0.200 (40 of")
    assert "against 0.010 (2 of 200) of the stable version, two-proportion z-test" in rec.reason
    # A difference the test finds likely to be chance, or a rate within the limit, stays.
    near = deployment(live(1, "stable", error_rate=0.01), live(2, "canary", error_rate=0.025))
    assert recommend(facts(deployments=[near]), RULES).action == OK
    both = deployment(live(1, "stable", error_rate=0.0), live(2, "canary", error_rate=0.04))
    assert recommend(facts(deployments=[both]), RULES).action == OK
    strict = replace(RULES, canary_max_error_rate=0.0)
    assert recommend(facts(deployments=[both]), strict).action == ROLL_BACK


def test_a_slower_canary_rolls_back() -> None:
    d = deployment(live(1, "stable"), live(2, "canary", blocks=durations(20.0, seed=2)))
    rec = recommend(facts(deployments=[d]), RULES)
    assert (rec.action, rec.findings[0].rule) == (ROLL_BACK, "canary_latency")
    assert "latency median 19.7 ms against 10.0 ms of the stable version" in rec.reason
    assert "Mann–Whitney U p=" in rec.reason
    assert recommend(facts(deployments=[d]), replace(RULES, canary_latency_ratio=3)).action == OK


def test_a_noisy_but_equal_canary_stays() -> None:
    """The same distribution with a p95 half as high again by chance (what rolled back a
    canary on a busy machine when p95s were compared)."""
    stable, canary = durations(10.0, n=60, seed=10), durations(10.0, n=60, seed=110)
    p95 = [sorted(s for block in side for s in block)[56] for side in (stable, canary)]
    assert p95[1] > 1.4 * p95[0]
    d = deployment(live(1, "stable", blocks=stable), live(2, "canary", blocks=canary))
    assert recommend(facts(deployments=[d]), RULES).action == OK


def test_live_figures_count_only_after_enough_requests() -> None:
    d = deployment(live(1, "stable"), live(2, "canary", requests=5, error_rate=1.0))
    assert recommend(facts(deployments=[d]), RULES).action == OK
    assert recommend(facts(deployments=[d]), replace(RULES, min_requests=5)).action == ROLL_BACK


def test_a_canary_that_is_not_running_has_no_live_verdict() -> None:
    d = deployment(live(1, "stable"), live(2, "canary", error_rate=1.0, running=False))
    assert recommend(facts(deployments=[d]), RULES).action == OK


def test_roll_back_wins_and_every_finding_is_listed() -> None:
    fit = trend([(1, 0.9), (2, 0.8), (3, 0.7)], higher_is_better=True, **_fit())
    d = deployment(live(1, "stable", drift_share=0.8), live(2, "canary", error_rate=0.5))
    rec = recommend(facts(trend=fit, values={1: 0.9, 2: 0.8}, deployments=[d]), RULES)
    assert rec.action == ROLL_BACK
    assert [f.rule for f in rec.findings] == ["canary_metric", "canary_errors", "drift", "trend"]
    assert [f.action for f in rec.findings] == [ROLL_BACK, ROLL_BACK, RETRAIN, RETRAIN]


# -- the fit -----------------------------------------------------------------------------


@given(st.lists(st.floats(min_value=-1e3, max_value=1e3, allow_nan=False), min_size=2, max_size=30))
def test_the_slope_is_scipys_least_squares_slope(ys: list[float]) -> None:
    xs = list(range(1, len(ys) + 1))
    assert slope(xs, ys) == pytest.approx(stats.linregress(xs, ys).slope, rel=1e-6, abs=1e-9)


def test_versions_may_have_gaps() -> None:
    fit = trend([(1, 0.5), (4, 0.8), (5, 0.9)], higher_is_better=True, **_fit())
    assert fit is not None
    assert fit.versions == [1, 4, 5]
    assert fit.slope == pytest.approx(stats.linregress([1, 4, 5], [0.5, 0.8, 0.9]).slope)


# -- settings ----------------------------------------------------------------------------


def test_defaults_and_every_setting() -> None:
    assert rules_from_config({}) == Rules()
    assert Rules().max_drift_share == 0.5
    assert Rules().alias == "production"
    config = {
        "governance": {
            "alias": "live",
            "max_drift_share": 0.3,
            "trend_versions": 8,
            "min_trend_versions": 4,
            "trend_tolerance": 0.001,
            "max_data_age_days": 30,
            "canary_metric_margin": 0.01,
            "canary_alpha": 0.05,
            "canary_max_error_rate": 0.02,
            "canary_latency_ratio": 2,
            "min_requests": 30,
            "models": {"price": {"metric": "rmse", "higher_is_better": False}},
        }
    }
    rules = rules_from_config(config)
    assert rules.to_json() == {
        **config["governance"],
        "models": {"price": {"metric": "rmse", "higher_is_better": False}},
    }
    assert rules.models["price"] == MetricChoice("rmse", False)
    assert isinstance(rules.canary_latency_ratio, float)
    assert isinstance(rules.trend_versions, int)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"max_drift": 0.5}, "has no setting 'max_drift'"),
        ({"max_drift_share": "half"}, "max_drift_share must be a number, got 'half'"),
        ({"max_drift_share": True}, "max_drift_share must be a number"),
        ({"trend_versions": 2.5}, "trend_versions must be a whole number"),
        ({"trend_versions": 1}, "trend_versions must be at least 2"),
        ({"canary_latency_ratio": 0.5}, "canary_latency_ratio must be at least 1"),
        ({"canary_alpha": 0.9}, "canary_alpha must be between 1e-09 and 0.5"),
        ({"min_trend_versions": 6}, "min_trend_versions (6) is more than trend_versions (5)"),
        ({"alias": ""}, "alias must be an alias name"),
        ({"models": {"a": {}}}, 'needs metric = "NAME"'),
        ({"models": {"a": {"metric": "auc", "lower": True}}}, "has no setting 'lower'"),
        ({"models": {"a": {"metric": "auc", "higher_is_better": 1}}}, "must be true or false"),
    ],
)
def test_a_wrong_setting_is_one_line_naming_it(table: dict[str, Any], message: str) -> None:
    with pytest.raises(StoreError) as info:
        rules_from_config({"governance": table}, "/s/.mlver/config.toml")
    assert message in str(info.value)
    assert str(info.value).startswith("/s/.mlver/config.toml: [governance")
    assert "\n" not in str(info.value)


def test_the_section_must_be_a_table() -> None:
    with pytest.raises(StoreError, match=r"\[governance\] must be a table"):
        rules_from_config({"governance": 3})
