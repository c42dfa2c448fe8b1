"""HTML building blocks for notebooks, themed with JupyterLab's CSS variables (light and dark)."""

from __future__ import annotations

import html
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from .format import format_value

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
.mlver-card table.mlver-table{border-collapse:collapse;margin:4px 0}
.mlver-table thead th{border-bottom:1px solid var(--jp-border-color1,#999);padding:3px 14px 3px 0}
.mlver-table td{border-bottom:1px solid var(--jp-border-color3,#eee);padding:3px 14px 3px 0;
 white-space:nowrap}
.mlver-table tbody tr:hover{background:var(--jp-layout-color2,#f5f5f5)}
.mlver-card .mlver-num{text-align:right;font-variant-numeric:tabular-nums}
.mlver-table td.mlver-wide{white-space:normal;min-width:16em;max-width:48em}
.mlver-card .mlver-line{margin:2px 0}
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


def warnings(items: Sequence[Mapping[str, Any]]) -> str:
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


def table(
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    numeric: Collection[int] = (),
    wide: Collection[int] = (),
) -> str:
    """A table with a header row (``head`` is text) and ``rows`` of cells that are already
    HTML. The columns in ``numeric`` are right-aligned in tabular figures; those in ``wide``
    (a reason, a message) wrap, the others never do."""

    def cls(i: int) -> str:
        names = [n for n, cols in (("mlver-num", numeric), ("mlver-wide", wide)) if i in cols]
        return f' class="{" ".join(names)}"' if names else ""

    thead = "".join(f"<th{cls(i)}>{e(h)}</th>" for i, h in enumerate(head))
    tbody = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return (
        f'<table class="mlver-table"><thead><tr>{thead}</tr></thead><tbody>{tbody}</tbody></table>'
    )


def num(value: float | None, spec: str = "") -> str:
    """A number for a ``numeric`` column; a muted dash when there is none."""
    return muted("-") if value is None else e(format(value, spec))


def code(value: Any) -> str:
    return f"<code>{e(value)}</code>"


def muted(text: str) -> str:
    return f'<span class="mlver-muted">{e(text)}</span>'


def lines(items: Sequence[str]) -> str:
    """One block per item (already HTML)."""
    return "".join(f'<div class="mlver-line">{item}</div>' for item in items)
