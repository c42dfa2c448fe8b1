"""Views of records: aligned text for terminals and ``text/plain``, themed HTML for notebooks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core.index import SnapshotRow
    from .core.records import Record
    from .core.store import Store


def progress_bar(**kwargs: Any) -> Any:
    """A tqdm bar for long work: a widget in a notebook, text elsewhere. Imported only when
    there is long work, so short snapshots never load it."""
    from tqdm.auto import tqdm

    return tqdm(**kwargs)


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
    files = sum(d.get("files", 1) for d in data)
    lines.append(("data", f"{files} file(s), {human_bytes(sum(d['size'] for d in data))}"))
    for d in data[:20]:
        kept = "" if d["stored"] else " (hash only)"
        path = (
            f"{d['path']}/ (tree of {d['files']} files)" if d.get("kind") == "tree" else d["path"]
        )
        lines.append(
            ("", f"{d['role']:<7} {path}  {human_bytes(d['size'])}  {d['hash'][:12]}{kept}")
        )
    if len(data) > 20:
        lines.append(("", f"… and {len(data) - 20} more (--json shows all)"))
    if any(d.get("kind") == "tree" for d in data):
        lines.append(("", "(--files lists the files in each directory)"))
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


# -- rich views for the notebook (text/plain always, plus HTML themed by JupyterLab) -----

_CSS = """
<style>
.mlver-card{font-family:var(--jp-ui-font-family,sans-serif);font-size:var(--jp-ui-font-size1,13px);
 color:var(--jp-ui-font-color1,#222);border:1px solid var(--jp-border-color2,#ccc);
 border-radius:4px;padding:8px 12px;margin:4px 0;background:var(--jp-layout-color0,transparent);
 max-width:900px}
.mlver-card h4{margin:0 0 6px 0;font-size:var(--jp-ui-font-size2,15px);font-weight:600}
.mlver-card code{font-family:var(--jp-code-font-family,monospace);
 background:var(--jp-layout-color2,#eee);padding:0 3px;border-radius:2px}
.mlver-card table{border-collapse:collapse;margin:2px 0}
.mlver-card th{text-align:left;font-weight:600;color:var(--jp-ui-font-color2,#555);
 padding:2px 12px 2px 0;vertical-align:top;white-space:nowrap}
.mlver-card td{padding:2px 12px 2px 0;vertical-align:top}
.mlver-card .mlver-muted{color:var(--jp-ui-font-color2,#666)}
.mlver-card .mlver-tag{display:inline-block;border:1px solid var(--jp-brand-color1,#1976d2);
 color:var(--jp-brand-color1,#1976d2);border-radius:8px;padding:0 6px;margin-right:4px;
 font-size:var(--jp-ui-font-size0,11px)}
.mlver-card .mlver-warn{border-left:3px solid var(--jp-warn-color0,#e65100);
 background:var(--jp-warn-color3,#fff3e0);color:var(--jp-ui-font-color1,#222);
 padding:3px 8px;margin:3px 0}
.mlver-card .mlver-error{color:var(--jp-error-color1,#d32f2f)}
.mlver-card details summary{cursor:pointer;color:var(--jp-ui-font-color2,#555)}
</style>
"""


def _e(value: Any) -> str:
    import html

    return html.escape(str(value))


def _kv_table(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def _assignments_html(values: dict[str, Any]) -> str:
    if not values:
        return '<span class="mlver-muted">none</span>'
    return " ".join(
        f"<code>{_e(k)}={_e(format_value(v))}</code>" for k, v in sorted(values.items())
    )


class View:
    """Base of every value the magics return: a text/plain and an HTML rendering."""

    def text(self) -> str:
        raise NotImplementedError

    def html(self) -> str:
        raise NotImplementedError

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": self.text(), "text/html": _CSS + self.html()}

    def __repr__(self) -> str:
        return self.text()


class SnapshotCard(View):
    def __init__(
        self,
        record: Record,
        tags: list[str],
        environment: Record | None,
        images: list[Record] | None = None,
        title: str = "snapshot",
    ) -> None:
        self.record = record
        self.tags = tags
        self.environment = environment
        self.images = images or []
        self.title = title

    def text(self) -> str:
        lines = [format_record(self.record, self.tags)]
        if self.environment:
            lines.append(f"environment  {environment_summary(self.environment)}")
        return "\n".join(lines)

    def html(self) -> str:
        r = self.record
        tags = "".join(f'<span class="mlver-tag">{_e(t)}</span>' for t in self.tags)
        rows: list[tuple[str, str]] = [
            ("message", _e(r["message"]) or '<span class="mlver-muted">no message</span>'),
            ("created", _e(short_time(r["created"]) + " UTC")),
        ]
        nb = r.get("notebook")
        if nb:
            rows.append(
                (
                    "notebook",
                    f"<code>{_e(nb['path'] or '(unsaved)')}</code> "
                    f'<span class="mlver-muted">from {_e(nb["source"])}</span>',
                )
            )
        rows.append(("params", _assignments_html(r["params"])))
        rows.append(("metrics", _assignments_html(r["metrics"])))
        data = r["data"]
        if data:
            items = "".join(
                f"<tr><td>{_e(d['role'])}</td><td><code>{_e(d['path'])}</code></td>"
                f"<td>{_e(human_bytes(d['size']))}</td><td><code>{_e(d['hash'][:12])}</code>"
                f"{'' if d['stored'] else ' <span class=mlver-muted>hash only</span>'}</td></tr>"
                for d in data[:50]
            )
            more = (
                f"<tr><td colspan=4>… and {len(data) - 50} more</td></tr>" if len(data) > 50 else ""
            )
            total = human_bytes(sum(d["size"] for d in data))
            rows.append(
                (
                    "data",
                    f"<details><summary>{len(data)} file(s), {_e(total)}</summary>"
                    f"<table>{items}{more}</table></details>",
                )
            )
        else:
            rows.append(("data", '<span class="mlver-muted">none</span>'))
        if self.environment:
            rows.append(("environment", _e(environment_summary(self.environment))))
        git = r.get("git")
        if git:
            state = '<span class="mlver-error">dirty</span>' if git.get("dirty") else "clean"
            rows.append(
                (
                    "git",
                    f"<code>{_e((git.get('commit') or 'no commit')[:12])}</code> on "
                    f"{_e(git.get('branch') or 'detached HEAD')}, {state}"
                    + (f", {len(git['untracked'])} untracked" if git.get("untracked") else ""),
                )
            )
        if self.images:
            refs = ", ".join(f"<code>{_e(t)}</code>" for im in self.images for t in im["tags"][:2])
            rows.append(("images", refs))
        namespace = r.get("namespace") or {}
        if namespace:
            items = "".join(
                f"<tr><td><code>{_e(k)}</code></td><td>{_e(v['type'])}</td>"
                f"<td>{_e(v['summary'])}</td></tr>"
                for k, v in namespace.items()
            )
            rows.append(
                (
                    "variables",
                    f"<details><summary>{len(namespace)}</summary><table>{items}</table></details>",
                )
            )
        warnings = "".join(
            f'<div class="mlver-warn">⚠ {_e(w["message"])}</div>'
            for w in (r.get("execution") or {}).get("warnings") or []
        )
        return (
            f'<div class="mlver-card"><h4>{_e(self.title)} <code>{_e(r["id"][:12])}</code> '
            f"{tags}</h4>{warnings}{_kv_table(rows)}</div>"
        )


class SnapshotList(View):
    def __init__(self, rows: list[SnapshotRow], total: int, scope: str) -> None:
        self.rows = rows
        self.total = total
        self.scope = scope

    def text(self) -> str:
        return format_list(self.rows, self.total)

    def html(self) -> str:
        if not self.rows:
            return f'<div class="mlver-card">no snapshots ({_e(self.scope)})</div>'
        head = "".join(
            f"<th>{h}</th>" for h in ("id", "created (UTC)", "message", "tags", "params", "metrics")
        )
        body = "".join(
            f"<tr><td><code>{_e(row.id[:12])}</code></td><td>{_e(short_time(row.created))}</td>"
            f"<td>{_e(row.summary['message'])}</td>"
            f"<td>{''.join(f'<span class=mlver-tag>{_e(t)}</span>' for t in row.tags)}</td>"
            f"<td>{_assignments_html(row.summary['params'])}</td>"
            f"<td>{_assignments_html(row.summary['metrics'])}</td></tr>"
            for row in self.rows
        )
        more = (
            f'<div class="mlver-muted">{len(self.rows)} of {self.total} shown</div>'
            if self.total > len(self.rows)
            else ""
        )
        return (
            f'<div class="mlver-card"><h4>{self.total} snapshot(s) '
            f'<span class="mlver-muted">{_e(self.scope)}</span></h4>'
            f"<table><tr>{head}</tr>{body}</table>{more}</div>"
        )


class StatusView(View):
    """What the next snapshot would record."""

    def __init__(
        self,
        store_dir: str,
        notebook: str | None,
        source: str | None,
        params: dict[str, Any],
        metrics: dict[str, Any],
        lineage: list[tuple[str, str, int]],
        warnings: list[dict[str, Any]],
    ) -> None:
        self.store_dir = store_dir
        self.notebook = notebook
        self.source = source
        self.params = params
        self.metrics = metrics
        self.lineage = lineage
        self.warnings = warnings

    def _rows(self) -> list[tuple[str, str]]:
        reads = [(p, s) for p, role, s in self.lineage if role == "input"]
        writes = [(p, s) for p, role, s in self.lineage if role == "output"]
        return [
            ("store", self.store_dir),
            ("notebook", f"{self.notebook or '(rebuilt from history)'} ({self.source})"),
            ("params", format_assignments(self.params)),
            ("metrics", format_assignments(self.metrics)),
            ("read", ", ".join(f"{p} ({human_bytes(s)})" for p, s in reads) or "-"),
            ("written", ", ".join(f"{p} ({human_bytes(s)})" for p, s in writes) or "-"),
        ]

    def text(self) -> str:
        lines = [f"{k:<9} {v}" for k, v in self._rows()]
        lines += [f"warning   {w['message']}" for w in self.warnings]
        return "next snapshot would record:\n" + "\n".join(lines)

    def html(self) -> str:
        rows = [(k, _e(v)) for k, v in self._rows()]
        warnings = "".join(
            f'<div class="mlver-warn">⚠ {_e(w["message"])}</div>' for w in self.warnings
        )
        return (
            f'<div class="mlver-card"><h4>next snapshot would record</h4>{warnings}'
            f"{_kv_table(rows)}</div>"
        )


class Message(View):
    """A one-line result (tagged, restored, logged)."""

    def __init__(self, text: str, details: list[str] | None = None) -> None:
        self._text = text
        self.details = details or []

    def text(self) -> str:
        return "\n".join([self._text, *self.details])

    def html(self) -> str:
        details = "".join(f'<div class="mlver-muted">{_e(d)}</div>' for d in self.details)
        return f'<div class="mlver-card">{_e(self._text)}{details}</div>'


class TextResult(View):
    """A result whose text form is already laid out (a build, a verification, a Dockerfile)."""

    def __init__(self, title: str, body: str, ok: bool = True) -> None:
        self.title = title
        self.body = body
        self.ok = ok

    def text(self) -> str:
        return self.body

    def html(self) -> str:
        mark = "" if self.ok else ' class="mlver-error"'
        return (
            f'<div class="mlver-card"><h4{mark}>{_e(self.title)}</h4>'
            f'<pre style="margin:0;white-space:pre-wrap">{_e(self.body)}</pre></div>'
        )


class LiveProgress(View):
    """A build's progress in the cell: the current step, and the engine's log folded away.

    Updates replace one display (``display_id``) at most a few times a second, so a build
    that prints thousands of lines does not flood the notebook.
    """

    INTERVAL_S = 0.25
    LOG_LINES = 400

    def __init__(self, title: str) -> None:
        import time

        self.title = title
        self.status = "starting"
        self.step: tuple[int, int] | None = None
        self.log: list[str] = []
        self.failed = False
        self._clock = time.monotonic
        self._shown_at = 0.0
        self._handle: Any = None

    def start(self) -> LiveProgress:
        from IPython.display import display

        self._handle = display(self, display_id=True)  # type: ignore[no-untyped-call]
        self._shown_at = self._clock()
        return self

    def event(self, event: Any) -> None:
        """A ``core.images.progress.ProgressEvent``."""
        if event.log:
            self.log.extend(event.message.splitlines() or [""])
            del self.log[: -self.LOG_LINES]
        else:
            self.status = event.message
        if event.step and event.total:
            self.step = (event.step, event.total)
        if self._handle is not None and self._clock() - self._shown_at >= self.INTERVAL_S:
            self.refresh()

    def refresh(self) -> None:
        if self._handle is not None:
            self._handle.update(self)
            self._shown_at = self._clock()

    def finish(self, status: str, failed: bool = False, log: list[str] | None = None) -> None:
        self.status = status
        self.failed = failed
        if log is not None:
            self.log = log[-self.LOG_LINES :]
        self.refresh()

    def text(self) -> str:
        step = f"[step {self.step[0]}/{self.step[1]}] " if self.step else ""
        return f"{self.title}: {step}{self.status}"

    def html(self) -> str:
        step = ""
        if self.step:
            done, total = self.step
            step = (
                f'<progress max="{total}" value="{done}" style="vertical-align:middle"></progress> '
                f'<span class="mlver-muted">step {done}/{total}</span> '
            )
        status = (
            f'<span class="mlver-error">{_e(self.status)}</span>'
            if self.failed
            else _e(self.status)
        )
        log = ""
        if self.log:
            opened = " open" if self.failed else ""
            log = (
                f"<details{opened}><summary>log ({len(self.log)} lines)</summary>"
                f'<pre style="max-height:20em;overflow:auto;margin:0">'
                f"{_e(chr(10).join(self.log))}</pre></details>"
            )
        return f'<div class="mlver-card"><h4>{_e(self.title)}</h4>{step}{status}{log}</div>'
