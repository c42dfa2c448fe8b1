"""Views of a comparison (``mlver.diff/1``): compact aligned text, and HTML for notebooks.

The HTML uses JupyterLab's CSS variables only, so it follows the light and dark themes.
"""

from __future__ import annotations

import difflib
import html
from collections.abc import Sequence
from typing import Any

from .display import View, format_value, human_bytes, short_time

Json = dict[str, Any]

MARK = {
    "added": "+",
    "removed": "-",
    "changed": "~",
    "upgraded": "↑",
    "downgraded": "↓",
    "unchanged": " ",
}
#: At most this many lines of a cell's source diff in text output.
CELL_DIFF_LINES = 12
#: Unchanged params/metrics are listed on one line up to this many characters.
UNCHANGED_WIDTH = 160


def _delta(delta: Any) -> str:
    if delta is None or delta == 0:
        return ""
    return f"({'+' if delta > 0 else ''}{format_value(delta)})"


def _table(rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    if not rows:
        return []
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in rows
    ]


def _side(value: Any, present: bool) -> str:
    return format_value(value) if present else "-"


def _values_section(title: str, entries: list[Json]) -> list[str]:
    if not entries:
        return []
    changed = [e for e in entries if e["status"] != "unchanged"]
    same = [e for e in entries if e["status"] == "unchanged"]
    lines = [f"{title} ({len(changed)} of {len(entries)} differ)"]
    lines += _table(
        [
            [
                MARK[e["status"]],
                e["key"],
                _side(e["a"], e["status"] != "added"),
                "->",
                _side(e["b"], e["status"] != "removed"),
                _delta(e["delta"]),
            ]
            for e in changed
        ]
    )
    if same:
        text = "  ".join(f"{e['key']}={format_value(e['a'])}" for e in same)
        if len(text) > UNCHANGED_WIDTH:
            text = text[: UNCHANGED_WIDTH - 1] + "…"
        lines.append(f"  unchanged: {text}")
    return lines


def _data_section(entries: list[Json]) -> list[str]:
    if not entries:
        return []

    def side(info: Json | None) -> str:
        return f"{human_bytes(info['size'])} {info['hash'][:10]}" if info else "-"

    lines = [f"data ({len(entries)} file(s) differ)"]
    lines += _table(
        [[MARK[e["status"]], e["path"], side(e["a"]), "->", side(e["b"])] for e in entries]
    )
    return lines


def _packages_section(entries: list[Json]) -> list[str]:
    if not entries:
        return []
    lines = [f"packages ({len(entries)} differ)"]
    lines += _table(
        [
            [
                MARK[e["status"]],
                e["name"],
                e["a"] or "-",
                "->",
                e["b"] or "-",
                e.get("note") or "",
            ]
            for e in entries
        ]
    )
    return lines


def _git_text(side: Json | None) -> str:
    if side is None:
        return "not a git repository"
    commit = (side.get("commit") or "no commit")[:12]
    dirty = " (dirty)" if side.get("dirty") else ""
    return f"{side.get('branch') or '(detached)'} @ {commit}{dirty}"


def _git_section(git: Json) -> list[str]:
    if git.get("same_code") or (git["a"] is None and git["b"] is None):
        return []
    lines = [f"git      {_git_text(git['a'])} -> {_git_text(git['b'])}"]
    if git["same_commit"]:
        lines.append("  same commit, different uncommitted changes")
    for c in git["commits"]:
        lines.append(f"  {c['sha'][:10]} {c['summary']}")
    if git.get("commits_omitted"):
        lines.append(f"  … and {git['commits_omitted']} more commits")
    return lines


def _source_diff(a: str | None, b: str | None) -> list[str]:
    diff = list(
        difflib.unified_diff((a or "").splitlines(), (b or "").splitlines(), lineterm="", n=1)
    )[2:]  # drop the ---/+++ header
    if len(diff) > CELL_DIFF_LINES:
        diff = [*diff[:CELL_DIFF_LINES], f"… {len(diff) - CELL_DIFF_LINES} more lines"]
    return [f"      {line}" for line in diff if not line.startswith("@@")]


def _cell_where(cell: Json) -> str:
    a, b = cell["a_index"], cell["b_index"]
    if a is None:
        return f"cell {b + 1} (new)"
    if b is None:
        return f"cell {a + 1} (was)"
    return f"cell {b + 1}" if a == b else f"cell {a + 1} -> {b + 1}"


