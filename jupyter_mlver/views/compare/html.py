"""HTML views of a comparison, a checkout and a reproduction: self-contained fragments
styled inline with JupyterLab's CSS variables only."""

from __future__ import annotations

import html
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from ..format import MARK, human_bytes, short_time
from ..markup import e
from . import text as tc

if TYPE_CHECKING:
    from ...core.checkout import CheckoutResult
    from ...core.diff.types import Diff, FileSide
    from ...core.reproduce.reproduce import ReproduceResult

COLOR = {
    "added": "var(--jp-success-color1)",
    "removed": "var(--jp-error-color1)",
    "changed": "var(--jp-warn-color1)",
    "upgraded": "var(--jp-info-color1)",
    "downgraded": "var(--jp-warn-color1)",
    "unchanged": "var(--jp-ui-font-color2)",
}
STYLE = (
    "font-family:var(--jp-ui-font-family);font-size:var(--jp-ui-font-size1);"
    "color:var(--jp-ui-font-color1)"
)
CELL = "padding:2px 8px;text-align:left;border-bottom:1px solid var(--jp-border-color2)"
CODE = "font-family:var(--jp-code-font-family);font-size:var(--jp-code-font-size)"
NUMERIC = ";text-align:right;font-variant-numeric:tabular-nums"


def colored_table(
    title: str,
    headers: Sequence[str],
    rows: list[tuple[str, list[str]]],
    numeric: Collection[int] = (),
) -> str:
    """A titled table whose rows are coloured by status; cells are already HTML; the
    ``numeric`` columns right-aligned in tabular figures."""
    if not rows:
        return ""

    def style(i: int) -> str:
        return CELL + (NUMERIC if i in numeric else "")

    head = "".join(f'<th style="{style(i)}">{html.escape(h)}</th>' for i, h in enumerate(headers))
    body = "".join(
        f'<tr style="color:{COLOR.get(status, "inherit")}">'
        + "".join(f'<td style="{style(i)}">{c}</td>' for i, c in enumerate(cells))
        + "</tr>"
        for status, cells in rows
    )
    return (
        f'<h4 style="margin:8px 0 2px">{html.escape(title)}</h4>'
        f'<table style="border-collapse:collapse"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def _size(info: FileSide | None) -> str:
    return e(f"{human_bytes(info['size'])} · {info['hash'][:10]}") if info else "-"


def diff(d: Diff) -> str:
    """The whole comparison in one fragment."""
    parts = [f'<div class="jp-mlver-diff" style="{STYLE}">']
    for which, h in (("a", d["a"]), ("b", d["b"])):
        tags = f" [{e(', '.join(h['tags']))}]" if h["tags"] else ""
        parts.append(
            f'<div><b>{which}</b> <code style="{CODE}">{h["id"][:12]}</code> '
            f"{e(short_time(h['created'] or ''))}{tags} {e(h['message'])}</div>"
        )
    for key, entries in (("params", d["params"]), ("metrics", d["metrics"])):
        rows = [
            (
                v["status"],
                [
                    MARK[v["status"]],
                    e(v["key"]),
                    e(tc.side(v["a"], v["status"] != "added")),
                    e(tc.side(v["b"], v["status"] != "removed")),
                    e(tc.delta(v["delta"])),
                ],
            )
            for v in entries
        ]
        parts.append(colored_table(key, ["", "name", "a", "b", "change"], rows, {2, 3, 4}))
    files = [
        (f["status"], [MARK[f["status"]], e(f["path"]), _size(f["a"]), _size(f["b"])])
        for f in d["data"]
    ]
    parts.append(colored_table("data", ["", "path", "a", "b"], files))
    packages = [
        (
            p["status"],
            [
                MARK[p["status"]],
                e(p["name"]),
                e(p["a"] or "-"),
                e(p["b"] or "-"),
                e(p["note"] or ""),
            ],
        )
        for p in d["packages"]
    ]
    parts.append(colored_table("packages", ["", "name", "a", "b", "note"], packages))
    system = [
        ("changed", [key, e(change["a"]), e(change["b"])])
        for key, change in (("python", d["python"]), ("platform", d["platform"]))
        if change
    ]
    git = d["git"]
    if tc.code_changed(git):
        system.append(("changed", ["git", e(tc.git_text(git["a"])), e(tc.git_text(git["b"]))]))
    parts.append(colored_table("system and code", ["", "a", "b"], system))
    if system and git["commits"]:
        items = "".join(
            f'<li><code style="{CODE}">{c["sha"][:10]}</code> {e(c["summary"])}</li>'
            for c in git["commits"]
        )
        parts.append(f'<ul style="margin:2px 0">{items}</ul>')
    cells = d["notebook"]["cells"]
    if cells:
        parts.append(f'<h4 style="margin:8px 0 2px">notebook ({len(cells)} cell(s) differ)</h4>')
    for cell in cells:
        src = "\n".join(tc.source_diff(cell["a_source"], cell["b_source"]))
        outputs = cell["outputs"]
        parts.append(
            f'<div style="color:{COLOR[cell["status"]]}">{MARK[cell["status"]]} '
            f"{e(tc.cell_where(cell))} · outputs: {e(outputs['a'] or '-')} → "
            f"{e(outputs['b'] or '-')}</div>"
            f'<pre style="{CODE};margin:0 0 4px 16px">{html.escape(src)}</pre>'
        )
    for which, warnings in (("a", d["warnings"]["a"]), ("b", d["warnings"]["b"])):
        parts += [
            f'<div style="color:var(--jp-warn-color1)">warning ({which}): '
            f"{e(tc.warning_text(w))}</div>"
            for w in warnings
        ]
    parts.append("</div>")
    return "".join(parts)


#: How a checkout item's status is coloured.
_CHECKOUT_COLOR = {
    "restored": "added",
    "unchanged": "unchanged",
    "refused": "removed",
    "not_restorable": "removed",
    "skipped": "changed",
}


def checkout(result: CheckoutResult) -> str:
    shown, more = tc.checkout_listed(result)
    rows = [
        (
            _CHECKOUT_COLOR[i.status],
            [e(tc.checkout_verb(result, i.status)), e(i.path), e(i.reason or "")],
        )
        for i in shown
    ]
    color = "var(--jp-ui-font-color1)" if result.ok else "var(--jp-error-color1)"
    tail = f"<div>{e(more)}</div>" if more else ""
    return (
        f'<div class="jp-mlver-checkout" style="{STYLE}">'
        f'<div style="color:{color}">{e(tc.checkout_summary(result))}</div>'
        f"{colored_table('files', ['', 'path', ''], rows)}{tail}</div>"
    )


def reproduction(result: ReproduceResult) -> str:
    color = "var(--jp-success-color1)" if result.reproduced else "var(--jp-error-color1)"
    rows = [
        ("unchanged" if row.ok else "removed", [e(c) for c in cells])
        for row, cells in zip(result.rows, tc.reproduction_rows(result), strict=True)
    ]
    headers = ["metric", "recorded", "reproduced", tc.tolerance_text(result)]
    notes = "".join(f"<div>note: {e(n)}</div>" for n in result.notes)
    link = (
        f'<div>run recorded as snapshot <code style="{CODE}">{result.reproduction[:12]}</code>'
        f' (parent <code style="{CODE}">{result.snapshot[:12]}</code>)</div>'
        if result.reproduction
        else ""
    )
    return (
        f'<div class="jp-mlver-reproduce" style="{STYLE}">'
        f'<div style="color:{color};font-weight:600">{e(tc.reproduction_headline(result))}</div>'
        f"{colored_table('metrics', headers, rows, {1, 2})}{notes}{link}</div>"
    )
