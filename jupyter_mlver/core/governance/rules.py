"""The governance rules' thresholds: ``[governance]`` in the store's ``config.toml``.

They live with the store (like ``[data]`` and ``[remotes]``) so that the dashboard, the CLI in
CI and a notebook judge a model the same way. Every key is optional::

    [governance]
    alias = "production"          # the version a row judges; the latest when none holds it
    max_drift_share = 0.5         # retrain when the live drift share reaches this
    trend_versions = 5            # the metric's trend: a linear fit over the newest N versions
    min_trend_versions = 3        # fewer versions with the metric: no trend
    trend_tolerance = 0.0         # falling: the slope (per version, better-is-up) below -this
    max_data_age_days = 0         # retrain when the newest training file is older (0: off)
    canary_metric_margin = 0.0    # roll back: the canary's metric worse than stable's by more
    # The live verdict on a canary, as `deploy watch` judges it (core/deploy/verdict.py):
    canary_alpha = 0.01           # significance level of the error-rate and latency tests
    canary_max_error_rate = 0.05  # a canary's error rate up to this is tolerated
    canary_latency_ratio = 1.2    # a canary's median duration up to this times stable's is too
    min_requests = 50             # no live verdict before this many requests per version

    [governance.models.churn]     # per model: the metric when it has no gate
    metric = "rmse"
    higher_is_better = false
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ..deploy import verdict
from ..deploy.verdict import CanaryRules
from ..errors import StoreError

SECTION = "governance"


@dataclass(frozen=True)
class MetricChoice:
    """The metric a model is judged by when its versions carry no gate."""

    metric: str
    higher_is_better: bool = True


@dataclass(frozen=True)
class Rules:
    alias: str = "production"
    max_drift_share: float = 0.5
    trend_versions: int = 5
    min_trend_versions: int = 3
    trend_tolerance: float = 0.0
    max_data_age_days: float = 0.0
    canary_metric_margin: float = 0.0
    canary_alpha: float = verdict.ALPHA
    canary_max_error_rate: float = verdict.MAX_ERROR_RATE
    canary_latency_ratio: float = verdict.LATENCY_RATIO
    min_requests: int = verdict.MIN_REQUESTS
    models: Mapping[str, MetricChoice] = field(default_factory=dict)

    def canary_rules(self) -> CanaryRules:
        """The live verdict's rules, the same ones ``deploy watch`` takes as options."""
        return CanaryRules(
            alpha=self.canary_alpha,
            min_requests=self.min_requests,
            max_error_rate=self.canary_max_error_rate,
            latency_ratio=self.canary_latency_ratio,
        )

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["models"] = {name: asdict(choice) for name, choice in self.models.items()}
        return out


_INTEGERS = frozenset({"trend_versions", "min_trend_versions", "min_requests"})
#: Bounds of each number: (lowest, highest); None: unbounded.
_BOUNDS: dict[str, tuple[float, float | None]] = {
    "max_drift_share": (0.0, 1.0),
    "trend_versions": (2, None),
    "min_trend_versions": (2, None),
    "trend_tolerance": (0.0, None),
    "max_data_age_days": (0.0, None),
    "canary_metric_margin": (0.0, None),
    "canary_alpha": (1e-9, 0.5),
    "canary_max_error_rate": (0.0, 1.0),
    "canary_latency_ratio": (1.0, None),
    "min_requests": (2, None),
}


def rules_from_config(config: Mapping[str, Any], where: Path | str = "config.toml") -> Rules:
    """The rules a store's parsed ``config.toml`` sets (the defaults for what it leaves out);
    a wrong key or value is a ``StoreError`` naming it."""
    table = config.get(SECTION, {})
    if not isinstance(table, Mapping):
        raise StoreError(f"{where}: [{SECTION}] must be a table")
    known = {f.name: f for f in fields(Rules)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in known:
            raise StoreError(
                f"{where}: [{SECTION}] has no setting {key!r}",
                f"the settings: {', '.join(sorted(known))}",
            )
        if key == "models":
            values[key] = _models(value, where)
        elif key == "alias":
            if not isinstance(value, str) or not value:
                raise StoreError(f"{where}: [{SECTION}] alias must be an alias name")
            values[key] = value
        else:
            values[key] = _number(key, value, key in _INTEGERS, where)
    rules = Rules(**values)
    if rules.min_trend_versions > rules.trend_versions:
        raise StoreError(
            f"{where}: [{SECTION}] min_trend_versions ({rules.min_trend_versions}) is more "
            f"than trend_versions ({rules.trend_versions})"
        )
    return rules


def _number(key: str, value: Any, integer: bool, where: Path | str) -> float | int:
    kind = "a whole number" if integer else "a number"
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok or not math.isfinite(value):
        raise StoreError(f"{where}: [{SECTION}] {key} must be {kind}, got {value!r}")
    low, high = _BOUNDS[key]
    if value < low or (high is not None and value > high):
        span = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise StoreError(f"{where}: [{SECTION}] {key} must be {span}, got {value!r}")
    return int(value) if integer else float(value)


def _models(value: Any, where: Path | str) -> dict[str, MetricChoice]:
    if not isinstance(value, Mapping):
        raise StoreError(f"{where}: [{SECTION}.models] must be a table of model names")
    out: dict[str, MetricChoice] = {}
    for name, choice in value.items():
        metric = choice.get("metric") if isinstance(choice, Mapping) else None
        if not isinstance(metric, str) or not metric:
            raise StoreError(f'{where}: [{SECTION}.models.{name}] needs metric = "NAME"')
        unknown = set(choice) - {"metric", "higher_is_better"}
        if unknown:
            raise StoreError(
                f"{where}: [{SECTION}.models.{name}] has no setting {sorted(unknown)[0]!r}",
                "the settings: metric, higher_is_better",
            )
        higher = choice.get("higher_is_better", True)
        if not isinstance(higher, bool):
            raise StoreError(
                f"{where}: [{SECTION}.models.{name}] higher_is_better must be true or false"
            )
        out[str(name)] = MetricChoice(metric, higher)
    return out