def _notebook_section(nb: Json) -> list[str]:
    cells = nb["cells"]
    if nb["a"] == nb["b"]:
        return []
    if nb["a"] is None or nb["b"] is None:
        which = "a" if nb["a"] is None else "b"
        head = f"notebook only {which} has a notebook"
    else:
        head = f"notebook ({len(cells)} cell(s) differ)"
    lines = [head]
    for cell in cells:
        lines.append(f"  {MARK[cell['status']]} {_cell_where(cell)} [{cell['cell_type']}]")
        if cell["status"] == "changed":
            lines += _source_diff(cell["a_source"], cell["b_source"])
            outs = cell["outputs"]
            if outs["a"] != outs["b"] or not cell.get("source_changed"):
                lines.append(f"      outputs: {outs['a'] or '-'} -> {outs['b'] or '-'}")
        else:
            src = cell["b_source"] if cell["status"] == "added" else cell["a_source"]
            first = (src or "").strip().splitlines()
            if first:
                more = " …" if len(first) > 1 else ""
                lines.append(f"      {first[0][:100]}{more}")
    return lines


def _header(d: Json, side: str) -> str:
    h = d[side]
    tags = f" [{', '.join(h['tags'])}]" if h["tags"] else ""
    msg = f"  {h['message']}" if h["message"] else ""
    return f"{side}  {h['id'][:12]}  {short_time(h['created'] or '')}{tags}{msg}"


def format_diff(d: Json) -> str:
    """Compact text: only what differs, one section per kind, aligned columns."""
    lines = [_header(d, "a"), _header(d, "b")]
    body: list[str] = []
    body += _values_section("params", d["params"])
    body += _values_section("metrics", d["metrics"])
    body += _data_section(d["data"])
    body += _packages_section(d["packages"])
    for key in ("python", "platform"):
        if d[key]:
            body.append(f"{key:<8} {d[key]['a']} -> {d[key]['b']}")
    body += _git_section(d["git"])
    body += _notebook_section(d["notebook"])
    for side in ("a", "b"):
        for w in d["warnings"][side]:
            body.append(f"warning ({side}) {w.get('message', w) if isinstance(w, dict) else w}")
    s = d["summary"]
    if not any(s.values()) and not d["python"] and not d["platform"] and not _git_section(d["git"]):
        body.append("no differences")
    return "\n".join([*lines, "", *body])


# -- HTML --------------------------------------------------------------------------------

_COLOR = {
    "added": "var(--jp-success-color1)",
    "removed": "var(--jp-error-color1)",
    "changed": "var(--jp-warn-color1)",
    "upgraded": "var(--jp-info-color1)",
    "downgraded": "var(--jp-warn-color1)",
    "unchanged": "var(--jp-ui-font-color2)",
}
_STYLE = (
    "font-family:var(--jp-ui-font-family);font-size:var(--jp-ui-font-size1);"
    "color:var(--jp-ui-font-color1)"
)
_CELL = "padding:2px 8px;text-align:left;border-bottom:1px solid var(--jp-border-color2)"
_CODE = "font-family:var(--jp-code-font-family);font-size:var(--jp-code-font-size)"


def _e(value: Any) -> str:
    return html.escape(value if isinstance(value, str) else format_value(value))


