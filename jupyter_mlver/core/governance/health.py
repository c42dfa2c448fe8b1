"""One row per model for the governance table: its versions per alias, where and since when
it is deployed, its metric and the metric's trend, data freshness, live drift, and the
recommendation (``recommend.py``) with its reasons."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..errors import RecordNotFound
from ..models import aliases as al
from ..models.records import Gate
from ..models.registry import inherited_gate
from ..records import ModelRecord
from ..store.store import Store
from .deployed import Connect, deployments_reader
from .freshness import Freshness, freshness, stamp
from .live import DeploymentLive
from .recommend import OK, Facts, Recommendation, recommend
from .rules import Rules, rules_from_config
from .trend import Trend, first_metric, lower_is_better, metric_value, trend

#: A model's deployments that have not been stopped (with live figures when available).
DeploymentsOf = Callable[[str], list[DeploymentLive]]


def _no_deployments(_model: str) -> list[DeploymentLive]:
    return []


@dataclass(frozen=True)
class Held:
    """An alias's version, and since when it holds it (its last alias event)."""

    version: int
    since: str

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "since": self.since}


@dataclass(frozen=True)
class Deployed:
    """The version serving the model, since when, and what says so: a deployment's events
    (``via`` "deployment NAME") or, without one, the judged alias ("alias production")."""

    version: int
    since: str | None
    via: str

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "since": self.since, "via": self.via}


@dataclass(frozen=True)
class Metric:
    """The metric a model is judged by; ``source``: gate | config | first (its snapshot's
    first numeric metric by name)."""

    name: str
    higher_is_better: bool
    source: str
    value: float | None  # the judged version's
    values: dict[int, float]  # version -> value, for the versions whose snapshot has it

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "higher_is_better": self.higher_is_better,
            "source": self.source,
            "value": self.value,
            "values": {str(v): x for v, x in sorted(self.values.items())},
        }


@dataclass(frozen=True)
class ModelHealth:
    name: str
    latest: int
    versions: int
    version: int  # the judged one: the alias's holder, else the deployed, else the latest
    aliases: dict[str, Held]
    deployed: Deployed | None
    metric: Metric | None
    trend: Trend | None
    freshness: Freshness | None
    deployments: list[DeploymentLive]
    recommendation: Recommendation

    @property
    def drift_share(self) -> float | None:
        shares = [d.drift_share for d in self.deployments if d.drift_share is not None]
        return max(shares) if shares else None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "latest": self.latest,
            "versions": self.versions,
            "version": self.version,
            "aliases": {a: h.to_json() for a, h in self.aliases.items()},
            "deployed": self.deployed.to_json() if self.deployed else None,
            "metric": self.metric.to_json() if self.metric else None,
            "trend": self.trend.to_json() if self.trend else None,
            "freshness": self.freshness.to_json() if self.freshness else None,
            "drift_share": self.drift_share,
            "deployments": [d.to_json() for d in self.deployments],
            "recommendation": self.recommendation.to_json(),
        }


@dataclass(frozen=True)
class Governance:
    """The table: a row per model, the rules it was judged by, and when."""

    models: list[ModelHealth]
    rules: Rules
    now: str
    live: bool  # deployments' live figures were asked for
    notes: list[str] = field(default_factory=list)  # what could not be read

    @property
    def needs_action(self) -> bool:
        return any(m.recommendation.action != OK for m in self.models)

    def to_json(self) -> dict[str, Any]:
        return {
            "models": [m.to_json() for m in self.models],
            "rules": self.rules.to_json(),
            "now": self.now,
            "live": self.live,
            "notes": self.notes,
        }


def _version_ids(store: Store, name: str) -> list[tuple[int, str]]:
    rows = store.index.model_versions(name)
    if not rows:
        raise RecordNotFound(f"no model named {name!r}", "see `jupyter mlver model list`")
    return rows


def _aliases(store: Store, name: str) -> dict[str, Held]:
    held: dict[str, Held] = {}
    for row in al.applied(store, name):  # merged order: the last one holds
        held[row.alias] = Held(row.version, row.created)
    return dict(sorted(held.items()))


