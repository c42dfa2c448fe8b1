"""Views of records: aligned text for terminals (and ``text/plain``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core.index import SnapshotRow
    from .core.records import Record
    from .core.store import Store


def human_bytes(n: int | None) -> str:
    if n is None:
        return "?"
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def format_value(value: Any) -> str:
    if isinstance(value, list):
        if len(value) <= 4:
            return "[" + ", ".join(format_value(v) for v in value) + "]"
        return f"[{format_value(value[0])} … {format_value(value[-1])}] ({len(value)})"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def format_assignments(values: dict[str, Any]) -> str:
    return "  ".join(f"{k}={format_value(v)}" for k, v in sorted(values.items())) or "-"


def short_time(created: str) -> str:
    return created[:19].replace("T", " ")


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
    )


def format_list(rows: list[SnapshotRow], total: int) -> str:
    if not rows:
        return "no snapshots"
    table = [["ID", "CREATED (UTC)", "NOTEBOOK", "MESSAGE", "TAGS", "PARAMS", "METRICS"]]
    for row in rows:
        s = row.summary
        message = s["message"] if len(s["message"]) <= 40 else s["message"][:39] + "…"
        table.append(
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
    more = f"\n({len(rows)} of {total} shown; -n 0 shows all)" if total > len(rows) else ""
    return _table(table) + more


def environment_summary(env: Record) -> str:
    plat = env["platform"]
    gpus = env["hardware"].get("gpus") or []
    gpu = f" · {len(gpus)} GPU ({gpus[0]['name']})" if gpus else ""
    return (
        f"Python {env['python']['version']} · {len(env['packages'])} packages · "
        f"{plat['system']} {plat['machine']}{gpu} · fingerprint {env['fingerprint'][:12]}"
    )


def _snapshot_lines(record: Record, tags: list[str], store: Store | None) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = [
        ("snapshot", record["id"]),
        ("created", short_time(record["created"]) + " UTC"),
        ("message", record["message"] or "-"),
    ]
    if tags:
        lines.append(("tags", ", ".join(tags)))
    author = record.get("author") or {}
    lines.append(
        (
            "author",
            author.get("name", "?") + (f" <{author['email']}>" if author.get("email") else ""),
        )
    )
    nb = record.get("notebook")
    if nb:
        lines.append(
            (
                "notebook",
                f"{nb['path'] or '(unsaved)'} ({nb['source']}, {nb['kernel'].get('name', '?')})",
            )
        )
    lines.append(("parent", (record.get("parent") or "-")[:12]))
    lines.append(("params", format_assignments(record["params"])))
    lines.append(("metrics", format_assignments(record["metrics"])))
    data = record["data"]
    lines.append(("data", f"{len(data)} file(s), {human_bytes(sum(d['size'] for d in data))}"))
    for d in data[:20]:
        kept = "" if d["stored"] else " (hash only)"
        lines.append(
            ("", f"{d['role']:<7} {d['path']}  {human_bytes(d['size'])}  {d['hash'][:12]}{kept}")
        )
    if len(data) > 20:
        lines.append(("", f"… and {len(data) - 20} more (--json shows all)"))
    if store is not None:
        try:
            lines.append(("environment", environment_summary(store.get(record["environment"]))))
        except Exception:
            lines.append(("environment", record["environment"][:12] + " (missing)"))
    git = record.get("git")
    if git:
        where = f"{git.get('branch') or '(detached)'} @ {(git.get('commit') or 'no commit')[:12]}"
        dirty = " (dirty)" if git.get("dirty") else ""
        untracked = f", {len(git['untracked'])} untracked" if git.get("untracked") else ""
        lines.append(("git", where + dirty + untracked))
    else:
        lines.append(("git", "not a git repository"))
    for w in (record.get("execution") or {}).get("warnings") or []:
        lines.append(("warning", w.get("message", str(w))))
    return lines


def format_record(record: Record, tags: list[str] | None = None, store: Store | None = None) -> str:
    schema = record.get("schema", "")
    if schema == "mlver.snapshot/1":
        lines = _snapshot_lines(record, tags or [], store)
    elif schema == "mlver.environment/1":
        lines = [
            ("environment", record["id"]),
            ("summary", environment_summary(record)),
            ("cpu", f"{record['hardware']['cpu']} ({record['hardware']['cores']} cores)"),
        ]
        lines += [
            (
                "",
                f"{p['name']}=={p['version']}"
                + (f" ({p['source']})" if p["source"] != "index" else ""),
            )
            for p in record["packages"]
        ]
    else:
        lines = [(k, format_value(v)) for k, v in sorted(record.items())]
    width = max(len(k) for k, _ in lines)
    return "\n".join(f"{k:<{width}}  {v}".rstrip() for k, v in lines)
