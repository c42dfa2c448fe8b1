"""HTML views of snapshots for notebooks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..format import data_path, file_count, format_value, human_bytes, short_time
from ..markup import (
    MUTED_NONE,
    ROWS_SHOWN,
    assignments,
    card,
    code,
    details,
    e,
    kv_table,
    muted,
    table,
    tags,
    warnings,
)
from . import text

if TYPE_CHECKING:
    from ...core.records import Record
    from ...core.snapshot.pending import Logged, NextSnapshot, Restored
    from ...core.snapshot.read import SnapshotDetail, SnapshotPage


def _role(d: dict[str, Any]) -> str:
    also = [flag for flag in ("read", "tracked") if d.get(flag)]
    return e(d["role"]) + (" " + muted(f"({', '.join(also)})") if also else "")


def _data_rows(data: list[dict[str, Any]]) -> str:
    if not data:
        return MUTED_NONE
    body = [
        [
            _role(d),
            code(data_path(d)),
            e(human_bytes(d["size"])),
            code(d["hash"][:12]) + ("" if d["stored"] else " " + muted("hash only")),
        ]
        for d in data[:ROWS_SHOWN]
    ]
    more = muted(f"… and {len(data) - ROWS_SHOWN} more") if len(data) > ROWS_SHOWN else ""
    total = human_bytes(sum(d["size"] for d in data))
    shown = table(["role", "path", "size", "hash"], body, numeric={2}) + more
    return details(f"{file_count(data)} file(s), {e(total)}", shown)


def _git_cell(git: dict[str, Any]) -> str:
    state = '<span class="mlver-error">dirty</span>' if git.get("dirty") else "clean"
    untracked = f", {len(git['untracked'])} untracked" if git.get("untracked") else ""
    return (
        f"<code>{e((git.get('commit') or 'no commit')[:12])}</code> on "
        f"{e(git.get('branch') or 'detached HEAD')}, {state}{untracked}"
    )


def detail(d: SnapshotDetail) -> str:
    if not d.is_snapshot:
        return _record(d.record)
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
        body = [
            [code(k), e(v["type"]), e(v["summary"])]
            for k, v in list(namespace.items())[:ROWS_SHOWN]
        ]
        variables = table(["name", "type", "summary"], body)
        rows.append(("variables", details(str(len(namespace)), variables)))
    title = f"snapshot <code>{e(r['id'][:12])}</code> {tags(d.tags)}"
    execution = (r.get("execution") or {}).get("warnings") or []
    return card(title, warnings(execution) + kv_table(rows))


def _record(record: Mapping[str, Any]) -> str:
    """Any record other than a snapshot: an environment's packages as a table, else its
    fields one by one."""
    schema = str(record.get("schema", "record"))
    if schema == "mlver.environment/1":
        packages = [[code(p["name"]), e(p["version"]), e(p["source"])] for p in record["packages"]]
        rows = [
            ("id", code(record["id"])),
            ("summary", e(text.environment_summary(record))),
            ("packages", table(["package", "version", "source"], packages)),
        ]
    else:
        rows = [(k, e(format_value(v))) for k, v in sorted(record.items())]
    return card(e(schema), kv_table(rows))


def page(p: SnapshotPage) -> str:
    scope = p.scope or "all notebooks"
    if not p.rows:
        return card("snapshots", muted(f"none ({scope})"))
    body = [
        [
            code(row.id[:12]),
            e(short_time(row.created)),
            e(row.notebook or "-"),
            e(row.summary["message"]),
            tags(row.tags),
            assignments(row.summary["params"]),
            assignments(row.summary["metrics"]),
        ]
        for row in p.rows
    ]
    head = ["id", "created (UTC)", "notebook", "message", "tags", "params", "metrics"]
    more = muted(f"{len(p.rows)} of {p.total} shown") if p.total > len(p.rows) else ""
    title = f"{p.total} snapshot(s) {muted(scope)}"
    return card(title, table(head, body, wide={3}) + more)


def status(s: NextSnapshot) -> str:
    def files(role: str) -> str:
        chosen = [f for f in s.files if f.role == role]
        body = [[code(f.path), e(human_bytes(f.size))] for f in chosen]
        return table(["path", "size"], body, numeric={1}) if body else MUTED_NONE

    rows = [
        ("store", code(s.store_dir)),
        ("notebook", e(f"{s.notebook or '(rebuilt from history)'} ({s.source})")),
        ("params", assignments(s.params)),
        ("metrics", assignments(s.metrics)),
        ("read", files("input")),
        ("written", files("output")),
    ]
    return card("next snapshot would record", warnings(s.warnings) + kv_table(rows))


def tagged(tag: Record) -> str:
    return card(f"tagged {code(tag['snapshot'][:12])}", tags([tag["name"]]))


def logged(r: Logged) -> str:
    rows = [
        ("added", e(f"{r.metrics} metric(s), {r.params} param(s)")),
        ("params", assignments(r.pending_params)),
        ("metrics", assignments(r.pending_metrics)),
    ]
    return card("logged for the next snapshot", kv_table(rows))


def restored(r: Restored) -> str:
    names = " ".join(code(n) for n in r.names)
    return card(f"restored from {code(r.snapshot[:12])}", names)
