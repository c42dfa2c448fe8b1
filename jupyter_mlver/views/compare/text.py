"""Text views of a comparison (``mlver.diff/1``), a checkout and a reproduction."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from ..format import MARK, format_value, human_bytes, short_time, table

if TYPE_CHECKING:
    from ...core.checkout import CheckoutResult
    from ...core.diff.types import (
        CellChange,
        Diff,
        FileChange,
        FileSide,
        GitChange,
        GitSide,
        NotebookChange,
        PackageChange,
        ValueChange,
    )
    from ...core.reproduce.reproduce import ReproduceResult

#: At most this many lines of a cell's source diff in text output.
CELL_DIFF_LINES = 12
#: Unchanged params/metrics are listed on one line up to this many characters.
UNCHANGED_WIDTH = 160


# -- pieces the HTML views share -----------------------------------------------------------


def delta(value: Any) -> str:
    if value is None or value == 0:
        return ""
    return f"({'+' if value > 0 else ''}{format_value(value)})"


def side(value: Any, present: bool) -> str:
    return format_value(value) if present else "-"


def file_side(info: FileSide | None) -> str:
    return f"{human_bytes(info['size'])} {info['hash'][:10]}" if info else "-"


def git_text(g: GitSide | None) -> str:
    if g is None:
        return "not a git repository"
    commit = (g.get("commit") or "no commit")[:12]
    dirty = " (dirty)" if g.get("dirty") else ""
    return f"{g.get('branch') or '(detached)'} @ {commit}{dirty}"


def code_changed(git: GitChange) -> bool:
    """Whether the two snapshots ran different code (commits or uncommitted changes)."""
    return not (git["same_code"] or (git["a"] is None and git["b"] is None))


def source_diff(a: str | None, b: str | None) -> list[str]:
    """A cell's source change as unified-diff lines, capped at ``CELL_DIFF_LINES``."""
    diff = list(
        difflib.unified_diff((a or "").splitlines(), (b or "").splitlines(), lineterm="", n=1)
    )[2:]  # drop the ---/+++ header
    if len(diff) > CELL_DIFF_LINES:
        diff = [*diff[:CELL_DIFF_LINES], f"… {len(diff) - CELL_DIFF_LINES} more lines"]
    return [line for line in diff if not line.startswith("@@")]


def cell_where(cell: CellChange) -> str:
    a, b = cell["a_index"], cell["b_index"]
    if a is None:
        return f"cell {(b or 0) + 1} (new)"
    if b is None:
        return f"cell {a + 1} (was)"
    return f"cell {b + 1}" if a == b else f"cell {a + 1} -> {b + 1}"


def warning_text(w: Any) -> str:
    return str(w.get("message", w) if isinstance(w, dict) else w)


# -- the comparison ----------------------------------------------------------------------


def _values_section(title: str, entries: list[ValueChange]) -> list[str]:
    if not entries:
        return []
    changed = [e for e in entries if e["status"] != "unchanged"]
    same = [e for e in entries if e["status"] == "unchanged"]
    lines = [f"{title} ({len(changed)} of {len(entries)} differ)"]
    lines += table(
        [
            [
                MARK[e["status"]],
                e["key"],
                side(e["a"], e["status"] != "added"),
                "->",
                side(e["b"], e["status"] != "removed"),
                delta(e["delta"]),
            ]
            for e in changed
        ],
        indent="  ",
    )
    if same:
        text = "  ".join(f"{e['key']}={format_value(e['a'])}" for e in same)
        if len(text) > UNCHANGED_WIDTH:
            text = text[: UNCHANGED_WIDTH - 1] + "…"
        lines.append(f"  unchanged: {text}")
    return lines


def _data_section(entries: list[FileChange]) -> list[str]:
    if not entries:
        return []
    rows = [
        [MARK[e["status"]], e["path"], file_side(e["a"]), "->", file_side(e["b"])] for e in entries
    ]
    return [f"data ({len(entries)} file(s) differ)", *table(rows, indent="  ")]


def _packages_section(entries: list[PackageChange]) -> list[str]:
    if not entries:
        return []
    rows = [
        [MARK[e["status"]], e["name"], e["a"] or "-", "->", e["b"] or "-", e.get("note") or ""]
        for e in entries
    ]
    return [f"packages ({len(entries)} differ)", *table(rows, indent="  ")]


def _git_section(git: GitChange) -> list[str]:
    if not code_changed(git):
        return []
    lines = [f"git      {git_text(git['a'])} -> {git_text(git['b'])}"]
    if git["same_commit"]:
        lines.append("  same commit, different uncommitted changes")
    lines += [f"  {c['sha'][:10]} {c['summary']}" for c in git["commits"]]
    if git.get("commits_omitted"):
        lines.append(f"  … and {git['commits_omitted']} more commits")
    return lines


def _notebook_section(nb: NotebookChange) -> list[str]:
    cells = nb["cells"]
    if nb["a"] == nb["b"]:
        return []
    if nb["a"] is None or nb["b"] is None:
        head = f"notebook only {'a' if nb['a'] is None else 'b'} has a notebook"
    else:
        head = f"notebook ({len(cells)} cell(s) differ)"
    lines = [head]
    for cell in cells:
        lines.append(f"  {MARK[cell['status']]} {cell_where(cell)} [{cell['cell_type']}]")
        if cell["status"] == "changed":
            lines += [f"      {ln}" for ln in source_diff(cell["a_source"], cell["b_source"])]
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


