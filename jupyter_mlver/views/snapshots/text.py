"""Text views of snapshots: one record, a page, tags, what the next snapshot holds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..format import (
    data_path,
    file_count,
    format_assignments,
    format_value,
    human_bytes,
    key_values,
    short_time,
    table,
)

if TYPE_CHECKING:
    from ...core.snapshot.pending import Logged, NextSnapshot, Restored
    from ...core.snapshot.read import SnapshotDetail, SnapshotPage


#: Data files a text view lists before "… and N more".
DATA_SHOWN = 20


def environment_summary(env: Mapping[str, Any]) -> str:
    plat = env["platform"]
    gpus = env["hardware"].get("gpus") or []
    gpu = f" · {len(gpus)} GPU ({gpus[0]['name']})" if gpus else ""
    return (
        f"Python {env['python']['version']} · {len(env['packages'])} packages · "
        f"{plat['system']} {plat['machine']}{gpu} · fingerprint {env['fingerprint'][:12]}"
    )


def git_summary(git: dict[str, Any] | None) -> str:
    if not git:
        return "not a git repository"
    where = f"{git.get('branch') or '(detached)'} @ {(git.get('commit') or 'no commit')[:12]}"
    dirty = " (dirty)" if git.get("dirty") else ""
    untracked = f", {len(git['untracked'])} untracked" if git.get("untracked") else ""
    return where + dirty + untracked


def author(record: Mapping[str, Any]) -> str:
    who = record.get("author") or {}
    return str(who.get("name", "?")) + (f" <{who['email']}>" if who.get("email") else "")


def _snapshot_lines(d: SnapshotDetail) -> list[tuple[str, str]]:
    record = d.record
    lines: list[tuple[str, str]] = [
        ("snapshot", record["id"]),
        ("created", short_time(record["created"]) + " UTC"),
        ("message", record["message"] or "-"),
    ]
    if d.tags:
        lines.append(("tags", ", ".join(d.tags)))
    lines.append(("author", author(record)))
    nb = record.get("notebook")
    if nb:
        kernel = nb["kernel"].get("name", "?")
        lines.append(("notebook", f"{nb['path'] or '(unsaved)'} ({nb['source']}, {kernel})"))
    lines.append(("parent", (record.get("parent") or "-")[:12]))
    lines.append(("params", format_assignments(record["params"])))
    lines.append(("metrics", format_assignments(record["metrics"])))
    data = record["data"]
    size = human_bytes(sum(e["size"] for e in data))
    lines.append(("data", f"{file_count(data)} file(s), {size}"))
    for e in data[:DATA_SHOWN]:
        kept = "" if e["stored"] else " (hash only)"
        lines.append(
            ("", f"{e['role']:<7} {data_path(e)}  {human_bytes(e['size'])}  {e['hash'][:12]}{kept}")
        )
    if len(data) > DATA_SHOWN:
        lines.append(("", f"… and {len(data) - DATA_SHOWN} more (--json shows all)"))
    if any(e.get("kind") == "tree" for e in data):
        lines.append(("", "(--files lists the files of each directory)"))
    if d.environment is not None:
        lines.append(("environment", environment_summary(d.environment)))
    else:
        lines.append(("environment", record["environment"][:12] + " (missing)"))
    lines.append(("git", git_summary(record.get("git"))))
    for image in d.images:
        lines.append(("image", ", ".join(image["tags"][:2]) or image["image_id"][7:19]))
    pushed = [
        r["name"] + ("" if r["data"] else " (without data)") for r in d.remotes if r["pushed"]
    ]
    if pushed:
        lines.append(("pushed", ", ".join(pushed)))
    for w in (record.get("execution") or {}).get("warnings") or []:
        lines.append(("warning", w.get("message", str(w))))
    return lines


def _environment_lines(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    lines = [
        ("environment", record["id"]),
        ("summary", environment_summary(record)),
        ("cpu", f"{record['hardware']['cpu']} ({record['hardware']['cores']} cores)"),
    ]
    for p in record["packages"]:
        origin = f" ({p['source']})" if p["source"] != "index" else ""
        lines.append(("", f"{p['name']}=={p['version']}{origin}"))
    return lines


def detail(d: SnapshotDetail) -> str:
    """A snapshot with its environment, images and tags; any other record field by field."""
    schema = d.record.get("schema", "")
    if d.is_snapshot:
        lines = _snapshot_lines(d)
    elif schema == "mlver.environment/1":
        lines = _environment_lines(d.record)
    else:
        lines = [(k, format_value(v)) for k, v in sorted(d.record.items())]
    return key_values(lines)


def page(p: SnapshotPage) -> str:
    if not p.rows:
        return "no snapshots"
    rows = [["ID", "CREATED (UTC)", "NOTEBOOK", "MESSAGE", "TAGS", "PARAMS", "METRICS"]]
    for row in p.rows:
        s = row.summary
        message = s["message"] if len(s["message"]) <= 40 else s["message"][:39] + "…"
        rows.append(
            [
                row.id[:12],
                short_time(row.created),
                row.notebook or "-",
                message or "-",
                ",".join(row.tags) or "-",
                format_assignments(s["params"]),
                format_assignments(s["metrics"]),
            ]
        )
    more = f"\n({len(p.rows)} of {p.total} shown; -n 0 shows all)" if p.total > len(p.rows) else ""
    return "\n".join(table(rows)) + more


def tagged(tag: Mapping[str, Any]) -> str:
    return f"tagged {tag['snapshot'][:12]} as {tag['name']}"


def logged(r: Logged) -> str:
    return "\n".join(
        [
            f"logged {r.metrics} metric(s) and {r.params} param(s) for the next snapshot",
            f"params   {format_assignments(r.pending_params)}",
            f"metrics  {format_assignments(r.pending_metrics)}",
        ]
    )


def status_rows(s: NextSnapshot) -> list[tuple[str, str]]:
    reads = [(f.path, f.size) for f in s.files if f.role == "input"]
    writes = [(f.path, f.size) for f in s.files if f.role == "output"]
    return [
        ("store", s.store_dir),
        ("notebook", f"{s.notebook or '(rebuilt from history)'} ({s.source})"),
        ("params", format_assignments(s.params)),
        ("metrics", format_assignments(s.metrics)),
        ("read", ", ".join(f"{p} ({human_bytes(n)})" for p, n in reads) or "-"),
        ("written", ", ".join(f"{p} ({human_bytes(n)})" for p, n in writes) or "-"),
    ]


def status(s: NextSnapshot) -> str:
    lines = [f"{k:<9} {v}" for k, v in status_rows(s)]
    lines += [f"warning   {w['message']}" for w in s.warnings]
    return "next snapshot would record:\n" + "\n".join(lines)


def restored(r: Restored) -> str:
    return f"restored {', '.join(r.names)} from {r.snapshot[:12]}"
