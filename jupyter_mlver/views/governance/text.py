"""Text view of the governance table (``model health``) for terminals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..format import short_time, table

if TYPE_CHECKING:
    from ...core.governance import Governance, ModelHealth


def age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} s"


def aliases(row: ModelHealth) -> str:
    return ", ".join(f"{a}→{h.version}" for a, h in row.aliases.items()) or "-"


def deployed(row: ModelHealth) -> str:
    d = row.deployed
    if d is None:
        return "-"
    since = f" since {short_time(d.since)}" if d.since else ""
    return f"v{d.version}{since} ({d.via})"


def metric(row: ModelHealth) -> str:
    m = row.metric
    if m is None:
        return "-"
    return f"{m.name}={m.value:.4g}" if m.value is not None else f"{m.name}=?"


def trend(row: ModelHealth) -> str:
    t = row.trend
    if t is None:
        return "-"
    arrow = "↗" if t.slope > 0 else "↘" if t.slope < 0 else "→"
    return f"{arrow} {t.slope:+.3g}/version"


def drift(row: ModelHealth) -> str:
    share = row.drift_share
    return "-" if share is None else f"{share:.2f}"


def governance(g: Governance) -> str:
    if not g.models:
        return "no models (register one with `model register NAME PATH`)"
    rows = [
        [
            "MODEL",
            "VERSION",
            "ALIASES",
            "DEPLOYED",
            "METRIC",
            "TREND",
            "DATA AGE",
            "TRAINED",
            "DRIFT",
            "RECOMMENDATION",
        ]
    ]
    for m in g.models:
        fresh = m.freshness
        rows.append(
            [
                m.name,
                str(m.version),
                aliases(m),
                deployed(m),
                metric(m),
                trend(m),
                age(fresh.data_age_seconds if fresh else None),
                f"{age(fresh.snapshot_age_seconds)} ago" if fresh else "-",
                drift(m),
                m.recommendation.action.upper(),
            ]
        )
    lines = table(rows)
    lines.append("")
    for m in g.models:
        rec = m.recommendation
        lines.append(f"{m.name}: {rec.action}: {rec.reason}")
        lines += [f"  also {f.action}: {f.message}" for f in rec.findings[1:]]
    lines += [f"note: {n}" for n in g.notes]
    return "\n".join(lines)
