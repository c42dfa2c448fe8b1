"""HTML views for notebooks, themed with JupyterLab's CSS variables (light and dark)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from . import text
from .format import data_path, file_count, format_value, human_bytes, short_time

if TYPE_CHECKING:
    from ..core.images import BuildResult, EnvironmentView, VerifyResult
    from ..core.remote import TransferResult
    from ..core.snapshot.pending import NextSnapshot
    from ..core.snapshot.read import SnapshotDetail, SnapshotPage

#: Data files and variables a card lists before "… and N more".
ROWS_SHOWN = 50

CSS = """
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
MUTED_NONE = '<span class="mlver-muted">none</span>'


def e(value: Any) -> str:
    return html.escape(value if isinstance(value, str) else format_value(value))


def kv_table(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{e(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def assignments(values: dict[str, Any]) -> str:
    if not values:
        return MUTED_NONE
    return " ".join(f"<code>{e(k)}={e(format_value(v))}</code>" for k, v in sorted(values.items()))


def tags(names: list[str]) -> str:
    return "".join(f'<span class="mlver-tag">{e(t)}</span>' for t in names)


def warnings(items: list[dict[str, Any]]) -> str:
    return "".join(f'<div class="mlver-warn">⚠ {e(w["message"])}</div>' for w in items)


def details(summary: str, body: str, opened: bool = False) -> str:
    return f"<details{' open' if opened else ''}><summary>{summary}</summary>{body}</details>"


def card(title: str, body: str, failed: bool = False) -> str:
    mark = ' class="mlver-error"' if failed else ""
    return f'<div class="mlver-card"><h4{mark}>{title}</h4>{body}</div>'


def pre(body: str) -> str:
    return f'<pre style="margin:0;white-space:pre-wrap">{e(body)}</pre>'


def message(body: str) -> str:
    """A short result as text: its first line, and the rest muted."""
    first, *rest = body.splitlines() or [""]
    more = "".join(f'<div class="mlver-muted">{e(line)}</div>' for line in rest)
    return f'<div class="mlver-card">{e(first)}{more}</div>'


# -- records -----------------------------------------------------------------------------


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


# -- remotes and images --------------------------------------------------------------------


def transfer(r: TransferResult) -> str:
    return message(text.transfer(r))


def build(r: BuildResult) -> str:
    return card(e(r.image or "build context"), pre(text.build(r)))


def dockerfile(r: BuildResult) -> str:
    return card(
        f"Dockerfile <span class='mlver-muted'>(context in {e(r.context_dir)})</span>",
        pre(r.dockerfile),
    )


def verify(r: VerifyResult) -> str:
    return card(f"verify {e(r.image)}", pre(text.verify(r)), failed=not r.identical)


def environment(v: EnvironmentView) -> str:
    return card("environment", pre(text.environment(v)))


def build_progress(
    title: str,
    status: str,
    step: tuple[int, int] | None,
    log: list[str],
    failed: bool,
    open_log: bool,
) -> str:
    """A build as it goes: a progress bar over the steps, the status, the log folded."""
    head = ""
    if step:
        done, total = step
        head = (
            f'<progress max="{total}" value="{done}" style="vertical-align:middle"></progress> '
            f'<span class="mlver-muted">step {done}/{total}</span> '
        )
    shown = f'<span class="mlver-error">{e(status)}</span>' if failed else e(status)
    folded = ""
    if log:
        body = f'<pre style="max-height:20em;overflow:auto;margin:0">{e(chr(10).join(log))}</pre>'
        folded = details(f"log ({len(log)} lines)", body, opened=failed or open_log)
    return card(e(title), head + shown + folded)