def _h_table(title: str, headers: Sequence[str], rows: list[tuple[str, list[str]]]) -> str:
    if not rows:
        return ""
    head = "".join(f'<th style="{_CELL}">{html.escape(h)}</th>' for h in headers)
    body = "".join(
        f'<tr style="color:{_COLOR.get(status, "inherit")}">'
        + "".join(f'<td style="{_CELL}">{c}</td>' for c in cells)
        + "</tr>"
        for status, cells in rows
    )
    return (
        f'<h4 style="margin:8px 0 2px">{html.escape(title)}</h4>'
        f'<table style="border-collapse:collapse"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def diff_html(d: Json) -> str:
    """A self-contained HTML fragment of the whole comparison."""
    parts = [f'<div class="jp-mlver-diff" style="{_STYLE}">']
    for side in ("a", "b"):
        h = d[side]
        tags = f" [{_e(', '.join(h['tags']))}]" if h["tags"] else ""
        parts.append(
            f'<div><b>{side}</b> <code style="{_CODE}">{h["id"][:12]}</code> '
            f"{_e(short_time(h['created'] or ''))}{tags} {_e(h['message'])}</div>"
        )
    for key in ("params", "metrics"):
        parts.append(
            _h_table(
                key,
                ["", "name", "a", "b", "change"],
                [
                    (
                        e["status"],
                        [
                            MARK[e["status"]],
                            _e(e["key"]),
                            _e(_side(e["a"], e["status"] != "added")),
                            _e(_side(e["b"], e["status"] != "removed")),
                            _e(_delta(e["delta"])),
                        ],
                    )
                    for e in d[key]
                ],
            )
        )

    def size(info: Json | None) -> str:
        return _e(f"{human_bytes(info['size'])} · {info['hash'][:10]}") if info else "-"

    parts.append(
        _h_table(
            "data",
            ["", "path", "a", "b"],
            [
                (e["status"], [MARK[e["status"]], _e(e["path"]), size(e["a"]), size(e["b"])])
                for e in d["data"]
            ],
        )
    )
    parts.append(
        _h_table(
            "packages",
            ["", "name", "a", "b", "note"],
            [
                (
                    e["status"],
                    [
                        MARK[e["status"]],
                        _e(e["name"]),
                        _e(e["a"] or "-"),
                        _e(e["b"] or "-"),
                        _e(e.get("note") or ""),
                    ],
                )
                for e in d["packages"]
            ],
        )
    )
    other = [(key, d[key]) for key in ("python", "platform") if d[key]]
    git_lines = _git_section(d["git"])
    if other or git_lines:
        rows = [("changed", [key, _e(v["a"]), _e(v["b"])]) for key, v in other]
        if git_lines:
            g = d["git"]
            rows.append(("changed", ["git", _e(_git_text(g["a"])), _e(_git_text(g["b"]))]))
        parts.append(_h_table("system and code", ["", "a", "b"], rows))
        if d["git"]["commits"]:
            items = "".join(
                f'<li><code style="{_CODE}">{c["sha"][:10]}</code> {_e(c["summary"])}</li>'
                for c in d["git"]["commits"]
            )
            parts.append(f'<ul style="margin:2px 0">{items}</ul>')
    cells = d["notebook"]["cells"]
    if cells:
        parts.append(f'<h4 style="margin:8px 0 2px">notebook ({len(cells)} cell(s) differ)</h4>')
        for cell in cells:
            src = "\n".join(_source_diff(cell["a_source"], cell["b_source"]))
            parts.append(
                f'<div style="color:{_COLOR[cell["status"]]}">{MARK[cell["status"]]} '
                f"{_e(_cell_where(cell))} · outputs: {_e(cell['outputs']['a'] or '-')} → "
                f"{_e(cell['outputs']['b'] or '-')}</div>"
                f'<pre style="{_CODE};margin:0 0 4px 16px">{html.escape(src)}</pre>'
            )
    for side in ("a", "b"):
        for w in d["warnings"][side]:
            msg = w.get("message", w) if isinstance(w, dict) else w
            parts.append(
                f'<div style="color:var(--jp-warn-color1)">warning ({side}): {_e(str(msg))}</div>'
            )
    parts.append("</div>")
    return "".join(parts)


class DiffView(View):
    """What ``%mlver diff`` returns: rich HTML in JupyterLab, text elsewhere."""

    def __init__(self, diff: Json) -> None:
        self.diff = diff

    def text(self) -> str:
        return format_diff(self.diff)

    def html(self) -> str:
        return diff_html(self.diff)


# -- checkout ----------------------------------------------------------------------------

_CHECKOUT_VERB = {
    "restored": "restored",
    "unchanged": "unchanged",
    "refused": "REFUSED",
    "skipped": "not written",
    "not_restorable": "cannot restore",
}


def format_checkout(result: Any) -> str:
    """``CheckoutResult`` as text: one line per file that needed anything, then a verdict."""
    items = result.items
    dry = result.dry_run
    lines = []
    rows = []
    for item in items:
        if item.status == "unchanged":
            continue
        verb = _CHECKOUT_VERB[item.status]
        if dry and item.status == "restored":
            verb = "would restore"
        note = f"({item.reason})" if item.reason else ""
        rows.append([verb, item.path, note])
    lines += _table(rows, indent="")
    counts = {s: len(result.with_status(s)) for s in _CHECKOUT_VERB}
    done = "would restore" if dry else "restored"
    summary = (
        f"{result.snapshot[:12]}: {done} {counts['restored']}, "
        f"{counts['unchanged']} already up to date"
    )
    if counts["refused"]:
        summary += (
            f"; refused {counts['refused']} file(s) with changes not in any snapshot — "
            "nothing was written (snapshot them first, or use --force to overwrite)"
        )
    if counts["not_restorable"]:
        summary += f"; {counts['not_restorable']} file(s) cannot be restored from the store"
    lines.append(summary)
    return "\n".join(lines)


# -- reproduce ---------------------------------------------------------------------------

_ROW_VERDICT = {
    "identical": "yes (identical)",
    "within": "yes",
    "differs": "NO",
    "missing": "NO (not logged)",
    "new": "(not recorded)",
}


def _rel(recorded: Any, delta: float | None) -> str:
    if delta is None or delta == 0:
        return ""
    last = recorded[-1] if isinstance(recorded, list) and recorded else recorded
    sign = "+" if delta > 0 else ""
    if isinstance(last, (int, float)) and not isinstance(last, bool) and last:
        return f"{sign}{format_value(delta)}, {sign}{100 * delta / abs(last):.3g} %"
    return f"{sign}{format_value(delta)}"


def reproduction_rows(result: Any) -> list[list[str]]:
    rows = []
    for r in result.rows:
        verdict = _ROW_VERDICT[r.status]
        change = _rel(r.recorded, r.delta) if r.status == "differs" else ""
        rows.append(
            [
                r.key,
                "-" if r.status == "new" else format_value(r.recorded),
                "-" if r.status == "missing" else format_value(r.reproduced),
                verdict + (f" ({change})" if change else ""),
            ]
        )
    return rows


def format_reproduction(result: Any) -> str:
    """``ReproduceResult`` as text: the verdict, the metric table, notes, the new snapshot."""
    how = {None: "given", True: "reused", False: "built"}[result.image_reused]
    head = f"{result.snapshot[:12]} in {result.image} ({how} image): "
    if result.error:
        head += f"FAILED — {result.error['message']}"
    elif result.reproduced:
        head += f"reproduced ({len(result.rows)} metric(s) within the tolerance)"
    else:
        head += f"DOES NOT REPRODUCE ({len(result.differences)} metric(s) differ)"
    lines = [head]
    if result.rows:
        tol = f"WITHIN {result.tolerance:g}" + (
            f" / {result.abs_tolerance:g}" if result.abs_tolerance else ""
        )
        lines += _table(
            [["METRIC", "RECORDED", "REPRODUCED", tol], *reproduction_rows(result)], indent="  "
        )
    lines += [f"  note: {n}" for n in result.notes]
    if result.reproduction:
        lines.append(
            f"recorded the run as snapshot {result.reproduction[:12]} (parent "
            f"{result.snapshot[:12]}); compare: jupyter mlver diff {result.snapshot[:12]} "
            f"{result.reproduction[:12]}"
        )
    return "\n".join(lines)


class CheckoutView(View):
    """What ``%mlver checkout`` returns."""

    def __init__(self, result: Any) -> None:
        self.result = result

    def text(self) -> str:
        return format_checkout(self.result)

    def html(self) -> str:
        r = self.result
        rows = [
            (
                {"refused": "removed", "not_restorable": "removed", "skipped": "changed"}.get(
                    i.status, "unchanged" if i.status == "unchanged" else "added"
                ),
                [_e(_CHECKOUT_VERB[i.status]), _e(i.path), _e(i.reason or "")],
            )
            for i in r.items
            if i.status != "unchanged"
        ]
        summary = format_checkout(r).splitlines()[-1]
        color = "var(--jp-ui-font-color1)" if r.ok else "var(--jp-error-color1)"
        return (
            f'<div class="jp-mlver-checkout" style="{_STYLE}">'
            f'<div style="color:{color}">{_e(summary)}</div>'
            f"{_h_table('files', ['', 'path', ''], rows)}</div>"
        )


class ReproductionView(View):
    """What ``%mlver reproduce`` returns: the verdict and metric table, HTML and text."""

    def __init__(self, result: Any) -> None:
        self.result = result

    def text(self) -> str:
        return format_reproduction(self.result)

    def html(self) -> str:
        r = self.result
        color = "var(--jp-success-color1)" if r.reproduced else "var(--jp-error-color1)"
        head = html.escape(format_reproduction(r).splitlines()[0])
        table = _h_table(
            "metrics",
            ["metric", "recorded", "reproduced", f"within {r.tolerance:g}"],
            [
                ("unchanged" if row.ok else "removed", [_e(c) for c in cells])
                for row, cells in zip(r.rows, reproduction_rows(r), strict=True)
            ],
        )
        notes = "".join(f"<div>note: {_e(n)}</div>" for n in r.notes)
        link = (
            f'<div>run recorded as snapshot <code style="{_CODE}">{r.reproduction[:12]}</code>'
            f' (parent <code style="{_CODE}">{r.snapshot[:12]}</code>)</div>'
            if r.reproduction
            else ""
        )
        return (
            f'<div class="jp-mlver-reproduce" style="{_STYLE}">'
            f'<div style="color:{color};font-weight:600">{head}</div>{table}{notes}{link}</div>'
        )