def header(d: Diff, which: str) -> str:
    h = d["a"] if which == "a" else d["b"]
    tags = f" [{', '.join(h['tags'])}]" if h["tags"] else ""
    msg = f"  {h['message']}" if h["message"] else ""
    return f"{which}  {h['id'][:12]}  {short_time(h['created'] or '')}{tags}{msg}"


def diff(d: Diff) -> str:
    """Compact text: only what differs, one section per kind, aligned columns."""
    body: list[str] = []
    body += _values_section("params", d["params"])
    body += _values_section("metrics", d["metrics"])
    body += _data_section(d["data"])
    body += _packages_section(d["packages"])
    for key, change in (("python", d["python"]), ("platform", d["platform"])):
        if change:
            body.append(f"{key:<8} {change['a']} -> {change['b']}")
    body += _git_section(d["git"])
    body += _notebook_section(d["notebook"])
    for which, warnings in (("a", d["warnings"]["a"]), ("b", d["warnings"]["b"])):
        body += [f"warning ({which}) {warning_text(w)}" for w in warnings]
    same_system = not (d["python"] or d["platform"] or code_changed(d["git"]))
    if same_system and not any(d["summary"].values()):
        body.append("no differences")
    return "\n".join([header(d, "a"), header(d, "b"), "", *body])


# -- checkout ----------------------------------------------------------------------------

CHECKOUT_VERB = {
    "restored": "restored",
    "unchanged": "unchanged",
    "refused": "REFUSED",
    "skipped": "not written",
    "not_restorable": "cannot restore",
}


def checkout_summary(result: CheckoutResult) -> str:
    """The verdict line: what was (or would be) restored, refused or cannot be."""
    counts = {s: len(result.with_status(s)) for s in CHECKOUT_VERB}
    done = "would restore" if result.dry_run else "restored"
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
    return summary


def checkout_verb(result: CheckoutResult, status: str) -> str:
    if result.dry_run and status == "restored":
        return "would restore"
    return CHECKOUT_VERB[status]


def checkout(result: CheckoutResult) -> str:
    """One line per file that needed anything, then the verdict."""
    rows = [
        [checkout_verb(result, item.status), item.path, f"({item.reason})" if item.reason else ""]
        for item in result.items
        if item.status != "unchanged"
    ]
    return "\n".join([*table(rows), checkout_summary(result)])


# -- reproduce ---------------------------------------------------------------------------

_ROW_VERDICT = {
    "identical": "yes (identical)",
    "within": "yes",
    "differs": "NO",
    "missing": "NO (not logged)",
    "new": "(not recorded)",
}


def _relative(recorded: Any, change: float | None) -> str:
    if change is None or change == 0:
        return ""
    last = recorded[-1] if isinstance(recorded, list) and recorded else recorded
    sign = "+" if change > 0 else ""
    if isinstance(last, (int, float)) and not isinstance(last, bool) and last:
        return f"{sign}{format_value(change)}, {sign}{100 * change / abs(last):.3g} %"
    return f"{sign}{format_value(change)}"


def reproduction_rows(result: ReproduceResult) -> list[list[str]]:
    rows = []
    for r in result.rows:
        change = _relative(r.recorded, r.delta) if r.status == "differs" else ""
        rows.append(
            [
                r.key,
                "-" if r.status == "new" else format_value(r.recorded),
                "-" if r.status == "missing" else format_value(r.reproduced),
                _ROW_VERDICT[r.status] + (f" ({change})" if change else ""),
            ]
        )
    return rows


def reproduction_headline(result: ReproduceResult) -> str:
    how = {None: "given", True: "reused", False: "built"}[result.image_reused]
    head = f"{result.snapshot[:12]} in {result.image} ({how} image): "
    if result.error:
        return head + f"FAILED — {result.error['message']}"
    if result.reproduced:
        return head + f"reproduced ({len(result.rows)} metric(s) within the tolerance)"
    return head + f"DOES NOT REPRODUCE ({len(result.differences)} metric(s) differ)"


def tolerance_text(result: ReproduceResult, word: str = "within") -> str:
    extra = f" / {result.abs_tolerance:g}" if result.abs_tolerance else ""
    return f"{word} {result.tolerance:g}{extra}"


def reproduction(result: ReproduceResult) -> str:
    """The verdict, the metric table, notes, and the snapshot that recorded the run."""
    lines = [reproduction_headline(result)]
    if result.rows:
        head = ["METRIC", "RECORDED", "REPRODUCED", tolerance_text(result, "WITHIN")]
        lines += table([head, *reproduction_rows(result)], indent="  ")
    lines += [f"  note: {n}" for n in result.notes]
    if result.reproduction:
        lines.append(
            f"recorded the run as snapshot {result.reproduction[:12]} (parent "
            f"{result.snapshot[:12]}); compare: jupyter mlver diff {result.snapshot[:12]} "
            f"{result.reproduction[:12]}"
        )
    return "\n".join(lines)
