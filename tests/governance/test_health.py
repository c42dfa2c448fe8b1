"""The governance rows from a real store: aliases and since when, the metric and its trend,
data freshness, and the recommendation they lead to."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scipy import stats

from jupyter_mlver.core.deploy import events as ev
from jupyter_mlver.core.errors import EngineUnavailable, RecordNotFound, StoreError
from jupyter_mlver.core.governance import (
    OK,
    RETRAIN,
    ROLL_BACK,
    DeploymentLive,
    ModelHealth,
    VersionLive,
    governance,
    model_health,
    rules_from_config,
)
from jupyter_mlver.core.governance.freshness import stamp
from jupyter_mlver.core.models import registry
from jupyter_mlver.core.models.records import Gate
from jupyter_mlver.core.records import DeploymentRecord
from jupyter_mlver.core.store.store import Store
from tests.governance.conftest import Clock, register

FALLING = [0.91, 0.9, 0.88, 0.86, 0.83]


def _row(store: Store, name: str, now: datetime | None = None) -> ModelHealth:
    (row,) = governance(store, names=[name], now=now).models
    return row


def test_a_metric_falling_over_versions_says_retrain(gstore: Store, clock: Clock) -> None:
    for auc in FALLING:
        register(gstore, "churn", metrics={"auc": auc}, gate=Gate("auc"), force=True)
        clock.tick()
    row = _row(gstore, "churn", now=clock.moment)
    assert row.metric is not None
    assert (row.metric.name, row.metric.source, row.metric.higher_is_better) == (
        "auc",
        "gate",
        True,
    )
    assert row.metric.values == dict(enumerate(FALLING, start=1))
    assert row.version == 5
    assert row.metric.value == 0.83
    assert row.trend is not None
    assert row.trend.versions == [1, 2, 3, 4, 5]
    expected = stats.linregress(range(1, 6), FALLING).slope
    assert row.trend.slope == pytest.approx(expected, rel=1e-9)
    assert row.trend.falling
    rec = row.recommendation
    assert rec.action == RETRAIN
    assert "auc is falling" in rec.reason
    assert "versions 1–5" in rec.reason
    assert [f.rule for f in rec.findings] == ["trend"]


def test_a_rising_metric_is_ok_and_the_trend_uses_the_newest_versions(
    gstore: Store, clock: Clock
) -> None:
    # Falling long ago, rising over the newest five: only the newest five count.
    for auc in [0.99, 0.95, 0.8, 0.82, 0.84, 0.86, 0.87]:
        register(gstore, "churn", metrics={"auc": auc}, gate=Gate("auc"))
    row = _row(gstore, "churn", now=clock.moment)
    assert row.trend is not None
    assert row.trend.versions == [3, 4, 5, 6, 7]
    assert row.trend.slope > 0
    assert not row.trend.falling
    assert row.recommendation.action == OK
    assert "auc +0.0" in row.recommendation.reason
    assert "not served" in row.recommendation.reason


def test_lower_is_better_gate_reverses_the_direction(gstore: Store, clock: Clock) -> None:
    for rmse in [3.0, 2.5, 2.4, 2.2]:  # getting better
        register(gstore, "price", metrics={"rmse": rmse}, gate=Gate("rmse", False))
    assert _row(gstore, "price").recommendation.action == OK
    register(gstore, "price", metrics={"rmse": 4.0}, force=True)  # inherits the gate
    register(gstore, "price", metrics={"rmse": 4.4}, force=True)
    row = _row(gstore, "price")
    assert row.trend is not None
    assert row.trend.slope > 0
    assert row.trend.falling
    assert row.recommendation.action == RETRAIN


def test_too_few_versions_make_no_trend(gstore: Store, clock: Clock) -> None:
    register(gstore, "churn", metrics={"auc": 0.9}, gate=Gate("auc"))
    register(gstore, "churn", metrics={"auc": 0.5}, gate=Gate("auc"))
    row = _row(gstore, "churn")
    assert row.trend is None
    assert row.recommendation.action == OK
    assert "too few versions with auc" in row.recommendation.reason
    # Two versions are enough when the store's config says so.
    config = gstore.dir / "config.toml"
    config.write_text(config.read_text() + "\n[governance]\nmin_trend_versions = 2\n")
    assert _row(gstore, "churn").recommendation.action == RETRAIN


def test_equal_values_are_no_trend(gstore: Store, clock: Clock) -> None:
    for _ in range(4):
        register(gstore, "flat", metrics={"auc": 0.1 + 0.2}, gate=Gate("auc"))
    row = _row(gstore, "flat")
    assert row.trend is not None
    assert row.trend.slope == 0.0
    assert not row.trend.falling


def test_the_metric_without_a_gate(gstore: Store, clock: Clock) -> None:
    # No gate and no config: the snapshot's first numeric metric by name; names of errors
    # and losses are lower-is-better.
    for loss, f1 in [(0.5, 0.7), (0.4, 0.72), (0.3, 0.75)]:
        register(gstore, "a", metrics={"f1": f1, "loss": loss, "note": "x"})
        register(gstore, "b", metrics={"val_loss": loss, "series": [1, 2]})
    a = _row(gstore, "a")
    assert a.metric is not None
    assert (a.metric.name, a.metric.source) == ("f1", "first")
    b = _row(gstore, "b")
    assert b.metric is not None
    assert b.metric.name == "series"
    assert b.metric.value == 2.0
    config = gstore.dir / "config.toml"
    config.write_text(
        config.read_text() + '\n[governance.models.b]\nmetric = "val_loss"\n'
        "higher_is_better = false\n"
    )
    b = _row(gstore, "b")
    assert b.metric is not None
    assert (b.metric.name, b.metric.source, b.metric.higher_is_better) == (
        "val_loss",
        "config",
        False,
    )
    assert b.trend is not None
    assert not b.trend.falling
    assert b.recommendation.action == OK


def test_a_model_without_numeric_metrics(gstore: Store, clock: Clock) -> None:
    register(gstore, "plain", metrics={})
    row = _row(gstore, "plain")
    assert row.metric is None
    assert row.trend is None
    assert row.recommendation.action == OK
    assert "no numeric metric" in row.recommendation.reason


def test_aliases_with_their_since_and_the_judged_version(gstore: Store, clock: Clock) -> None:
    register(gstore, "churn", metrics={"auc": 0.8}, gate=Gate("auc"), aliases=("production",))
    first = clock.moment
    clock.tick(3)
    v2 = register(gstore, "churn", metrics={"auc": 0.85}, aliases=("staging",))
    clock.tick(2)
    register(gstore, "churn", metrics={"auc": 0.7})  # the latest, worse, in no alias
    row = _row(gstore, "churn", now=clock.moment)
    assert {a: h.version for a, h in row.aliases.items()} == {"production": 1, "staging": 2}
    assert row.aliases["staging"].since > stamp(first + timedelta(days=3))
    # Production's holder is judged, and deployed since its alias event.
    assert row.version == 1
    assert row.metric is not None
    assert row.metric.value == 0.8
    assert row.deployed is not None
    assert (row.deployed.version, row.deployed.via) == (1, "alias production")
    assert row.deployed.since is not None
    assert row.deployed.since <= stamp(first)
    # Moving production moves the judged version and the since.
    clock.tick()
    registry.move_alias(gstore, "churn:2", "production")
    row = _row(gstore, "churn")
    assert row.version == 2
    assert row.aliases["production"].version == 2
    assert row.deployed is not None
    assert row.deployed.since == row.aliases["production"].since
    assert row.deployed.since > v2["created"]
    # A rollback is a move too: version 1 holds production again, since the rollback.
    clock.tick()
    event = registry.rollback(gstore, "churn@production")
    row = _row(gstore, "churn")
    assert row.version == 1
    assert row.aliases["production"].since == event["created"]
    # Another alias can be the judged one.
    config = gstore.dir / "config.toml"
    config.write_text(config.read_text() + '\n[governance]\nalias = "staging"\n')
    assert _row(gstore, "churn").version == 2


def test_freshness_of_the_training_data(gstore: Store, clock: Clock, project: Path) -> None:
    data = project / "data"
    (data / "extra.csv").write_text("a\n1\n")
    register(gstore, "churn", metrics={"auc": 0.8}, data=["data"])  # day 0: first recorded
    clock.tick(10)
    (data / "test.csv").write_text("x,y\n7,8\n")  # day 10: one file changes
    changed_at = clock.moment
    register(gstore, "churn", metrics={"auc": 0.8}, data=["data"])
    clock.tick(5)
    # Day 15: the same content again (as a single file this time) is not fresher.
    v3 = register(gstore, "churn", metrics={"auc": 0.8}, data=["data/train.csv"])
    clock.tick(2)
    now = clock.moment
    row = _row(gstore, "churn", now=now)
    fresh = row.freshness
    assert fresh is not None
    assert fresh.snapshot == v3["snapshot"]
    assert fresh.snapshot_age_seconds == pytest.approx(2 * 86400, abs=1)
    assert fresh.files == 1
    assert fresh.newest_file == "data/train.csv"
    assert fresh.data_age_seconds == pytest.approx(17 * 86400, abs=1)  # recorded on day 0
    # Version 2: its newest file is the one changed on day 10.
    config = gstore.dir / "config.toml"
    config.write_text(config.read_text() + '\n[governance]\nalias = "x"\n')
    registry.move_alias(gstore, "churn:2", "x")
    fresh = _row(gstore, "churn", now=now).freshness
    assert fresh is not None
    assert fresh.files == 3
    assert fresh.newest_file == "data/test.csv"
    assert fresh.data_recorded is not None
    assert fresh.data_recorded > stamp(changed_at)
    assert fresh.data_age_seconds == pytest.approx(7 * 86400, abs=1)


def test_outputs_are_not_training_data(gstore: Store, clock: Clock) -> None:
    register(gstore, "m", metrics={"auc": 0.8})
    row = _row(gstore, "m")
    assert row.freshness is not None
    assert row.freshness.files == 0
    assert row.freshness.data_age_seconds is None


def test_old_training_data_says_retrain_when_configured(gstore: Store, clock: Clock) -> None:
    register(gstore, "m", metrics={"auc": 0.8}, data=["data"])
    clock.tick(40)
    assert _row(gstore, "m", now=clock.moment).recommendation.action == OK  # off by default
    config = gstore.dir / "config.toml"
    config.write_text(config.read_text() + "\n[governance]\nmax_data_age_days = 30\n")
    rec = _row(gstore, "m", now=clock.moment).recommendation
    assert rec.action == RETRAIN
    assert rec.reason == "the newest training file is 40 days old (more than 30)"


def _append(store: Store, name: str, event: str, version: int, **kw: Any) -> DeploymentRecord:
    model = registry.resolve(store, f"churn:{version}")
    base: dict[str, Any] = {"weight": 100, "stable": version, "port": 18080}
    base.update(kw)
    return ev.append(store, deployment=name, event=event, model=model, **base)


def test_deployment_events_give_deployed_since_and_canary_verdicts(
    gstore: Store, clock: Clock
) -> None:
    for auc in (0.8, 0.86, 0.83):
        register(gstore, "churn", metrics={"auc": auc}, gate=Gate("auc"), force=True)
    clock.tick()
    deployed = _append(gstore, "eu", "deployed", 1)
    clock.tick()
    promoted = _append(gstore, "eu", "promoted", 2, stable=2)
    clock.tick()
    _append(gstore, "eu", "canary", 3, weight=20, stable=2)
    _append(gstore, "old", "deployed", 1)
    _append(gstore, "old", "stopped", 1, weight=0, stable=None)
    row = _row(gstore, "churn", now=clock.moment)
    # The stopped deployment is left out; the running one serves version 2 since its promotion.
    assert [d.deployment for d in row.deployments] == ["eu"]
    eu = row.deployments[0]
    assert (eu.stable, eu.canary, eu.canary_weight) == (2, 3, 20)
    assert eu.stable_since == promoted["created"] > deployed["created"]
    assert row.deployed is not None
    assert row.deployed.to_json() == {
        "version": 2,
        "since": promoted["created"],
        "via": "deployment eu",
    }
    assert row.version == 2  # no production alias: the deployed version is judged
    # Live figures were not asked for (no engine): the canary is judged by its metric.
    assert eu.versions == []
    assert eu.note is None
    rec = row.recommendation
    assert rec.action == ROLL_BACK
    assert rec.reason == (
        "churn:3 (20% canary in deployment eu) has auc=0.83, worse than 0.86 of the stable churn:2"
    )


def test_an_engine_that_does_not_answer_is_a_note(gstore: Store, clock: Clock) -> None:
    register(gstore, "churn", metrics={"auc": 0.8})
    _append(gstore, "eu", "deployed", 1)

    def refuse() -> Any:
        raise EngineUnavailable("no Docker engine answers at unix:///nowhere")

    table = governance(gstore, connect=refuse)
    assert table.live
    assert table.notes == ["no live figures: no Docker engine answers at unix:///nowhere"]
    (row,) = table.models
    assert row.deployments[0].versions == []
    assert row.drift_share is None
    assert row.recommendation.action == OK
    assert row.recommendation.reason.endswith("no live drift figure")

    # No running deployment: the engine is not asked at all.
    _append(gstore, "eu", "stopped", 1, weight=0, stable=None)
    assert governance(gstore, connect=refuse).notes == []


def _deployment(stable: int, canary: int | None = None, **figures: VersionLive) -> DeploymentLive:
    return DeploymentLive(
        deployment="churn-live",
        stable=stable,
        stable_since="2026-01-02T00:00:00.000Z",
        canary=canary,
        canary_weight=20 if canary else 0,
        versions=list(figures.values()),
    )


def _live(version: int, role: str, **kw: object) -> VersionLive:
    base: dict[str, object] = {
        "weight": 80 if role == "stable" else 20,
        "requests": 500,
        "error_rate": 0.0,
        "p95_ms": 10.0,
        "drift_share": 0.0,
        "running": True,
    }
    base.update(kw)
    return VersionLive(version=version, role=role, **base)  # type: ignore[arg-type]


def test_live_figures_give_drift_and_canary_verdicts(gstore: Store, clock: Clock) -> None:
    for auc in (0.8, 0.86, 0.83):
        register(gstore, "churn", metrics={"auc": auc}, gate=Gate("auc"), force=True)
    registry.move_alias(gstore, "churn:2", "production", force=True, reason="test")
    deployments = {"churn": [_deployment(2, s=_live(2, "stable", drift_share=0.6))]}
    rules = rules_from_config(gstore.config())

    def row() -> ModelHealth:
        return model_health(gstore, "churn", rules, clock.moment, lambda n: deployments[n])

    assert row().drift_share == 0.6
    rec = row().recommendation
    assert rec.action == RETRAIN
    assert rec.reason == "live inputs drift: share 0.60 ≥ 0.5 (deployment churn-live)"

    # A canary worse than stable by the metric: roll back wins over retrain.
    deployments["churn"] = [
        _deployment(2, 3, s=_live(2, "stable", drift_share=0.6), c=_live(3, "canary"))
    ]
    rec = row().recommendation
    assert rec.action == ROLL_BACK
    assert [f.rule for f in rec.findings] == ["canary_metric", "drift"]


def test_governance_json_and_every_model(gstore: Store, clock: Clock) -> None:
    register(gstore, "b", metrics={"auc": 0.8})
    register(gstore, "a", metrics={"auc": 0.8})
    table = governance(gstore, now=clock.moment)
    assert [m.name for m in table.models] == ["a", "b"]
    out = table.to_json()
    assert out["rules"]["max_drift_share"] == 0.5
    assert out["models"][0]["recommendation"]["action"] == "ok"
    assert set(out["models"][0]) >= {
        "name",
        "version",
        "aliases",
        "deployed",
        "metric",
        "trend",
        "freshness",
        "drift_share",
        "recommendation",
    }


def test_errors(gstore: Store, clock: Clock) -> None:
    with pytest.raises(RecordNotFound, match="no model named 'nope'"):
        governance(gstore, names=["nope"])
    config = gstore.dir / "config.toml"
    config.write_text(config.read_text() + "\n[governance]\nmax_drift_share = 2\n")
    with pytest.raises(StoreError, match="max_drift_share must be between 0 and 1, got 2"):
        governance(gstore)
