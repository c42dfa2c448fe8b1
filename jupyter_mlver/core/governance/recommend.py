"""The recommendation for one model: "roll back", "retrain" or "ok", with the reasons.

Rules, in the order they win (every one that fires is listed; the first decides):

1. **roll back** when a running deployment has a canary that is worse than its stable
   version: its metric is worse than the stable version's (by more than
   ``canary_metric_margin``), or the live verdict ``deploy watch`` uses finds it worse
   (``core/deploy/verdict.py``: once both have served ``min_requests`` requests, its error
   rate higher by a two-proportion test and above ``canary_max_error_rate``, or its request
   durations larger by a Mann–Whitney U test and its median above ``canary_latency_ratio``
   times the stable's, each at ``canary_alpha``).
2. **retrain** when the live drift share of a deployment reaches ``max_drift_share``; when
   the metric's trend over the newest ``trend_versions`` versions (a least-squares line
   through (version, metric)) is falling; or when the training data's newest file is older
   than ``max_data_age_days`` (when set).
3. **ok** otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..deploy.verdict import Side, judge
from .live import DeploymentLive
from .rules import Rules
from .trend import Trend

ROLL_BACK = "roll back"
RETRAIN = "retrain"
OK = "ok"
_RANK = {ROLL_BACK: 0, RETRAIN: 1}


@dataclass(frozen=True)
class Finding:
    rule: str  # canary_metric | canary_errors | canary_latency | drift | trend | data_age
    action: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "action": self.action, "message": self.message}


@dataclass(frozen=True)
class Recommendation:
    action: str
    reason: str
    findings: list[Finding] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "reason": self.reason,
            "findings": [f.to_json() for f in self.findings],
        }


@dataclass(frozen=True)
class Facts:
    """What the rules look at for one model."""

    name: str
    metric: str | None
    higher_is_better: bool
    values: Mapping[int, float]  # version -> its metric
    trend: Trend | None
    deployments: Sequence[DeploymentLive]
    data_age_seconds: float | None


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def _worse(a: float, b: float, higher_is_better: bool, margin: float) -> bool:
    """``a`` is worse than ``b`` by more than ``margin``."""
    return (b - a if higher_is_better else a - b) > margin


def _canary(facts: Facts, d: DeploymentLive, rules: Rules) -> list[Finding]:
    if d.canary is None or d.stable is None:
        return []
    name, out = facts.name, []
    where = f"{name}:{d.canary} ({d.canary_weight}% canary in deployment {d.deployment})"
    stable_label = f"the stable {name}:{d.stable}"
    new, old = facts.values.get(d.canary), facts.values.get(d.stable)
    if (
        facts.metric
        and new is not None
        and old is not None
        and _worse(new, old, facts.higher_is_better, rules.canary_metric_margin)
    ):
        out.append(
            Finding(
                "canary_metric",
                ROLL_BACK,
                f"{where} has {facts.metric}={_fmt(new)}, worse than {_fmt(old)} of {stable_label}",
            )
        )
    canary, stable = d.figures(d.canary), d.figures(d.stable)
    if canary is None or stable is None:
        return out
    verdict = judge(
        Side(stable.requests, stable.errors, stable.blocks),
        Side(canary.requests, canary.errors, canary.blocks),
        rules.canary_rules(),
    )
    # The watch's own words: a recommendation and a watch that rolled back say the same.
    for rule, check in (("canary_errors", verdict.errors), ("canary_latency", verdict.latency)):
        if check.worse:
            out.append(Finding(rule, ROLL_BACK, f"{where}: {check.message}"))
    return out


def _retrain(facts: Facts, rules: Rules) -> list[Finding]:
    out = []
    for d in facts.deployments:
        share = d.drift_share
        if share is not None and share >= rules.max_drift_share:
            out.append(
                Finding(
                    "drift",
                    RETRAIN,
                    f"live inputs drift: share {share:.2f} ≥ {rules.max_drift_share:g} "
                    f"(deployment {d.deployment})",
                )
            )
    t = facts.trend
    if t is not None and t.falling:
        out.append(
            Finding(
                "trend",
                RETRAIN,
                f"{facts.metric} is falling: {t.slope:+.4g} per version over versions "
                f"{t.versions[0]}–{t.versions[-1]} (linear fit)",
            )
        )
    limit = rules.max_data_age_days
    if limit and facts.data_age_seconds is not None and facts.data_age_seconds > limit * 86400:
        days = facts.data_age_seconds / 86400
        out.append(
            Finding(
                "data_age",
                RETRAIN,
                f"the newest training file is {days:.0f} days old (more than {limit:g})",
            )
        )
    return out


def _ok_reason(facts: Facts, rules: Rules) -> str:
    parts = []
    t = facts.trend
    if facts.metric is None:
        parts.append("no numeric metric to follow")
    elif t is None:
        parts.append(f"too few versions with {facts.metric} for a trend")
    else:
        parts.append(f"{facts.metric} {t.slope:+.4g} per version")
    shares = [d.drift_share for d in facts.deployments if d.drift_share is not None]
    if shares:
        parts.append(f"live drift share {max(shares):.2f} < {rules.max_drift_share:g}")
    elif not facts.deployments:
        parts.append("not served")
    else:
        parts.append("no live drift figure")
    return "; ".join(parts)


def recommend(facts: Facts, rules: Rules) -> Recommendation:
    findings = [f for d in facts.deployments for f in _canary(facts, d, rules)]
    findings += _retrain(facts, rules)
    if not findings:
        return Recommendation(OK, _ok_reason(facts, rules))
    findings.sort(key=lambda f: _RANK[f.action])  # stable: rules keep their order
    return Recommendation(findings[0].action, findings[0].message, findings)
