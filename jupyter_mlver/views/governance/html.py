"""HTML view of the governance table (``model health``) for notebooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..markup import CSS, card, code, e, lines, muted, table
from .text import age, aliases, deployed, drift, metric, trend

if TYPE_CHECKING:
    from ...core.governance import Governance


#: Badge colours per recommendation, from JupyterLab's theme (light and dark).
_BADGE = {
    "ok": "var(--jp-success-color1,#388e3c)",
    "retrain": "var(--jp-warn-color1,#f57c00)",
    "roll back": "var(--jp-error-color1,#d32f2f)",
}


def badge(action: str) -> str:
    colour = _BADGE.get(action, "var(--jp-ui-font-color2,#666)")
    return (
        f'<span class="mlver-tag" style="border-color:{colour};color:{colour}">{e(action)}</span>'
    )


def governance(g: Governance) -> str:
    """One row of figures per model (the recommendation as a badge), then each model's
    recommendation and reasons on a line of its own, at the card's full width."""
    if not g.models:
        return CSS + card("Model health", muted("no models (register one with `model register`)"))
    head = ["model", "version", "aliases", "deployed", "metric", "trend", "data age"]
    head += ["trained", "drift", "recommendation"]
    body = []
    reasons = []
    for m in g.models:
        fresh = m.freshness
        rec = m.recommendation
        body.append(
            [
                code(m.name),
                e(m.version),
                e(aliases(m)),
                e(deployed(m)),
                e(metric(m)),
                e(trend(m)),
                e(age(fresh.data_age_seconds if fresh else None)),
                e(f"{age(fresh.snapshot_age_seconds)} ago" if fresh else "-"),
                e(drift(m)),
                badge(rec.action),
            ]
        )
        also = "".join(
            f'<div class="mlver-muted">also {e(f.action)}: {e(f.message)}</div>'
            for f in rec.findings[1:]
        )
        reasons.append(f"{code(m.name)} {badge(rec.action)} {e(rec.reason)}{also}")
    notes = "".join(f'<div class="mlver-muted">{e(n)}</div>' for n in g.notes)
    figures = table(head, body, numeric={1, 6, 7, 8})
    return CSS + card("Model health", figures + lines(reasons) + notes)
