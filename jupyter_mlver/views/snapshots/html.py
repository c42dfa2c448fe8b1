"""HTML views of snapshots for notebooks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..format import data_path, file_count, human_bytes, short_time
from ..markup import (
    MUTED_NONE,
    ROWS_SHOWN,
    assignments,
    card,
    details,
    e,
    kv_table,
    pre,
    tags,
    warnings,
)
from . import text

if TYPE_CHECKING:
    from ...core.snapshot.pending import NextSnapshot
    from ...core.snapshot.read import SnapshotDetail, SnapshotPage


def _data_rows(data: list[dict[str, Any]]) -> str:
    if not data:
        return MUTED_NONE
    items = "".join(
        f"<tr><td>{e(d['role'])}</td><td><code>{e(data_path(d))}</code></td>"
        f"<td>{e(human_bytes(d['size']))}</td><td><code>{e(d['hash'][:12])}</code>"
        f"{'' if d['stored'] else ' <span class=mlver-muted>hash only</span>'}</td></tr>"
        for d in data[:ROWS_SHOWN]
    )
    if len(data) > ROWS_SHOWN:
        items += f"<tr><td colspan=4>… and {len(data) - ROWS_SHOWN} more</td></tr>"
    total = human_bytes(sum(d["size"] for d in data))
    return details(f"{file_count(data)} file(s), {e(total)}", f"<table>{items}</table>")


def _git_cell(git: dict[str, Any]) -> str:
    state = '<span class="mlver-error">dirty</span>' if git.get("dirty") else "clean"
    untracked = f", {len(git['untracked'])} untracked" if git.get("untracked") else ""
    return (
        f"<code>{e((git.get('commit') or 'no commit')[:12])}</code> on "
        f"{e(git.get('branch') or 'detached HEAD')}, {state}{untracked}"
    )


def detail(d: SnapshotDetail) -> str:
    if not d.is_snapshot:
        return card(e(d.record.get("schema", "record")), pre(text.detail(d)))
    r = d.record
    rows: list[tuple[str, str]] = [
        ("message", e(r["message"]) or '<span class="mlver-muted">no message</span>'),
        ("created", e(short_time(r["created"]) + " UTC")),
    ]
    nb = r.get("notebook")
    if nb:
        source = f'<span class="mlver-muted">from {e(nb["source"])}</span>'
        rows.append(("notebook", f"<code>{e(nb['path'] or '(unsaved)')}</code> {source}"))
    rows.append(("params", assignments(r["params"])))
    rows.append(("metrics", assignments(r["metrics"])))
    rows.append(("data", _data_rows(r["data"])))
    if d.environment is not None:
        rows.append(("environment", e(text.environment_summary(d.environment))))
    if r.get("git"):
        rows.append(("git", _git_cell(r["git"])))
    if d.images:
        refs = ", ".join(f"<code>{e(t)}</code>" for im in d.images for t in im["tags"][:2])
        rows.append(("images", refs))
    namespace = r.get("namespace") or {}
    if namespace:
        items = "".join(
            f"<tr><td><code>{e(k)}</code></td><td>{e(v['type'])}</td><td>{e(v['summary'])}</td></tr>"
            for k, v in list(namespace.items())[:ROWS_SHOWN]
        )
        rows.append(("variables", details(str(len(namespace)), f"<table>{items}</table>")))
    title = f"snapshot <code>{e(r['id'][:12])}</code> {tags(d.tags)}"
    execution = (r.get("execution") or {}).get("warnings") or []
    return card(title, warnings(execution) + kv_table(rows))


def page(p: SnapshotPage) -> str:
    scope = p.scope or "all notebooks"
    if not p.rows:
        return f'<div class="mlver-card">no snapshots ({e(scope)})</div>'
    head = "".join(
        f"<th>{h}</th>" for h in ("id", "created (UTC)", "message", "tags", "params", "metrics")
    )
    body = "".join(
        f"<tr><td><code>{e(row.id[:12])}</code></td><td>{e(short_time(row.created))}</td>"
        f"<td>{e(row.summary['message'])}</td><td>{tags(row.tags)}</td>"
        f"<td>{assignments(row.summary['params'])}</td>"
        f"<td>{assignments(row.summary['metrics'])}</td></tr>"
        for row in p.rows
    )
    more = (
        f'<div class="mlver-muted">{len(p.rows)} of {p.total} shown</div>'
        if p.total > len(p.rows)
        else ""
    )
    title = f'{p.total} snapshot(s) <span class="mlver-muted">{e(scope)}</span>'
    return card(title, f"<table><tr>{head}</tr>{body}</table>{more}")


def status(s: NextSnapshot) -> str:
    rows = [(k, e(v)) for k, v in text.status_rows(s)]
    return card("next snapshot would record", warnings(s.warnings) + kv_table(rows))
