"""Views of the governance table (``model health``): text for terminals, HTML for notebooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .format import short_time, table
from .html import CSS, card, e

if TYPE_CHECKING:
    from ..core.governance import Governance, ModelHealth

#: Badge colours per recommendation, from JupyterLab's theme (light and dark).
_BADGE = {
    "ok": "var(--jp-success-color1,#388e3c)",
    "retrain": "var(--jp-warn-color1,#f57c00)",
    "roll back": "var(--jp-error-color1,#d32f2f)",
}


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


def text(g: Governance) -> str:
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


def badge(action: str) -> str:
    colour = _BADGE.get(action, "var(--jp-ui-font-color2,#666)")
    return (
        f'<span class="mlver-tag" style="border-color:{colour};color:{colour}">{e(action)}</span>'
    )


def html(g: Governance) -> str:
    if not g.models:
        return CSS + card("Model health", e(text(g)))
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "model",
            "version",
            "aliases",
            "deployed",
            "metric",
            "trend",
            "data age",
            "trained",
            "drift",
            "recommendation",
        )
    )
    body = []
    for m in g.models:
        fresh = m.freshness
        rec = m.recommendation
        cells = [
            f"<code>{e(m.name)}</code>",
            e(m.version),
            e(aliases(m)),
            e(deployed(m)),
            e(metric(m)),
            e(trend(m)),
            e(age(fresh.data_age_seconds if fresh else None)),
            e(f"{age(fresh.snapshot_age_seconds)} ago" if fresh else "-"),
            e(drift(m)),
            f"{badge(rec.action)} {e(rec.reason)}"
            + "".join(
                f'<div class="mlver-muted">also {e(f.action)}: {e(f.message)}</div>'
                for f in rec.findings[1:]
            ),
        ]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    notes = "".join(f'<div class="mlver-muted">{e(n)}</div>' for n in g.notes)
    return CSS + card("Model health", f"<table><tr>{head}</tr>{''.join(body)}</table>{notes}")