def _choose_metric(
    store: Store, name: str, judged: ModelRecord, rules: Rules
) -> tuple[str, bool, str] | None:
    gate = Gate.of(judged) or inherited_gate(store, name)
    if gate is not None:
        return gate.metric, gate.higher_is_better, "gate"
    choice = rules.models.get(name)
    if choice is not None:
        return choice.metric, choice.higher_is_better, "config"
    metric = first_metric(al.snapshot_metrics(store, judged.get("snapshot")))
    return (metric, not lower_is_better(metric), "first") if metric else None


def _metric(
    store: Store, name: str, versions: dict[int, ModelRecord], judged: ModelRecord, rules: Rules
) -> Metric | None:
    chosen = _choose_metric(store, name, judged, rules)
    if chosen is None:
        return None
    metric, higher, source = chosen
    values: dict[int, float] = {}
    for version, record in versions.items():
        value = metric_value(al.snapshot_metrics(store, record.get("snapshot")).get(metric))
        if value is not None:
            values[version] = value
    return Metric(metric, higher, source, values.get(judged["version"]), values)


def _deployed(
    deployments: list[DeploymentLive], aliases: dict[str, Held], alias: str
) -> Deployed | None:
    for d in deployments:
        if d.stable is not None:
            return Deployed(d.stable, d.stable_since, f"deployment {d.deployment}")
    if alias in aliases:
        return Deployed(aliases[alias].version, aliases[alias].since, f"alias {alias}")
    return None


def model_health(
    store: Store,
    name: str,
    rules: Rules,
    now: datetime,
    deployments_of: DeploymentsOf = _no_deployments,
) -> ModelHealth:
    # Two stores may each have registered a version number: the last registered speaks.
    versions = {version: store.get(rid, ModelRecord) for version, rid in _version_ids(store, name)}
    aliases = _aliases(store, name)
    deployments = deployments_of(name)
    deployed = _deployed(deployments, aliases, rules.alias)
    latest = max(versions)
    judged_version = (
        aliases[rules.alias].version
        if rules.alias in aliases
        else deployed.version
        if deployed is not None
        else latest
    )
    judged = versions.get(judged_version, versions[latest])
    metric = _metric(store, name, versions, judged, rules)
    fit = None
    if metric is not None:
        fit = trend(
            list(metric.values.items()),
            higher_is_better=metric.higher_is_better,
            newest=rules.trend_versions,
            fewest=rules.min_trend_versions,
            tolerance=rules.trend_tolerance,
        )
    fresh = freshness(store, judged.get("snapshot"), now)
    facts = Facts(
        name=name,
        metric=metric.name if metric else None,
        higher_is_better=metric.higher_is_better if metric else True,
        values=metric.values if metric else {},
        trend=fit,
        deployments=deployments,
        data_age_seconds=fresh.data_age_seconds if fresh else None,
    )
    return ModelHealth(
        name=name,
        latest=latest,
        versions=len(versions),
        version=judged["version"],
        aliases=aliases,
        deployed=deployed,
        metric=metric,
        trend=fit,
        freshness=fresh,
        deployments=deployments,
        recommendation=recommend(facts, rules),
    )


def governance(
    store: Store,
    *,
    names: list[str] | None = None,
    connect: Connect | None = None,
    now: datetime | None = None,
) -> Governance:
    """The governance table of the store's models (or of ``names``), judged by the rules in
    its ``config.toml``; ``connect`` reaches the container engine for the live figures of
    running deployments (None: leave them out)."""
    rules = rules_from_config(store.config(), store.dir / "config.toml")
    wanted = names if names is not None else [n for n, _, _ in store.index.model_names()]
    for name in wanted:  # an unknown name fails before any engine is asked
        _version_ids(store, name)
    deployments_of, notes = deployments_reader(store, connect)
    moment = now or datetime.now(timezone.utc)
    return Governance(
        models=[model_health(store, n, rules, moment, deployments_of) for n in wanted],
        rules=rules,
        now=stamp(moment),
        live=connect is not None,
        notes=notes,
    )


@dataclass
class Health:
    """The governance table, and whether the command fails when a model needs action."""

    table: Governance
    check: bool

    def to_json(self) -> dict[str, Any]:
        return self.table.to_json()
