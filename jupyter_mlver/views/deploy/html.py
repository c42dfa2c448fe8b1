"""HTML views of deployments for notebooks: a change, the status table, a watch's verdict and
outcome, the history and the list, built from the results and themed with JupyterLab's
variables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ...core.records import DeploymentRecord
from ..format import short_time
from ..markup import card, code, e, kv_table, lines, muted, num, pre, table
from .text import OUTCOMES, VERBS

if TYPE_CHECKING:
    from ...core.deploy.changes import Change, Started
    from ...core.deploy.kserve import Manifests
    from ...core.deploy.prometheus import PrometheusFiles
    from ...core.deploy.status import DeploymentStatus
    from ...core.deploy.verdict import Check
    from ...core.deploy.watch import WatchResult

#: The outcomes that took the canary out, shown as failures.
TAKEN_OUT = frozenset({"rolled_back", "refused"})


def change(c: Change) -> str:
    ev = c.event
    ref = code(f"{ev['model']}:{ev['version']}")
    title = f"{e(VERBS.get(ev['event'], ev['event']))} {ref}"
    split = f"{ev['weight']}%"
    if ev["event"] in ("canary", "weight"):
        split += f", {ev['model']}:{ev['stable']} the rest"
    rows = [("deployment", code(ev["deployment"])), ("share", e(split))]
    if ev["event"] != "stopped":
        rows.append(("url", code(c.url)))
    if ev.get("reason"):
        rows.append(("reason", e(ev["reason"])))
    if c.production is not None:
        rows.append(("production", e(f"{ev['model']}@production → {c.production}")))
    return card(title, kv_table(rows))


def manifests(m: Manifests) -> str:
    body = e(f"wrote {m.file}") if m.file is not None else pre(m.yaml())
    notes = lines([muted(note) for note in m.notes])
    applied = pre(m.applied) if m.applied else ""
    return card(f"manifests of {code(m.image)}", body + notes + applied)


def started(s: Started) -> str:
    if s.manifests is not None:
        return manifests(s.manifests)
    assert s.change is not None
    return change(s.change)


def _status_table(s: DeploymentStatus) -> str:
    body = [
        [
            e(v.version),
            e(v.role if v.running or v.role == "retired" else f"{v.role} (not running)"),
            e(f"{v.weight}%"),
            e(v.requests),
            e(v.errors),
            num(v.error_rate, ".3f"),
            num(v.p50_ms, ".1f"),
            num(v.p95_ms, ".1f"),
            num(v.drift_share, ".2f"),
        ]
        for v in s.versions
    ]
    head = ["version", "role", "weight", "requests", "errors", "error rate", "p50 ms"]
    head += ["p95 ms", "drift"]
    return table(head, body, numeric={0, 2, 3, 4, 5, 6, 7, 8})


def _status_title(s: DeploymentStatus) -> str:
    state = "running" if s.running else "stopped"
    title = f"deployment {code(s.deployment)} ({e(s.model)}) {state} at {code(s.url)}"
    if s.window_seconds is not None:
        title += f" {muted(f'last {s.window_seconds:.0f} s')}"
    return title


def status(s: DeploymentStatus) -> str:
    return card(_status_title(s), _status_table(s) if s.versions else muted("no versions"))


def _check(c: Check) -> list[str]:
    verdict = "worse" if c.worse else "judged" if c.judged else "not judged yet"
    style = ' class="mlver-error"' if c.worse else ""
    return [
        e(c.test),
        f"<span{style}>{e(verdict)}</span>",
        num(c.p_value, ".2g"),
        num(c.canary, ".4g"),
        num(c.stable, ".4g"),
        e(c.message),
    ]


def watched(w: WatchResult) -> str:
    parts = [_status_table(w.status)] if w.status.versions else []
    if w.verdict is not None:
        head = ["test", "verdict", "p", "canary", "stable", "how"]
        checks = [_check(w.verdict.errors), _check(w.verdict.latency)]
        parts.append(table(head, checks, numeric={2, 3, 4}, wide={5}))
    outcome = e(f"{OUTCOMES[w.outcome]} after {w.seconds:.0f} s: {w.reason}")
    style = ' class="mlver-error"' if w.outcome in TAKEN_OUT else ""
    parts.append(f"<div{style}><b>{outcome}</b></div>")
    return card(f"watch of {code(w.deployment)}", "".join(parts), failed=w.outcome in TAKEN_OUT)


def history(events: Sequence[DeploymentRecord]) -> str:
    body = [
        [
            e(short_time(ev["created"])),
            e(ev["event"]),
            code(f"{ev['model']}:{ev['version']}"),
            e(f"{ev['weight']}%"),
            e("-" if ev.get("stable") is None else ev["stable"]),
            e(ev.get("reason") or ""),
        ]
        for ev in events
    ]
    head = ["time (UTC)", "event", "version", "weight", "stable", "reason"]
    title = f"history of {code(events[0]['deployment'])}" if events else "history"
    return card(title, table(head, body, numeric={3, 4}, wide={5}))


def deployments(rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return card("deployments", muted("none (start one with `deploy NAME:VERSION`)"))
    body = [
        [
            code(r["deployment"]),
            e(r["model"]),
            e(r["stable"] or "-"),
            e(f"{r['canary']} ({r['canary_weight']}%)" if r["canary"] else "-"),
            e(r["port"]),
            e(f"{r['last_event']} {short_time(r['created'])}"),
        ]
        for r in rows
    ]
    head = ["deployment", "model", "stable", "canary", "port", "last event (UTC)"]
    return card(f"{len(rows)} deployment(s)", table(head, body, numeric={2, 4}))


def prometheus(p: PrometheusFiles) -> str:
    rows = [
        ("config", code(p.config)),
        ("rules", code(p.rules)),
        ("run", code(f"prometheus --config.file={p.config}")),
    ]
    return card(f"Prometheus files of {code(p.deployment)}", kv_table(rows))
