"""Text views of deployments: a change, the status table, a watch's outcome, the history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ...core.records import DeploymentRecord
from ..format import short_time, table

if TYPE_CHECKING:
    from ...core.deploy.changes import Change, Started
    from ...core.deploy.kserve import Manifests
    from ...core.deploy.prometheus import PrometheusFiles
    from ...core.deploy.status import DeploymentStatus, VersionStatus
    from ...core.deploy.watch import WatchResult


#: What each deployment event says it did.
VERBS = {
    "deployed": "deployed",
    "canary": "started the canary",
    "weight": "changed the canary",
    "promoted": "promoted",
    "rolled_back": "rolled back",
    "refused": "took out (promotion refused)",
    "stopped": "stopped",
    "held": "held",
}
#: What a watch says it did, by outcome.
OUTCOMES = {
    "promoted": "promoted the canary",
    "rolled_back": "rolled back the canary",
    "refused": "took out the canary",
    "held": "held the canary",
    "ended": "watch ended",
}


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def change(c: Change) -> str:
    e = c.event
    line = f"{VERBS[e['event']]} {e['model']}:{e['version']} in deployment {e['deployment']}"
    if e["event"] in ("canary", "weight"):
        line += f": {e['weight']}% of requests, {e['model']}:{e['stable']} the rest"
    elif e["event"] in ("promoted", "rolled_back") and e.get("stable") is not None:
        line += f": every request to {e['model']}:{e['stable']}"
    if e["event"] != "stopped":
        line += f" at {c.url}"
    if e.get("reason"):
        line += f"\n  reason: {e['reason']}"
    if c.production is not None:
        line += f"\n  {e['model']}@production → {c.production}"
    return line


def manifests(m: Manifests) -> str:
    lines = [m.yaml().rstrip()] if m.file is None else [f"wrote {m.file}"]
    lines += [f"# {note}" for note in m.notes]
    if m.applied:
        lines.append(m.applied)
    return "\n".join(lines)


def started(s: Started) -> str:
    if s.manifests is not None:
        return manifests(s.manifests)
    assert s.change is not None
    return change(s.change)


def _row(v: VersionStatus) -> list[str]:
    return [
        str(v.version),
        v.role if v.running or v.role == "retired" else f"{v.role} (not running)",
        f"{v.weight}%",
        str(v.requests),
        str(v.errors),
        _num(v.error_rate, 3),
        _num(v.p50_ms),
        _num(v.p95_ms),
        _num(v.drift_share, 2),
    ]


def status(s: DeploymentStatus) -> str:
    state = "running" if s.running else "stopped"
    head = f"deployment {s.deployment} ({s.model}) {state} at {s.url}"
    if s.window_seconds is not None:
        head += f", last {s.window_seconds:.0f} s"
    if not s.versions:
        return head
    rows = [
        [
            "VERSION",
            "ROLE",
            "WEIGHT",
            "REQUESTS",
            "ERRORS",
            "ERROR RATE",
            "P50 MS",
            "P95 MS",
            "DRIFT",
        ]
    ]
    rows += [_row(v) for v in s.versions]
    return "\n".join([head, *table(rows, "  ")])


def watch_line(s: DeploymentStatus) -> str:
    parts = []
    for v in s.versions:
        parts.append(
            f"{s.model}:{v.version} {v.weight}% {v.requests} req, "
            f"error rate {_num(v.error_rate, 3)}, p95 {_num(v.p95_ms)} ms"
            + (f", drift {v.drift_share:.2f}" if v.drift_share is not None else "")
        )
    return f"[{s.window_seconds or 0:.0f} s] " + "; ".join(parts)


def watched(w: WatchResult) -> str:
    """The window's figures and the verdict, then the outcome as the last line."""
    said = OUTCOMES[w.outcome]
    lines = [status(w.status)]
    if w.verdict is not None:
        lines += [f"  {w.verdict.errors.message}", f"  {w.verdict.latency.message}"]
    lines.append(f"{w.deployment}: {said} after {w.seconds:.0f} s: {w.reason}")
    return "\n".join(lines)


def history(events: Sequence[DeploymentRecord]) -> str:
    rows = [["TIME", "EVENT", "VERSION", "WEIGHT", "STABLE", "REASON"]]
    for e in events:
        rows.append(
            [
                short_time(e["created"]),
                e["event"],
                f"{e['model']}:{e['version']}",
                f"{e['weight']}%",
                "-" if e.get("stable") is None else str(e["stable"]),
                e.get("reason") or "",
            ]
        )
    return "\n".join(table(rows))


def deployments(rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return "no deployments (start one with `deploy NAME:VERSION`)"
    out = [["DEPLOYMENT", "MODEL", "STABLE", "CANARY", "PORT", "LAST EVENT"]]
    for r in rows:
        canary = f"{r['canary']} ({r['canary_weight']}%)" if r["canary"] else "-"
        out.append(
            [
                r["deployment"],
                r["model"],
                str(r["stable"] or "-"),
                canary,
                str(r["port"]),
                f"{r['last_event']} {short_time(r['created'])}",
            ]
        )
    return "\n".join(table(out))


def prometheus(p: PrometheusFiles) -> str:
    return (
        f"wrote {p.config} and {p.rules}\n"
        f"run: prometheus --config.file={p.config}  (on the engine's host; it finds the "
        f"deployment's containers through the Docker socket)"
    )
